"""Flags on study links and full texts whose report a dedup merge, split or new canonical
record touched.

A report's events point at one member record and its cluster is derived when read, so when
deduplication changes the cluster they stay attached to that record and nothing is orphaned;
but the report they meant is no longer quite the one they sit on, so each event in force on a
cluster that changed is flagged for a second look, as db/merge_flags.py does for decisions.
dedup_flags.event names the event's table; linking or attaching on the report again marks
its flags as looked at (db/studies.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.studies import FULL_TEXTS, STUDY_LINKS, Event, full_texts_in_force, links_in_force

Members = Mapping[int, tuple[Any, ...]]  # record id -> dedup_members row (record, cluster, canon)


def report_flags(db: Database, before: Members, after: Members) -> list[dict[str, Any]]:
    """Flag rows for the study links and full texts in force on clusters that change from
    `before` to `after`, read before `after` is written (the views still see `before`)."""
    if not _any_events(db):
        return []
    old, new = _Clusters(before), _Clusters(after)
    touched = {r for r in before.keys() | after.keys() if old.of(r) != new.of(r)}
    if not touched:
        return []
    affected = {m for r in touched for m in (*old.members(r), *new.members(r))}
    when, flags = utc_now(), []
    events = [(STUDY_LINKS, e) for e in links_in_force(db).values()]
    events += [(FULL_TEXTS, e) for held in full_texts_in_force(db).values() for e in held]
    for table, event in events:
        if event.record_id in affected:
            change = _change(old, new, event.record_id)
            if change:
                flags.append(_flag(table, event, *change, when))
    return flags


def _any_events(db: Database) -> bool:
    found = db.execute(
        f"SELECT EXISTS (SELECT 1 FROM {STUDY_LINKS}) OR EXISTS (SELECT 1 FROM {FULL_TEXTS})"
    )
    return bool(found.fetchone()[0])


class _Clusters:
    """Clusters as a dedup_members snapshot holds them (a record not in it is alone)."""

    def __init__(self, rows: Members) -> None:
        self.rows = rows
        self.groups: dict[int, list[int]] = defaultdict(list)
        for record_id, row in sorted(rows.items()):
            self.groups[int(row[1])].append(record_id)

    def of(self, record_id: int) -> tuple[int, int]:
        """(cluster id, canonical record id)."""
        row = self.rows.get(record_id)
        return (record_id, record_id) if row is None else (int(row[1]), int(row[2]))

    def members(self, record_id: int) -> list[int]:
        return self.groups.get(self.of(record_id)[0], [record_id])


def _change(old: _Clusters, new: _Clusters, record_id: int) -> tuple[str, str] | None:
    """(reason, what happened to the record's cluster), or None if it is unchanged."""
    was, now = set(old.members(record_id)), set(new.members(record_id))
    canon, canon_now = old.of(record_id)[1], new.of(record_id)[1]
    joined, left = _names(now - was), _names(was - now)
    if joined and left:
        return "regroup", f"regrouped ({joined} joined, {left} left)"
    if joined:
        return "merge", f"merged with {joined}"
    if left:
        return "split", f"split from {left}"
    if canon != canon_now:
        return "canonical", f"has a new canonical record, #{canon_now}"
    return None


def _names(record_ids: set[int]) -> str:
    return ", ".join(f"#{r}" for r in sorted(record_ids))


def _flag(table: str, event: Event, reason: str, change: str, when: str) -> dict[str, Any]:
    who = f" by {event.reviewer}" if event.reviewer else ""
    if table == STUDY_LINKS:
        study = event.target[:8] if event.target else "its own study"
        what = f"the study link{who} ({study})"
    else:
        what = f"the full text {event.target}{' attached' + who if who else ''}"
    return {
        "record_id": event.record_id,
        "decision_uuid": event.uuid,
        "event": table,
        "reason": reason,
        "detail": f"the cluster of #{event.record_id} {change}: {what} stays on it; look again",
        "created_at": when,
        "resolved_at": None,
    }
