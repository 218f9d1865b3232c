"""Extraction values: append-only events, written in one transaction, read in force.

The rule for the value in force is migration 10's view (current_extraction_values); this
module only writes events and reads that view.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError

COLUMNS = (
    "uuid", "study_uuid", "reviewer", "role", "item", "field", "arm", "outcome", "timepoint",
    "value", "unit", "factor", "note", "settles", "undoes", "created_at",
)  # fmt: skip


def record_values(db: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Append value events in one transaction, committed when this returns; how many."""
    if db.conn.in_transaction:
        raise MetasiftError("the review connection has uncommitted changes; values not saved")
    rows = list(rows)
    with db.atomic():
        db.table("extraction_values").insert_all(rows, columns={c: str for c in COLUMNS})
    return len(rows)


def values_in_force(
    db: Database, *, study_uuid: str | None = None, reviewer: str | None = None
) -> Iterator[dict[str, Any]]:
    """Each reviewer's (and each consensus') value in force per cell, oldest cell first."""
    where, params = [], []
    for column, wanted in (("study_uuid", study_uuid), ("reviewer", reviewer)):
        if wanted is not None:
            where.append(f"{column} = ?")
            params.append(wanted)
    sql = f"SELECT {', '.join(COLUMNS)} FROM current_extraction_values"
    if where:
        sql += " WHERE " + " AND ".join(where)
    cursor = db.execute(sql + " ORDER BY study_uuid, created_at, uuid", params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def event(db: Database, uuid: str) -> dict[str, Any] | None:
    cursor = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM extraction_values WHERE uuid = ?", [uuid]
    )
    row = cursor.fetchone()
    return dict(zip(COLUMNS, row, strict=True)) if row else None


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


def entered_under_another_study(db: Database, study_uuid: str) -> int:
    """How many of the study's values in force were entered while their report was another
    study (before a link or a dedup merge joined it to this one): worth a second look."""
    row = db.execute(
        "SELECT count(*) FROM current_extraction_values "
        "WHERE study_uuid = ? AND entered_under != study_uuid",
        [study_uuid],
    ).fetchone()
    return int(row[0])
