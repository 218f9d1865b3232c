"""Renaming, removing and restoring a source: each one event in source_events, audited.

A rename renames the records whose database came from the source rather than from the
record itself. An import gives a record its own database when its accession number or
extra["database"] names one (db.database_names.record_database), or, for records of older
reviews, when its raw RIS/CSV text holds a link naming one (m011); every other record took
the name the user gave, the format implies or the file's other records agree on: the
source's name. Those are the records a rename fixes; the same rule, read again now, tells
them apart, so a record that names its own database is never renamed.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.database_names import link_database, record_database
from db.errors import MetasiftError
from db.tables import insert_row

# raw texts only where they may hold a link the fields lack (RIS, CSV), as m011 reads them
_RECORDS = (
    "SELECT r.id, r.source_record_id, r.extra, "
    "CASE WHEN s.format IN ('ris', 'csv') THEN x.raw END FROM records r "
    "JOIN sources s ON s.id = r.source_id LEFT JOIN record_raw x ON x.id = r.raw_id "
    "WHERE r.source_id = ?"
)


def source_row(db: Database, source_id: int) -> dict[str, Any]:
    """The source, with removed (1 or 0); MetasiftError if there is none of that id."""
    rows = list(
        db.query(
            "SELECT s.*, s.id IN (SELECT source_id FROM removed_sources) AS removed "
            "FROM sources s WHERE s.id = ?",
            [source_id],
        )
    )
    if not rows:
        raise MetasiftError(f"there is no source #{source_id}; `metasift sources` lists them")
    return rows[0]


def rename_source(db: Database, source_id: int, name: str, reviewer: str) -> int:
    """Rename the source and the records whose database came from it; returns how many
    records were renamed."""
    name = " ".join(name.split())
    if not name:
        raise MetasiftError("a source's new name cannot be empty")
    if any(unicodedata.category(c) == "Cc" for c in name):  # it reaches files and terminals
        raise MetasiftError("a source's new name cannot hold control characters")
    with db.atomic():
        old = source_row(db, source_id)["database"]
        if old == name:
            raise MetasiftError(f"source #{source_id} is already named {name}; nothing changed")
        renamed = [
            (name, record_id)
            for record_id, accession, extra, raw in db.execute(_RECORDS, [source_id])
            if not (record_database(accession, extra) or link_database(raw))
        ]
        db.conn.executemany("UPDATE records SET database = ? WHERE id = ?", renamed)
        db.execute("UPDATE sources SET database = ? WHERE id = ?", [name, source_id])
        _event(db, source_id, reviewer, "rename", old, name)
    return len(renamed)


def set_source_removed(db: Database, source_id: int, removed: bool, reviewer: str) -> None:
    """Remove the source (its records leave screening, dedup and PRISMA) or restore it;
    MetasiftError if it is already so."""
    with db.atomic():
        source = source_row(db, source_id)
        if bool(source["removed"]) == removed:
            state = "removed" if removed else "in force"
            raise MetasiftError(f"source #{source_id} ({source['database']}) is already {state}")
        _event(db, source_id, reviewer, "remove" if removed else "restore")


def source_history(db: Database) -> list[dict[str, Any]]:
    """Every change made to a source, oldest first."""
    return list(db.query("SELECT * FROM source_events ORDER BY created_at, id"))


def _event(
    db: Database,
    source_id: int,
    reviewer: str,
    action: str,
    old: str | None = None,
    new: str | None = None,
) -> None:
    insert_row(
        db,
        "source_events",
        {
            "uuid": str(uuid.uuid4()),
            "source_id": source_id,
            "reviewer": reviewer,
            "action": action,
            "old_value": old,
            "new_value": new,
            "created_at": utc_now(),
        },
    )
