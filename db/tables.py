"""Typed access to sqlite-utils tables: `db["x"]` is a `Table | View`, these are what we mean."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def insert_row(db: Database, table: str, row: dict[str, Any]) -> int:
    """Insert one row and return its rowid (every metasift table has an integer key)."""
    rowid = db.table(table).insert(row).last_rowid
    if rowid is None:  # sqlite-utils sets it on every insert; None would be a bug upstream
        raise RuntimeError(f"insert into {table} returned no rowid")
    return rowid
