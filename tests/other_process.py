"""A review file as another process sees it: what is committed, and its write lock held (the
way an import's last step holds it), for the tests of what a busy file does to a write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.connection import BUSY_TIMEOUT_MS


def committed_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """The rows sql reads through a connection of its own: only what was committed."""
    with sqlite3.connect(path) as other:
        return other.execute(sql).fetchall()


@contextmanager
def write_lock_held(db: Database, path: Path) -> Iterator[None]:
    """While inside, another connection holds path's write lock, and db gives up after 50 ms
    instead of waiting the usual 15 s."""
    db.execute("PRAGMA busy_timeout = 50")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
