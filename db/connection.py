"""Opening a review file: WAL, foreign keys, a busy timeout, and the schema brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from db.errors import MetasiftError
from db.migrations import migrate, refuse_newer_schema

# How long a write waits for another connection's: the longest metasift makes is the final copy of
# a 100,000-record import (about 5 s on a 2-core machine), so a decision made meanwhile waits
# and lands rather than failing.
BUSY_TIMEOUT_MS = 15_000
PAGE_SIZE = 16384


def open_review(path: Path | str, *, create: bool = False) -> Database:
    """Open (or with create=True, create) a review file and migrate it to the current schema."""
    path = Path(path)
    if not create and not path.exists():
        raise MetasiftError(
            f"{path}: no review here; run `metasift init` first or pass --review PATH"
        )
    try:
        db = Database(path)
        try:
            refuse_newer_schema(db, path)  # before WAL mode, which would write to the file
        except MetasiftError:
            db.close()
            raise
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # A new file only (it takes effect before the first table): records carry their raw
        # export, ~14 kB for a PubMed record, which fits one 16 kB page instead of four overflow
        # pages: a 10,000-record PubMed import took 3.9 s against 5.0 s with 4 kB pages.
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.enable_wal()
        migrate(db)
    except sqlite3.DatabaseError as e:
        raise MetasiftError(f"{path}: not a metasift review file ({e})") from e
    return db
