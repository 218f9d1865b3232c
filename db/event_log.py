"""Append-only event tables, the shape every reviewer's work takes: write rows in one
transaction, read the rows in force from the table's view, fetch one event by UUID.

A feature's own module (db/extraction_values.py, db/rob_answers.py) names its table, view
and columns and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError


def append_events(
    db: Database, table: str, columns: Sequence[str], rows: Iterable[dict[str, Any]], what: str
) -> int:
    """Append events in one transaction, committed when this returns; how many."""
    if db.conn.in_transaction:
        raise MetasiftError(f"the review connection has uncommitted changes; {what} not saved")
    rows = list(rows)
    with db.atomic():
        db.table(table).insert_all(rows, columns=dict.fromkeys(columns, str))
    return len(rows)


def events_in_force(
    db: Database, view: str, columns: Sequence[str], wanted: dict[str, str | None], order: str
) -> Iterator[dict[str, Any]]:
    """The view's rows whose columns equal the wanted values (None: any), in order."""
    filters = {column: value for column, value in wanted.items() if value is not None}
    sql = f"SELECT {', '.join(columns)} FROM {view}"
    if filters:
        sql += " WHERE " + " AND ".join(f"{column} = ?" for column in filters)
    cursor = db.execute(f"{sql} ORDER BY {order}", list(filters.values()))
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def event_by_uuid(
    db: Database, table: str, columns: Sequence[str], uuid: str
) -> dict[str, Any] | None:
    row = db.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE uuid = ?", [uuid]).fetchone()
    return dict(zip(columns, row, strict=True)) if row else None


def entered_under_another_study(db: Database, view: str, study_uuid: str) -> int:
    """How many of the study's events in force in the view were entered while their report
    was another study (before a link or a dedup merge joined it to this one, migration 13's
    study_aliases): worth a second look."""
    row = db.execute(
        f"SELECT count(*) FROM {view} WHERE study_uuid = ? AND entered_under != study_uuid",
        [study_uuid],
    ).fetchone()
    return int(row[0])
