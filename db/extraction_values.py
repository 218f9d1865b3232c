"""Extraction values: append-only events, written in one transaction, read in force.

The rule for the value in force is the view current_extraction_values (migrations 10 and
13); this module only writes events and reads that view (through db/event_log.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from sqlite_utils import Database

from db.event_log import (
    append_events,
    entered_under_another_study,
    event_by_uuid,
    events_in_force,
)

COLUMNS = (
    "uuid", "study_uuid", "reviewer", "role", "item", "field", "arm", "outcome", "timepoint",
    "value", "unit", "factor", "note", "settles", "undoes", "created_at",
)  # fmt: skip


def record_values(db: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Append value events in one transaction, committed when this returns; how many."""
    return append_events(db, "extraction_values", COLUMNS, rows, "values")


def values_in_force(
    db: Database, *, study_uuid: str | None = None, reviewer: str | None = None
) -> Iterator[dict[str, Any]]:
    """Each reviewer's (and each consensus') value in force per cell, oldest cell first."""
    wanted = {"study_uuid": study_uuid, "reviewer": reviewer}
    order = "study_uuid, created_at, reviewer, uuid"  # one timestamp: the same order every time
    return events_in_force(db, "current_extraction_values", COLUMNS, wanted, order)


def event(db: Database, uuid: str) -> dict[str, Any] | None:
    return event_by_uuid(db, "extraction_values", COLUMNS, uuid)


def remember_study_aliases(db: Database, aliases: dict[str, str]) -> bool:
    """Store which study each alias UUID now belongs to (migration 13), if that changed;
    whether it did. A review that cannot be written keeps the aliases it had."""
    stored = dict(db.execute("SELECT alias, study FROM study_aliases").fetchall())
    if stored == aliases:
        return False
    try:
        with db.atomic():
            db.execute("DELETE FROM study_aliases")
            db.table("study_aliases").insert_all(
                [{"alias": a, "study": s} for a, s in sorted(aliases.items())]
            )
    except sqlite3.OperationalError:  # read-only file or disk: read with the stored ones
        return False
    return True


def values_entered_under_another_study(db: Database, study_uuid: str) -> int:
    """Values in force entered while their report was another study (event_log's rule)."""
    return entered_under_another_study(db, "current_extraction_values", study_uuid)
