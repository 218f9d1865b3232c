"""Flags on screening decisions that a duplicate merge set against each other.

When deduplication joins clusters whose records already carry decisions, the joined cluster
has one decision in force per reviewer and stage (the latest), and the others stop counting.
Where those decisions disagreed (include on one copy, exclude on the other), the reviewer
should look again: each of them is flagged, as a split flags the decisions it moves. Nothing
is rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now


def merged_groups(before: Mapping[int, int], after: Mapping[int, int]) -> list[set[int]]:
    """Old clusters that now share a cluster (record -> cluster maps, missing = alone)."""
    joined: dict[int, set[int]] = defaultdict(set)
    for record_id in before.keys() | after.keys():
        joined[after.get(record_id, record_id)].add(before.get(record_id, record_id))
    return [old for old in joined.values() if len(old) > 1]


def merge_flags(db: Database, groups: list[set[int]]) -> list[dict[str, Any]]:
    """Flag rows for the disagreeing decisions in force of each merged group, read before the
    merge is written (current_decisions still sees the old clusters)."""
    if db.execute("SELECT 1 FROM decisions LIMIT 1").fetchone() is None:
        return []
    group_of = {cluster: i for i, group in enumerate(groups) for cluster in group}
    votes: dict[tuple[int, str, str], list[tuple[Any, ...]]] = defaultdict(list)
    rows = db.execute(  # the view once: per group it would be evaluated again each time
        "SELECT uuid, record_id, cluster_id, stage, reviewer, verdict, reason "
        "FROM current_decisions"
    )
    for row in rows:
        if row[2] in group_of:
            votes[(group_of[row[2]], row[3], row[4])].append(row)
    flags: list[dict[str, Any]] = []
    when = utc_now()
    for (group, stage, reviewer), held in votes.items():
        if len({(r[5], r[6]) for r in held}) > 1:
            old = sorted(groups[group])
            flags += [_flag(r, old, stage, reviewer, when) for r in held]
    return flags


def _flag(row: tuple[Any, ...], old: list[int], stage: str, who: str, when: str) -> dict[str, Any]:
    clusters = ", ".join(f"#{c}" for c in old)
    return {
        "record_id": row[1],
        "decision_uuid": row[0],
        "reason": "merge",
        "detail": f"clusters {clusters} merged; {who} had decided them differently at {stage}: "
        f"{row[5]}{' (' + row[6] + ')' if row[6] else ''} on #{row[1]}",
        "created_at": when,
        "resolved_at": None,
    }
