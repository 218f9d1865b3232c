"""Screening progress per stage, counted in duplicate clusters (one per paper), never in events.

Read from stage_outcomes.stage_states, the one rule for the decisions in force and a cluster's
outcome, so status says what the screen, conflicts and agreement say. A record that ana
includes and ben excludes is one cluster in conflict, not one include and one exclude.

Per reviewer: the clusters of the stage they have decided. A reviewer taken out of
review.toml keeps their decisions: they still count here (marked as no longer listed), and
in agreement, but they can make no new ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlite_utils import Database

from db.cluster_outcomes import outcome_tallies, reviewer_tallies
from screening.decisions.kept_outcomes import read_kept
from screening.decisions.outcome import (
    CONFLICT,
    EXCLUDE,
    INCLUDE,
    MAYBE,
    NOT_RETRIEVED,
    PENDING,
    RESOLVED,
    UNDECIDED,
    Outcome,
)
from screening.decisions.stage_outcomes import ClusterState, stage_states
from screening.protocol import Protocol


@dataclass(frozen=True)
class ReviewerProgress:
    reviewer: str
    decided: int  # clusters of the stage with this reviewer's decision in force
    of: int  # clusters the stage holds
    listed: bool  # still in review.toml (always true while it lists nobody)


@dataclass(frozen=True)
class StageProgress:
    stage: str
    records: int  # clusters the stage holds: one per paper once deduplicated
    undecided: int  # nobody has decided
    decided_by_one: int  # exactly one reviewer's decision in force
    decided_by_two_or_more: int
    awaiting: int  # a required decision is missing and nobody disagrees yet
    complete: int  # every decision the protocol requires is in
    conflict: int  # reviewers disagree and no standing resolution settles it
    resolved: int  # an adjudicator's resolution stands
    included: int  # settled (agreed or resolved) as include
    excluded: int
    maybe: int  # settled as maybe: goes on to full text
    not_retrieved: int  # full text: the report could not be found
    reviewers: tuple[ReviewerProgress, ...]

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "reviewers": [asdict(r) for r in self.reviewers]}


def states_by_stage(
    db: Database, protocol: Protocol, stages: Sequence[str] = ()
) -> dict[str, dict[int, ClusterState]]:
    """The cluster states of each stage asked for (default: all), in protocol order; full
    text reuses title-abstract's states when they were asked for too, instead of reading them
    again."""
    states: dict[str, dict[int, ClusterState]] = {}
    for stage in protocol.stages:
        if stage in (stages or protocol.stages):
            states[stage] = stage_states(db, protocol, stage, states.get("title-abstract"))
    return states


Tally = tuple[str, str | None, int, bool]  # state, verdict, votes (2: two or more), complete


def _tally(state: str, verdict: str | None, votes: int, required: int) -> Tally:
    return state, verdict, min(votes, 2), votes >= required


def review_progress(db: Database, protocol: Protocol) -> list[StageProgress]:
    """Every stage's counts, in protocol order: from the kept outcomes (kept_outcomes.py),
    else derived here when they cannot be brought up to date."""
    kept = read_kept(
        db, protocol, lambda db: [_kept_progress(db, protocol, s) for s in protocol.stages]
    )
    if kept is not None:
        return kept
    return [
        stage_progress(states, protocol, s) for s, states in states_by_stage(db, protocol).items()
    ]


def _kept_progress(db: Database, protocol: Protocol, stage: str) -> StageProgress:
    tallies: Counter[Tally] = Counter()
    for state, verdict, votes, required, n in outcome_tallies(db, stage):
        tallies[_tally(state, verdict, votes, required)] += n
    return _progress(stage, tallies, Counter(reviewer_tallies(db, stage)), protocol)


def stage_progress(
    states: dict[int, ClusterState], protocol: Protocol, stage: str
) -> StageProgress:
    """The counts of one stage, from its cluster states (one pass: 100,000 of them at most)."""
    tallies = Counter(
        _tally(s.outcome.state, s.outcome.verdict, len(s.votes), s.required)
        for s in states.values()
    )
    decided = Counter(v.reviewer for s in states.values() for v in s.votes)
    return _progress(stage, tallies, decided, protocol)


def _progress(
    stage: str, tallies: Counter[Tally], decided: Counter[str], protocol: Protocol
) -> StageProgress:
    """The counts of one stage from its clusters tallied by outcome and votes, and the
    clusters each reviewer decided."""
    by_state: Counter[str] = Counter()
    by_votes: Counter[int] = Counter()
    settled: Counter[str | None] = Counter()
    complete = 0
    for (state, verdict, votes, done), n in tallies.items():
        by_state[state] += n
        by_votes[votes] += n
        complete += n if done else 0
        if Outcome(state).settled:
            settled[verdict] += n
    return StageProgress(
        stage=stage,
        records=tallies.total(),
        undecided=by_state[UNDECIDED],
        decided_by_one=by_votes[1],
        decided_by_two_or_more=by_votes[2],
        awaiting=by_state[PENDING],
        complete=complete,
        conflict=by_state[CONFLICT],
        resolved=by_state[RESOLVED],
        included=settled[INCLUDE],
        excluded=settled[EXCLUDE],
        maybe=settled[MAYBE],
        not_retrieved=settled[NOT_RETRIEVED],
        reviewers=_reviewers(decided, tallies.total(), protocol),
    )


def _reviewers(decided: Counter[str], of: int, protocol: Protocol) -> tuple[ReviewerProgress, ...]:
    """review.toml's reviewers, then anyone else who decided (a former reviewer), by name."""
    names = [*protocol.reviewers, *sorted(set(decided) - set(protocol.reviewers))]
    return tuple(
        ReviewerProgress(name, decided[name], of, _listed(protocol, name)) for name in names
    )


def _listed(protocol: Protocol, name: str) -> bool:
    return not protocol.people or name in protocol.people
