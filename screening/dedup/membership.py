"""From stored pair verdicts and people's decisions to clusters, canonical records and the queue.

Cheap enough to redo after every decision a person makes: it is union-find over the stored
links, with no string comparison.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from db.dedup import DIFFERENT, SAME, MemberRow, PairRow
from screening.dedup.canonical import Candidate, DedupSettings, choose_canonical
from screening.dedup.scoring import DOUBTFUL, DUPLICATE
from screening.dedup.union_find import Clusters, Identity, Link, cluster

IDENTIFIER_RULES = frozenset({"pmid", "doi"})
GUARD_RULE = "transitivity"


@dataclass
class RecordTable:
    """The records of a run by index (import order): ids, and what clustering asks of the
    few that links touch."""

    record_ids: list[int]
    identity: Callable[[int], Identity]  # fresh Identity of the record at an index
    candidates: Callable[[list[int]], dict[int, Candidate]]  # by index: for canonical choice


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A doubtful pair for a person: one per pair of clusters, the strongest pair shown."""

    record_a: int
    record_b: int
    rule: str
    score: float | None


@dataclass
class Clustering:
    members: list[MemberRow]
    cluster_of: dict[int, int]  # record id -> cluster id
    refused: list[tuple[int, int]]  # duplicate pairs the guard refused: now doubtful
    cannot: set[tuple[int, int]]  # cluster pairs a person said are different

    def queue(self, pairs: Iterable[PairRow], decided: set[tuple[int, int]]) -> list[QueueItem]:
        """Doubtful pairs nobody has decided, across clusters not yet separated."""
        best: dict[tuple[int, int], QueueItem] = {}
        for a, b, outcome, rule, score in pairs:
            if outcome != DOUBTFUL or (a, b) in decided:
                continue
            ca, cb = self.cluster_of.get(a, a), self.cluster_of.get(b, b)
            key = (min(ca, cb), max(ca, cb))
            if ca == cb or key in self.cannot:
                continue
            item = QueueItem(a, b, rule, score)
            held = best.get(key)
            if held is None or (score or 0) > (held.score or 0):
                best[key] = item
        ordered = sorted(best.items(), key=lambda kv: (kv[0][0], -(kv[1].score or 0), kv[0][1]))
        return [item for _, item in ordered]


def build_clusters(
    records: RecordTable,
    pairs: Iterable[PairRow],
    decisions: Iterable[dict[str, Any]],
    settings: DedupSettings,
) -> Clustering:
    """Clusters from machine duplicates and people's same/different decisions."""
    ids = records.record_ids
    index = {record_id: i for i, record_id in enumerate(ids)}
    human: dict[tuple[int, int], dict[str, Any]] = {}
    for d in decisions:
        if d["record_a"] in index and d["record_b"] in index:
            human[(d["record_a"], d["record_b"])] = d
    links = [_human_link(index, d) for d in human.values() if d["verdict"] == SAME]
    cannot = [(index[a], index[b]) for (a, b), d in human.items() if d["verdict"] == DIFFERENT]
    for a, b, outcome, rule, score in pairs:
        if outcome == DUPLICATE and (a, b) not in human and a in index and b in index:
            strength = (2.0 if rule in IDENTIFIER_RULES else 1.0) + (score or 0.0)
            links.append(Link(index[a], index[b], strength, rule=rule, score=score))
    clusters, refused = cluster(len(ids), records.identity, links, cannot)
    rows, cluster_of = _member_rows(records, clusters.components(), links, clusters, settings)
    separated = set()
    for a, b in cannot:
        ca, cb = cluster_of.get(ids[a], ids[a]), cluster_of.get(ids[b], ids[b])
        separated.add((min(ca, cb), max(ca, cb)))
    return Clustering(
        members=rows,
        cluster_of=cluster_of,
        refused=[(ids[x.a], ids[x.b]) for x in refused if not x.human],
        cannot=separated,
    )


def _human_link(index: dict[int, int], d: dict[str, Any]) -> Link:
    return Link(index[d["record_a"]], index[d["record_b"]], math.inf, True, reviewer=d["reviewer"])


def _member_rows(
    records: RecordTable,
    components: list[list[int]],
    links: list[Link],
    clusters: Clusters,
    settings: DedupSettings,
) -> tuple[list[MemberRow], dict[int, int]]:
    """dedup_members rows for the clusters of two or more records, and record -> cluster."""
    # the strongest accepted link touching each record says how it joined its cluster
    how: dict[int, Link] = {}
    for link in links:
        if clusters.find(link.a) != clusters.find(link.b):
            continue
        for end in (link.a, link.b):
            held = how.get(end)
            if held is None or link.strength > held.strength:
                how[end] = link
    rows: list[MemberRow] = []
    cluster_of: dict[int, int] = {}
    candidates = records.candidates([i for component in components for i in component])
    for component in components:
        ids = [records.record_ids[i] for i in component]
        canonical = choose_canonical([candidates[i] for i in component], settings)
        cluster_id = min(ids)
        for i, record_id in zip(component, ids, strict=True):
            cluster_of[record_id] = cluster_id
            if record_id == canonical:
                rows.append(
                    MemberRow(record_id, cluster_id, canonical, "canonical", None, None, None)
                )
            else:
                rows.append(MemberRow(record_id, cluster_id, canonical, *_describe(how[i])))
    return rows, cluster_of


def _describe(link: Link) -> tuple[str, str | None, float | None, str | None]:
    if link.human:
        return ("reviewer", None, None, link.reviewer)
    kind = "rule" if link.rule in IDENTIFIER_RULES else "score"
    return (kind, link.rule, link.score, None)
