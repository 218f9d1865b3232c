"""Textual tests: Pilot (behaviour) and snapshots (layout)."""
