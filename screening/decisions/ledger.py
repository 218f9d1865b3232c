"""One reviewer's decision events at one stage, folded into the decisions in force now.

The same rule as the current_decisions view: an event is in force for its record if it is the
latest one that is not an undo and has not been undone. Undo always cancels the newest event in
force (or every event of its bulk action), so a reviewer can step back through their work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

VERDICTS = ("include", "exclude", "maybe", "not-retrieved")
UNDO = "undo"


@dataclass(frozen=True, slots=True)
class Decision:
    uuid: str
    record_id: int
    verdict: str  # include, exclude, maybe, not-retrieved, undo
    reason: str | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str = ""
    batch: str | None = None  # shared by the events of one bulk action
    undoes: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        return cls(
            uuid=row["uuid"],
            record_id=row["record_id"],
            verdict=row["verdict"],
            reason=row.get("reason"),
            note=row.get("note"),
            tags=tuple(json.loads(row["tags"])) if row.get("tags") else (),
            created_at=row.get("created_at") or "",
            batch=row.get("batch"),
            undoes=row.get("undoes"),
        )

    def row(self, reviewer: str, stage: str) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "record_id": self.record_id,
            "reviewer": reviewer,
            "stage": stage,
            "verdict": self.verdict,
            "reason": self.reason,
            "note": self.note,
            "tags": json.dumps(list(self.tags), ensure_ascii=False) if self.tags else None,
            "undoes": self.undoes,
            "batch": self.batch,
            "created_at": self.created_at,
        }


class Ledger:
    """The events in force, per record and in the order they were written."""

    def __init__(
        self, events: Iterable[Decision] = (), cluster: Callable[[int], int] | None = None
    ) -> None:
        # cluster(record id) -> the record a decision counts for (the canonical duplicate)
        self.cluster = cluster or (lambda rid: rid)
        self._by_record: dict[int, list[Decision]] = {}
        self._in_force: dict[str, Decision] = {}  # uuid -> event, oldest first: the undo stack
        self._undone: set[str] = set()
        self.changed: list[int] = []  # records whose decision in force changed, in turn
        for event in events:
            self.apply(event)

    def apply(self, event: Decision) -> tuple[int, Decision | None, Decision | None] | None:
        """Add one event. Returns (record, decision before, decision after) when it changed
        which decision is in force for a record (its cluster's canonical record), else None."""
        if event.verdict == UNDO:
            target = self._in_force.pop(event.undoes or "", None)
            self._undone.add(event.undoes or "")
            if target is None:
                return None
            key = self.cluster(target.record_id)
            events = self._by_record[key]
            before = events[-1]
            events.remove(target)
            self.changed.append(key)
            return key, before, events[-1] if events else None
        if event.uuid in self._undone:  # an undo read before its target (merged copies)
            return None
        key = self.cluster(event.record_id)
        events = self._by_record.setdefault(key, [])
        previous = events[-1] if events else None
        events.append(event)
        self._in_force[event.uuid] = event
        self.changed.append(key)
        return key, previous, event

    def current(self, record_id: int) -> Decision | None:
        events = self._by_record.get(self.cluster(record_id))
        return events[-1] if events else None

    def last(self) -> Decision | None:
        """The newest event in force: what undo would cancel."""
        return next(reversed(self._in_force.values()), None)

    def to_undo(self) -> list[Decision]:
        """The events the next undo cancels: the newest one, or its whole bulk action."""
        last = self.last()
        if last is None or last.batch is None:
            return [last] if last else []
        batch = []
        for event in reversed(self._in_force.values()):
            if event.batch != last.batch:
                break
            batch.append(event)
        return batch

    def records(self) -> Iterable[int]:
        """Records with a decision in force."""
        return (rid for rid, events in self._by_record.items() if events)


def changed_part(event: Decision, before: Decision | None) -> str:
    """What event changed over the decision before it on its record: "note", "tags" or
    "note and tags" when it kept that decision's verdict and reason (a note or tags added to a
    decided record are an event of their own), else its verdict."""
    if before is None or (before.verdict, before.reason) != (event.verdict, event.reason):
        return event.verdict
    parts = [("note", before.note, event.note), ("tags", before.tags, event.tags)]
    return " and ".join(name for name, old, new in parts if old != new) or event.verdict
