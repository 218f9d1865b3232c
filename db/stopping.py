"""Stopping events (migration 17): written through db/event_log.py, read in force here, so
screening (the stop itself, status) and extraction (PRISMA's automation count) share them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from db.event_log import append_events

COLUMNS = ("uuid", "stage", "reviewer", "reason", "rule", "figures", "undoes", "created_at")


def record_stopping_events(db: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Append stop (or undo) events in one transaction, committed when this returns."""
    return append_events(db, "stopping_events", COLUMNS, rows, "the stop")


def stop_in_force(db: Database, stage: str) -> dict[str, Any] | None:
    """The stage's latest stop not undone, or None: screening there goes on."""
    row = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM stops_in_force WHERE stage = ? "
        "ORDER BY created_at DESC, uuid DESC LIMIT 1",
        [stage],
    ).fetchone()
    return dict(zip(COLUMNS, row, strict=True)) if row else None
