"""Risk-of-bias answers: append-only events, written in one transaction, read in force.

The rule for the entry in force is migration 14's view (current_rob_answers); this module
only writes events and reads that view (through db/event_log.py).
"""

from __future__ import annotations

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
    "uuid", "study_uuid", "instrument", "result", "reviewer", "role", "item", "domain",
    "question", "answer", "support", "quote", "page", "settles", "undoes", "created_at",
)  # fmt: skip


def record_answers(db: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Append answer events in one transaction, committed when this returns; how many."""
    return append_events(db, "rob_answers", COLUMNS, rows, "answers")


def answers_in_force(
    db: Database,
    *,
    instrument: str | None = None,
    study_uuid: str | None = None,
    reviewer: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Each reviewer's (and each consensus') entry in force, oldest first."""
    wanted = {"instrument": instrument, "study_uuid": study_uuid, "reviewer": reviewer}
    order = "study_uuid, created_at, uuid"
    return events_in_force(db, "current_rob_answers", COLUMNS, wanted, order)


def answer_event(db: Database, uuid: str) -> dict[str, Any] | None:
    return event_by_uuid(db, "rob_answers", COLUMNS, uuid)


def answers_entered_under_another_study(db: Database, study_uuid: str) -> int:
    """Answers in force given while their report was another study (event_log's rule)."""
    return entered_under_another_study(db, "current_rob_answers", study_uuid)
