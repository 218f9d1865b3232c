"""Every duplicate cluster of a stage with its votes, its resolution and its outcome.

What status, conflicts, agreement, exports and the screens read: the decisions in force come
from the current_decisions view (per cluster, stage and reviewer, ordered by time and UUID:
see db/migrations/m008_decisions_in_force.py), resolutions from current_resolutions, and
outcome.py turns them into pending, conflict, agreed or resolved.

Which clusters a stage holds: title-abstract, every cluster (one per paper once deduplication
has run); full-text, the clusters whose title-abstract outcome is settled as include or maybe
(a maybe needs its full text to decide). A protocol without a title-abstract stage sends every
cluster to full text.

Status and agreement read these states as kept_outcomes.py writes them down, derived here for
the clusters a write touched (only=), so they never derive 100,000 clusters on a read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlite_utils import Database

from db.cluster_outcomes import resolutions_in_force, votes_in_force
from db.sources import clusters_in_force
from screening.decisions.outcome import (
    INCLUDE,
    MAYBE,
    Outcome,
    Resolution,
    Rules,
    Vote,
    needs_two,
    outcome,
)
from screening.protocol import Protocol

TO_FULL_TEXT = (INCLUDE, MAYBE)
TA = "title-abstract"


class ClusterState(NamedTuple):
    cluster_id: int  # the lowest record id of the cluster
    record_id: int  # the canonical record, the one screens show
    required: int  # independent decisions the protocol asks of this cluster
    votes: tuple[Vote, ...]
    resolution: Resolution | None
    outcome: Outcome

    def voted(self, reviewer: str) -> bool:
        return any(v.reviewer == reviewer for v in self.votes)

    @property
    def blinded(self) -> bool:
        """Whether reviewers may not yet see each other's verdicts: a required decision is
        still missing (a conflict, resolved or not, is open to everyone)."""
        return len(self.votes) < self.required and not self.outcome.settled


@dataclass(frozen=True)
class OutcomeInputs:
    """All of the protocol a cluster's outcome depends on: stage_states reads nothing else of
    it, so the kept outcomes (kept_outcomes.py) are rebuilt exactly when one of these
    changes."""

    stages: tuple[str, ...]
    dual_share: tuple[tuple[str, float], ...]  # per stage, as Protocol.dual_share
    maybe_is_include: bool
    reasons_must_agree: bool

    @classmethod
    def of(cls, protocol: Protocol | OutcomeInputs) -> OutcomeInputs:
        if isinstance(protocol, OutcomeInputs):
            return protocol
        return cls(
            protocol.stages,
            tuple(sorted(protocol.dual_share.items())),
            protocol.maybe_is_include,
            protocol.reasons_must_agree,
        )


def rules(protocol: Protocol | OutcomeInputs, stage: str, required: int = 1) -> Rules:
    return Rules(
        required=required,
        maybe_is_include=protocol.maybe_is_include,
        reasons_must_agree=protocol.reasons_must_agree and stage == "full-text",
    )


def stage_states(
    db: Database,
    protocol: Protocol | OutcomeInputs,
    stage: str,
    earlier: dict[int, ClusterState] | None = None,
    only: Sequence[int] | None = None,
) -> dict[int, ClusterState]:
    """cluster id -> its state at this stage, for every cluster the stage holds (only: of
    these clusters), in import order. earlier: the title-abstract states, if the caller has
    them (full text needs them)."""
    inputs = OutcomeInputs.of(protocol)
    share = dict(inputs.dual_share).get(stage, 0.0)
    sampled = 0 < share < 1
    if stage == "full-text" and "title-abstract" in inputs.stages:
        earlier = earlier if earlier is not None else stage_states(db, inputs, TA, only=only)
        sent = [s for s in earlier.values() if _sent_on(s)]
        if sampled:  # the sample needs the clusters' record UUIDs: read them again
            wanted = {s.cluster_id for s in sent}
            clusters = [c for c in _clusters(db, sampled, only) if c[0] in wanted]
        else:
            clusters = [(s.cluster_id, s.record_id, "") for s in sent]
        only = [c[0] for c in clusters] if only is not None else None
    else:
        clusters = _clusters(db, sampled, only)
    votes = _votes(db, stage, only)
    resolutions = _resolutions(db, stage, only)
    seed, none = _seed(db), ()
    states, read = {}, {n: rules(inputs, stage, n) for n in (1, 2)}
    fixed = 0 if sampled else (2 if share >= 1 else 1)  # no sample: one answer for all
    for cluster_id, canonical, uuid in clusters:
        required = fixed or (2 if needs_two(seed, uuid, share) else 1)
        held = tuple(votes.get(cluster_id, none))
        settled = resolutions.get(cluster_id)
        verdict = outcome(held, read[required], settled)
        states[cluster_id] = ClusterState(cluster_id, canonical, required, held, settled, verdict)
    return states


def _sent_on(state: ClusterState | None) -> bool:
    return state is not None and state.outcome.settled and state.outcome.verdict in TO_FULL_TEXT


def _clusters(
    db: Database, sampled: bool, only: Sequence[int] | None
) -> list[tuple[int, int, str]]:
    """(cluster id, canonical record id, UUID of the record that names the cluster) of the
    clusters with a record from a source in force (a removed source's records leave
    screening here, for every view), only of those given if any; the UUID only where a
    sample is drawn from it (reading it costs a third of the time)."""
    uuid = "r.uuid" if sampled else "''"
    # a cluster's id is the id of the record that names it
    narrow = "AND r.id IN (SELECT value FROM json_each(?))" if only is not None else ""
    return db.execute(
        f"SELECT coalesce(m.cluster_id, r.id), coalesce(m.canonical_id, r.id), {uuid} "
        "FROM records r "
        "LEFT JOIN dedup_members m ON m.record_id = r.id "
        f"WHERE (m.record_id IS NULL OR m.record_id = m.cluster_id) {narrow} "
        f"AND {clusters_in_force(db, 'coalesce(m.cluster_id, r.id)')} ORDER BY r.id",
        [json.dumps(list(only))] if only is not None else [],
    ).fetchall()


def _votes(db: Database, stage: str, only: Sequence[int] | None) -> dict[int, list[Vote]]:
    votes: dict[int, list[Vote]] = defaultdict(list)
    for cluster_id, uuid, reviewer, verdict, reason in votes_in_force(db, stage, only):
        votes[cluster_id].append(Vote(uuid, reviewer, verdict, reason))
    return votes


def _resolutions(db: Database, stage: str, only: Sequence[int] | None) -> dict[int, Resolution]:
    return {
        cluster_id: Resolution(uuid, who, verdict, reason, frozenset(json.loads(resolves or "[]")))
        for cluster_id, uuid, who, verdict, reason, resolves in resolutions_in_force(
            db, stage, only
        )
    }


def _seed(db: Database) -> str:
    row = db.execute("SELECT sample_seed FROM review WHERE id = 1").fetchone()
    return str(row[0]) if row and row[0] else ""


def conflicts(states: dict[int, ClusterState]) -> Iterator[ClusterState]:
    """Clusters whose reviewers disagree and that no standing resolution settles."""
    return (s for s in states.values() if s.outcome.state == "conflict")
