"""Bulk actions: a batch uuid on decisions; an index for loading a screen."""

from __future__ import annotations

from sqlite_utils import Database


def upgrade(db: Database) -> None:
    # One uuid shared by the events of one bulk action, so that undo cancels all of them.
    db.table("decisions").add_column("batch", str)
    # A screen loads one reviewer's events for one stage, in order, at start-up.
    db.table("decisions").create_index(["reviewer", "stage"])
