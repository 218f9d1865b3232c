"""Risk of bias: instruments as data files (instruments/*.toml) read by one engine, reviewers'
answers as append-only events, consensus per domain, exports and robvis-style plots."""
