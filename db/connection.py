"""Opening a review file: WAL, foreign keys, a busy timeout, and the schema brought up to date."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from db.errors import MetasiftError
from db.migrations import migrate, refuse_newer_schema, schema_version
from db.storage import storage_error

# How long a write waits for another connection's: the longest metasift makes is the final copy of
# a 100,000-record import (about 5 s on a 2-core machine), so a decision made meanwhile waits
# and lands rather than failing.
BUSY_TIMEOUT_MS = 15_000
PAGE_SIZE = 16384
# PRAGMA application_id of a reviewer's copy (`metasift copy`): it keeps its rollback journal,
# so its review.db alone is the whole copy, with nothing waiting in a -wal file beside it.
REVIEWER_COPY_ID = 0x6D736370  # "mscp"


class ReviewDatabase(Database):
    """A review file where every write transaction takes the write lock when it begins.

    SQLite's default BEGIN is deferred: a transaction that reads and then writes asks for the
    write lock half-way, and when another connection holds it SQLite answers "database is
    locked" at once instead of waiting out the busy timeout (two imports at once failed 5
    times in 25 that way). BEGIN IMMEDIATE waits its turn, so a second writer waits instead.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        # the implicit transactions sqlite3 opens before INSERT/UPDATE/DELETE, likewise
        self.conn.isolation_level = "IMMEDIATE"

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction (a savepoint when nested), holding the write lock from its start."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()


def open_review(path: Path | str, *, create: bool = False) -> Database:
    """Open (or with create=True, create) a review file and migrate it to the current schema."""
    path = Path(path)
    if not create and not path.exists():
        raise MetasiftError(
            f"{path}: no review here; run `metasift init` first or pass --review PATH"
        )
    try:
        db = ReviewDatabase(path)
        try:
            refuse_newer_schema(db, path)  # before WAL mode, which would write to the file
            if not create and schema_version(db) == 0:  # migrating would make it one
                what = "it is empty" if path.stat().st_size == 0 else "it holds no review"
                raise MetasiftError(f"{path}: not a metasift review file ({what})")
        except MetasiftError:
            db.close()
            raise
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # A new file only (it takes effect before the first table): records carry their raw
        # export, ~14 kB for a PubMed record, which fits one 16 kB page instead of four overflow
        # pages: a 10,000-record PubMed import took 3.9 s against 5.0 s with 4 kB pages.
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if db.execute("PRAGMA application_id").fetchone()[0] != REVIEWER_COPY_ID:
            db.enable_wal()
        migrate(db)
    except sqlite3.DatabaseError as e:
        problem = storage_error(e, path)
        raise problem or MetasiftError(f"{path}: not a metasift review file ({e})") from e
    return db
