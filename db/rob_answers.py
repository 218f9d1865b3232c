"""Risk-of-bias answers: append-only events, written in one transaction, read in force.

The rule for the entry in force is migration 11's view (current_rob_answers); this module
only writes events and reads that view.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError

COLUMNS = (
    "uuid", "study_uuid", "instrument", "result", "reviewer", "role", "item", "domain",
    "question", "answer", "support", "quote", "page", "settles", "undoes", "created_at",
)  # fmt: skip


def record_answers(db: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Append answer events in one transaction, committed when this returns; how many."""
    if db.conn.in_transaction:
        raise MetasiftError("the review connection has uncommitted changes; answers not saved")
    rows = list(rows)
    with db.atomic():
        db.table("rob_answers").insert_all(rows, columns={c: str for c in COLUMNS})
    return len(rows)


def answers_in_force(
    db: Database,
    *,
    instrument: str | None = None,
    study_uuid: str | None = None,
    reviewer: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Each reviewer's (and each consensus') entry in force, oldest first."""
    where, params = [], []
    wanted = (("instrument", instrument), ("study_uuid", study_uuid), ("reviewer", reviewer))
    for column, value in wanted:
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"SELECT {', '.join(COLUMNS)} FROM current_rob_answers"
    if where:
        sql += " WHERE " + " AND ".join(where)
    cursor = db.execute(sql + " ORDER BY study_uuid, created_at, uuid", params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def answer_event(db: Database, uuid: str) -> dict[str, Any] | None:
    cursor = db.execute(f"SELECT {', '.join(COLUMNS)} FROM rob_answers WHERE uuid = ?", [uuid])
    row = cursor.fetchone()
    return dict(zip(COLUMNS, row, strict=True)) if row else None
