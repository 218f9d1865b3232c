"""Clusters after the fact: taking records out of one (split), and all of them as a sheet.

A split is a person's "different" between each record taken out and each record left, so
every later run honours it. Screening decisions are never rewritten: the ones that reached
these records through the old cluster are flagged for a second look.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.dedup import DIFFERENT, add_pair_decisions, cluster_of, cluster_rows, decisions_on
from db.errors import MetasiftError
from extraction.sheets import safe_cell
from screening.dedup.canonical import DedupSettings
from screening.dedup.engine import prepare, recluster

EXPORT_COLUMNS = (
    "record_id", "source", "file", "source_record_id", "cluster_id", "canonical",
    "decided_by", "rule", "score", "reviewer", "title",
)  # fmt: skip


@dataclass
class SplitSummary:
    clusters: int  # clusters split
    separated: int  # "different" verdicts recorded
    flagged: int  # screening decisions flagged, per record


def split_records(
    db: Database,
    record_ids: Iterable[int],
    reviewer: str,
    settings: DedupSettings | None = None,
) -> SplitSummary:
    """Take the records out of their clusters (together, if they shared one)."""
    leaving = set(record_ids)
    clusters = {}
    for record_id in sorted(leaving):
        cluster = cluster_of(db, record_id)
        if len(cluster.members) < 2:
            raise MetasiftError(f"record #{record_id} is not in a cluster with other records")
        clusters[cluster.cluster_id] = cluster
    when = utc_now()
    events, flags = [], []
    for cluster in clusters.values():
        staying = [m for m in cluster.members if m not in leaving]
        if not staying:
            raise MetasiftError(
                f"cluster #{cluster.cluster_id}: name the records to take out, not all of them"
            )
        for out in (m for m in cluster.members if m in leaving):
            for stay in staying:
                events.append(_different(min(out, stay), max(out, stay), reviewer, when))
        flags.extend(_flags(db, cluster.members, cluster.cluster_id, sorted(leaving), when))
    add_pair_decisions(db, events)
    with db.atomic():
        db.table("dedup_flags").insert_all(flags)
    recluster(db, prepare(db), settings or DedupSettings())
    return SplitSummary(len(clusters), len(events), len(flags))


def _different(a: int, b: int, reviewer: str, when: str) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "record_a": a,
        "record_b": b,
        "verdict": DIFFERENT,
        "reason": "split",
        "reviewer": reviewer,
        "undoes": None,
        "created_at": when,
    }


def _flags(
    db: Database, members: tuple[int, ...], cluster_id: int, leaving: list[int], when: str
) -> list[dict[str, Any]]:
    """One flag per record of the old cluster and per screening decision the cluster had."""
    decisions = decisions_on(db, members)
    detail = f"cluster #{cluster_id} split: " + ", ".join(f"#{r}" for r in leaving) + " taken out"
    return [
        {
            "record_id": member,
            "decision_uuid": d["uuid"],
            "reason": "split",
            "detail": f"{detail}; {d['reviewer']} decided {d['verdict']} at {d['stage']} "
            f"on #{d['record_id']}",
            "created_at": when,
            "resolved_at": None,
        }
        for d in decisions
        for member in members
    ]


def export_rows(db: Database) -> Iterator[tuple[Any, ...]]:
    """Every record with its cluster and how it joined, spreadsheet-safe, in import order."""
    rows = cluster_rows(db)
    for row in rows:
        *head, canonical, how, rule, score, reviewer, title = row
        decided = "" if how in (None, "canonical") else how
        yield tuple(
            safe_cell(v)
            for v in (
                *head,
                "yes" if canonical else "no",
                decided,
                rule or "",
                "" if score is None else round(score, 3),
                reviewer or "",
                title or "",
            )
        )
