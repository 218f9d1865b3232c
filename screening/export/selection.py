"""Which records an export writes, each with its identity: the search (the screen's query
language), the deduplicated set (one record per duplicate cluster, its canonical one) and a
stage's outcome (the clusters whose settled verdict at a stage is, say, include), as the one
rule for outcomes (screening/decisions/stage_outcomes.py) gives it.

A removed source's records (`metasift sources remove`) are written by none of them, as they
are out of screening, dedup and PRISMA: a cluster then keeps one of its records in force,
its canonical one if it can (as db.dedup.duplicates_removed counts it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlite_utils import Database

from db.errors import MetasiftError
from db.query_sql import records_where
from db.records import search_records
from db.sources import RECORD_IN_FORCE, removed_any
from screening.decisions.stage_outcomes import stage_states
from screening.protocol import Protocol
from screening.query import Query


class ExportRecord(NamedTuple):
    row: dict[str, Any]  # the records row with source_database and file_name (search_records)
    cluster_id: int  # the lowest record id of its duplicate cluster (its own id when alone)
    canonical: bool  # the record a deduplicated list keeps for its cluster


class Selection(NamedTuple):
    query: Query | None = None
    deduplicated: bool = False
    stage: str | None = None
    verdict: str | None = None  # with stage: only clusters whose outcome there is settled so


def matching_records(
    db: Database, query: Query | None, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """The records from sources in force a search matches (all when there is none), in
    import order."""
    where = records_where(db, query.node) if query and query.node else None
    if removed_any(db):
        where = (
            (f"({where[0]}) AND {RECORD_IN_FORCE}", where[1]) if where else (RECORD_IN_FORCE, [])
        )
    return search_records(db, where, limit)


def selected_records(
    db: Database, protocol: Protocol, selection: Selection
) -> Iterator[ExportRecord]:
    """The records the selection keeps, in import order."""
    clusters, kept = _clusters(db)
    wanted = _clusters_with_outcome(db, protocol, selection)
    for row in matching_records(db, selection.query):
        cluster_id = clusters[row["id"]]
        canonical = kept[cluster_id] == row["id"]
        if selection.deduplicated and not canonical:
            continue
        if wanted is None or cluster_id in wanted:
            yield ExportRecord(row, cluster_id, canonical)


def _clusters(db: Database) -> tuple[dict[int, int], dict[int, int]]:
    """Each record in force's cluster, and each cluster's record a deduplicated list keeps:
    its canonical one, or while that one's source is removed, its first record in force."""
    clusters: dict[int, int] = {}
    kept: dict[int, int] = {}
    in_force = f"JOIN records r ON r.id = c.record_id WHERE {RECORD_IN_FORCE}"
    for record_id, cluster_id, canonical_id in db.execute(
        "SELECT c.record_id, c.cluster_id, c.canonical_id FROM record_clusters c "
        f"{in_force if removed_any(db) else ''} ORDER BY c.record_id"
    ):
        clusters[record_id] = cluster_id
        if record_id == canonical_id:
            kept[cluster_id] = record_id
        else:
            kept.setdefault(cluster_id, record_id)
    return clusters, kept


def _clusters_with_outcome(
    db: Database, protocol: Protocol, selection: Selection
) -> set[int] | None:
    if selection.stage is None:
        return None
    if selection.stage not in protocol.stages:
        stages = ", ".join(protocol.stages)
        raise MetasiftError(f"review.toml has no {selection.stage} stage (it has: {stages})")
    states = stage_states(db, protocol, selection.stage)
    return {
        cluster_id
        for cluster_id, state in states.items()
        if state.outcome.settled and state.outcome.verdict == selection.verdict
    }
