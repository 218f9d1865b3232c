"""The process running a harvest, so the same command run twice at once refuses."""

from __future__ import annotations

from sqlite_utils import Database


def upgrade(db: Database) -> None:
    db.table("harvests").add_column("running_pid", int)
