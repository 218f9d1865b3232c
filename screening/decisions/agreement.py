"""Agreement between reviewers, per stage: the figures a review reports beside its screening.

Read from stage_outcomes.stage_states (the one rule for the decisions in force), on the votes
in force: what each reviewer said, whatever an adjudicator later settled. Every duplicate
cluster counts once. Verdicts are read as conflicts read them (outcome.comparable): a maybe is
an include unless the protocol makes it a category of its own; at full text "not retrieved"
is a category too. Exclusion reasons are not categories here (a full-text conflict over the
reason shows in `conflicts`, not in kappa).

Per stage and per pair of reviewers, on the clusters both decided: the counts table, percent
agreement, Cohen's kappa with its 95% CI, PABAK, Gwet's AC1 and Krippendorff's alpha
(agreement_stats names each method). When three or more reviewers decided at a stage, one
more row for the whole team: Fleiss' kappa over the clusters every one of them decided, and
Krippendorff's alpha over every cluster two or more decided (alpha allows gaps, which
prioritised queues leave). Anyone who decided counts, including a reviewer since taken out
of review.toml: a decision made is never lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlite_utils import Database

from db.cluster_outcomes import vote_patterns
from screening.decisions import agreement_stats as stats
from screening.decisions.kept_outcomes import read_kept
from screening.decisions.outcome import EXCLUDE, INCLUDE, MAYBE, NOT_RETRIEVED, Vote, comparable
from screening.decisions.progress import states_by_stage
from screening.decisions.stage_outcomes import ClusterState, rules
from screening.protocol import Protocol

PAIR_METHODS = {
    "agreement": "percent agreement over the records both reviewers decided",
    "kappa": "Cohen's kappa; 95% CI from the large-sample variance of Fleiss, Cohen and "
    "Everitt (1969), Wald interval",
    "pabak": "prevalence- and bias-adjusted kappa (Byrt, Bishop and Carlin 1993)",
    "ac1": "Gwet's AC1 (Gwet 2008)",
    "alpha": "Krippendorff's alpha, nominal",
}
TEAM_METHODS = {
    "kappa": "Fleiss' kappa (Fleiss 1971) over the records every reviewer decided",
    "alpha": "Krippendorff's alpha, nominal, over every record two or more reviewers "
    "decided (gaps allowed)",
}
JSON_KEYS = (
    "stage",
    "reviewers",
    "n",
    "agreement",
    "kappa",
    "kappa_ci_lb",
    "kappa_ci_ub",
    "pabak",
    "ac1",
    "alpha",
    "table",
)


@dataclass(frozen=True)
class Agreement:
    """Agreement at one stage between two reviewers (a pair) or among all (the team)."""

    stage: str
    reviewers: tuple[str, ...]
    categories: tuple[str, ...]
    n: int  # clusters both (pair) or all (team) decided
    # pair: first reviewer's verdict -> second's -> clusters;
    # team: verdict -> how many reviewers gave it -> clusters (what Fleiss' kappa reads)
    table: dict[str, dict[str, int]]
    kappa: float | None
    alpha: float | None
    kappa_ci: tuple[float, float] | None = None
    agreement: float | None = None
    pabak: float | None = None
    ac1: float | None = None
    alpha_units: int = 0  # clusters alpha read: two or more verdicts
    former: tuple[str, ...] = ()  # reviewers no longer in review.toml
    methods: dict[str, str] = field(default_factory=dict)

    @property
    def team(self) -> bool:
        return len(self.reviewers) > 2

    def as_json(self) -> dict[str, Any]:
        """JSON_KEYS in order, then the extras: categories, scope, alpha_n, former_reviewers,
        methods."""
        lb, ub = self.kappa_ci or (None, None)
        return {
            "stage": self.stage,
            "reviewers": list(self.reviewers),
            "n": self.n,
            "agreement": self.agreement,
            "kappa": self.kappa,
            "kappa_ci_lb": lb,
            "kappa_ci_ub": ub,
            "pabak": self.pabak,
            "ac1": self.ac1,
            "alpha": self.alpha,
            "table": self.table,
            "categories": list(self.categories),
            "scope": "team" if self.team else "pair",
            "alpha_n": self.alpha_units,
            "former_reviewers": list(self.former),
            "methods": self.methods,
        }


# each cluster's votes as (reviewer, verdict), in the derivation's order -> how many clusters
Units = Counter[tuple[tuple[str, str], ...]]


def review_agreement(
    db: Database, protocol: Protocol, stages: Sequence[str] = ()
) -> list[Agreement]:
    """Agreement at each of the stages (default: every stage of the protocol), in order: on
    the kept outcomes' votes (kept_outcomes.py), else on votes derived here when they cannot
    be brought up to date."""
    wanted = [stage for stage in protocol.stages if stage in (stages or protocol.stages)]
    units = read_kept(db, protocol, lambda db: {s: vote_patterns(db, s) for s in wanted})
    if units is None:
        derived = states_by_stage(db, protocol, stages)
        units = {s: units_of(derived[s].values()) for s in wanted}
    return [row for stage in wanted for row in units_agreement(units[stage], protocol, stage)]


def units_of(states: Iterable[ClusterState]) -> Units:
    return Counter(tuple((v.reviewer, v.verdict) for v in s.votes) for s in states if s.votes)


def stage_agreement(
    states: dict[int, ClusterState], protocol: Protocol, stage: str
) -> list[Agreement]:
    """Every pair of reviewers who decided at the stage, then the team when three or more
    did."""
    return units_agreement(units_of(states.values()), protocol, stage)


def units_agreement(units: Units, protocol: Protocol, stage: str) -> list[Agreement]:
    """stage_agreement from the clusters' votes, counted."""
    verdicts = _verdicts(units, protocol, stage)
    seen = {v for cluster in verdicts for v in cluster.values()}
    categories = _categories(protocol, stage, seen)
    reviewers = _reviewers(protocol, verdicts)
    former = tuple(r for r in reviewers if protocol.people and r not in protocol.people)
    rows = [
        _pair(stage, pair, categories, verdicts, tuple(r for r in pair if r in former))
        for pair in combinations(reviewers, 2)
    ]
    if len(reviewers) > 2:
        rows.append(_team(stage, reviewers, categories, verdicts, former))
    return rows


def _verdicts(units: Units, protocol: Protocol, stage: str) -> list[dict[str, str]]:
    """Per cluster with a vote: reviewer -> the verdict as comparisons read it (clusters
    voted alike share one dict)."""
    read = rules(protocol, stage)
    verdicts: list[dict[str, str]] = []
    for held, n in sorted(units.items()):  # one order whoever counted: the same float sums
        if held:
            verdicts += [{who: comparable(Vote("", who, v), read)[0] for who, v in held}] * n
    return verdicts


def _categories(protocol: Protocol, stage: str, seen: set[str]) -> tuple[str, ...]:
    expected = [INCLUDE, EXCLUDE]
    if not protocol.maybe_is_include:
        expected.append(MAYBE)
    if stage == "full-text":
        expected.append(NOT_RETRIEVED)
    return (*expected, *sorted(seen - set(expected)))


def _reviewers(protocol: Protocol, verdicts: list[dict[str, str]]) -> tuple[str, ...]:
    """Who decided at the stage: in review.toml's order, then anyone else by name."""
    decided = {r for cluster in verdicts for r in cluster}
    listed = [r for r in protocol.people if r in decided]
    return (*listed, *sorted(decided - set(listed)))


def _pair(
    stage: str,
    pair: tuple[str, ...],
    categories: Sequence[str],
    verdicts: list[dict[str, str]],
    former: tuple[str, ...],
) -> Agreement:
    a, b = pair
    both = [(c[a], c[b]) for c in verdicts if a in c and b in c]
    counts = stats.count_table(both, categories)
    kappa = stats.cohen_kappa(counts)
    return Agreement(
        stage=stage,
        reviewers=pair,
        categories=tuple(categories),
        n=len(both),
        table={
            row: dict(zip(categories, line, strict=True))
            for row, line in zip(categories, counts, strict=True)
        },
        kappa=kappa[0] if kappa else None,
        kappa_ci=stats.kappa_ci(*kappa) if kappa else None,
        agreement=stats.percent_agreement(counts),
        pabak=stats.pabak(counts),
        ac1=stats.gwet_ac1(counts),
        alpha=stats.krippendorff_alpha(both),
        alpha_units=len(both),
        former=former,
        methods=PAIR_METHODS,
    )


def _team(
    stage: str,
    reviewers: tuple[str, ...],
    categories: Sequence[str],
    verdicts: list[dict[str, str]],
    former: tuple[str, ...],
) -> Agreement:
    everyone = [list(c.values()) for c in verdicts if len(c) == len(reviewers)]
    shared = [list(c.values()) for c in verdicts if len(c) > 1]
    # per verdict, how many records got it from 0, 1, ... all reviewers
    given = {q: Counter(unit.count(q) for unit in everyone) for q in categories}
    table = {q: {str(k): given[q][k] for k in range(len(reviewers) + 1)} for q in categories}
    return Agreement(
        stage=stage,
        reviewers=reviewers,
        categories=tuple(categories),
        n=len(everyone),
        table=table,
        kappa=stats.fleiss_kappa(everyone, categories) if everyone else None,
        alpha=stats.krippendorff_alpha(shared),
        alpha_units=len(shared),
        former=former,
        methods=TEAM_METHODS,
    )
