"""Which records an export writes, each with its identity: the search (the screen's query
language), the deduplicated set (one record per duplicate cluster, its canonical one) and a
stage's outcome (the clusters whose settled verdict at a stage is, say, include), as the one
rule for outcomes (screening/decisions/stage_outcomes.py) gives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlite_utils import Database

from db.errors import MetasiftError
from db.query_sql import records_where
from db.records import search_records
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
    """The records a search matches (all when there is none), in import order."""
    where = records_where(db, query.node) if query and query.node else None
    return search_records(db, where, limit)


def selected_records(
    db: Database, protocol: Protocol, selection: Selection
) -> Iterator[ExportRecord]:
    """The records the selection keeps, in import order."""
    clusters = {
        rid: (cid, canonical)
        for rid, cid, canonical in db.execute(
            "SELECT record_id, cluster_id, canonical_id FROM record_clusters"
        )
    }
    wanted = _clusters_with_outcome(db, protocol, selection)
    for row in matching_records(db, selection.query):
        cluster_id, canonical_id = clusters[row["id"]]
        if selection.deduplicated and canonical_id != row["id"]:
            continue
        if wanted is None or cluster_id in wanted:
            yield ExportRecord(row, cluster_id, canonical_id == row["id"])


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
