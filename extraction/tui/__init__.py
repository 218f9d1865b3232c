"""extraction's screens; screening's MetasiftApp hosts them (extraction never imports it)."""
