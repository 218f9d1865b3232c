"""Apps the snapshot tests (and `textual run`) open: real reviews built from fixtures."""
