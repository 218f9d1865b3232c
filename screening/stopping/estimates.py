"""The stopping figures, from a screening history: a list of True (relevant: include, or
maybe at title/abstract) and False, in the order the records were screened, and the number
of records the stage holds. Each figure names its method, parameters and confidence, and
says what it assumes, or why it cannot be computed.

- Records since the last include: a count, no model.
- A run of excludes (heuristic): met after N excludes in a row. Beside it, the zero-event
  upper bound (Hanley & Lippman-Hand 1983, "rule of three"): no include among the last m
  records bounds the include rate at 1 - alpha^(1/m), so at most that share of the records
  left, if they are no richer in includes than the last m were (true when screening most
  likely first; for import order, only as far as the order is unrelated to relevance).
- The knee method (Cormack & Grossman 2016, SIGIR, "Engineering quality and reliability in
  technology-assisted review"): the knee of the curve of includes found is the point
  farthest above the line from the origin to the current point; the slope ratio is the
  include rate before the knee over the rate after it (+1 include, so a run of excludes
  never divides by zero); met once at least 150 records are screened and the ratio reaches
  156 - min(includes, 150). A heuristic: no confidence is attached.
- The random-sampling test (Callaghan & Mueller-Hansen 2020, Systematic Reviews 9:273):
  after `random_after` records screened by priority, the rest are drawn at random. Under the
  null hypothesis that recall is below the target, the records left when sampling began held
  at least K = floor((r_AL + k) / target - r_AL + 1) includes (r_AL found before sampling,
  k in the sample of n); p = P(X <= k), X hypergeometric (population N, K successes, n
  draws). Met when p < 1 - confidence. The same sample estimates the includes still unseen:
  k/n of the records left, with a one-sided upper bound at the confidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

KNEE_MIN_SCREENED = 150  # Cormack & Grossman's minimum before the knee rule may stop
KNEE_TARGET_START, KNEE_TARGET_FLOOR = 156, 150  # ratio needed: 156 - min(includes, 150)


@dataclass(frozen=True)
class Estimate:
    """One stopping figure: what it found, how, with what confidence, and whether it is met."""

    method: str  # consecutive-excludes, zero-event-bound, knee, random-sample
    title: str  # how people name it, with its source
    parameters: dict[str, Any] = field(default_factory=dict)
    met: bool | None = None  # the rule's stopping condition; None: not a rule or not computed
    unseen: float | None = None  # point estimate of includes among the records left
    unseen_upper: float | None = None  # one-sided upper bound at `confidence`
    confidence: float | None = None  # None: a heuristic, no stated confidence
    figures: dict[str, Any] = field(default_factory=dict)  # what it computed on the way
    note: str = ""  # what it assumes, or why it cannot be computed

    @property
    def computed(self) -> bool:
        return self.met is not None or self.unseen_upper is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "title": self.title,
            "parameters": self.parameters,
            "met": self.met,
            "unseen": self.unseen,
            "unseen_upper": self.unseen_upper,
            "confidence": self.confidence,
            "figures": self.figures,
            "note": self.note,
        }


def since_last_include(labels: Sequence[bool]) -> int:
    """Records screened after the latest include (all of them while there is none)."""
    for back, relevant in enumerate(reversed(labels)):
        if relevant:
            return back
    return len(labels)


def consecutive_excludes(labels: Sequence[bool], run_needed: int) -> Estimate:
    run = since_last_include(labels)
    return Estimate(
        "consecutive-excludes",
        "Excludes in a row (heuristic)",
        {"consecutive_excludes": run_needed},
        met=run >= run_needed,
        figures={"run": run},
        note=f"{run:,} of {run_needed:,} excludes in a row",
    )


def zero_event_bound(labels: Sequence[bool], total: int, confidence: float) -> Estimate:
    run, left = since_last_include(labels), total - len(labels)
    title = "Zero-event upper bound over the run since the last include (rule of three)"
    if run == 0 or left <= 0:
        why = (
            "no record is left"
            if left <= 0
            else "nothing screened yet"
            if not labels
            else "the latest record screened is an include"
        )
        return Estimate("zero-event-bound", title, {"run": run}, note=f"not computed: {why}")
    rate = 1 - (1 - confidence) ** (1 / run)
    return Estimate(
        "zero-event-bound",
        title,
        {"run": run},
        unseen_upper=rate * left,
        confidence=confidence,
        figures={"rate_upper": rate, "left": left},
        note=f"assumes the {left:,} records left are no richer in includes than the last {run:,}",
    )


def knee_point(labels: Sequence[bool]) -> tuple[int, int]:
    """(records screened at the knee, includes found by then): the point of the curve of
    includes found farthest above the straight line from the origin to its end."""
    screened, found = len(labels), sum(labels)
    best, at, gain, gain_at = -1.0, 0, 0, 0
    for i, relevant in enumerate(labels, start=1):
        gain += relevant
        above = gain - i * found / screened  # vertical distance: the chord's slope is fixed
        if above > best:
            best, at, gain_at = above, i, gain
    return at, gain_at


def knee(labels: Sequence[bool], minimum: int = KNEE_MIN_SCREENED) -> Estimate:
    screened, found = len(labels), sum(labels)
    title = "Knee method (Cormack & Grossman 2016)"
    params = {"min_screened": minimum, "ratio_needed": "156 - min(includes, 150)"}
    if found == 0:
        return Estimate("knee", title, params, met=False, note="no include yet: no knee")
    at, gain = knee_point(labels)
    needed = KNEE_TARGET_START - min(found, KNEE_TARGET_FLOOR)
    if at >= screened:
        figures = {"knee_at": at, "ratio_needed": needed}
        return Estimate("knee", title, params, met=False, figures=figures, note="no knee yet")
    after = (found - gain + 1) / (screened - at)  # +1: Cormack & Grossman's smoothing
    ratio = (gain / at) / after
    met = screened >= minimum and ratio >= needed
    short = "" if screened >= minimum else f"; needs {minimum} screened"
    return Estimate(
        "knee",
        title,
        params,
        met=met,
        figures={"knee_at": at, "includes_at_knee": gain, "ratio": ratio, "ratio_needed": needed},
        note=f"slope ratio {ratio:.1f} of {needed} needed, knee at record {at:,}{short}",
    )


def hypergeom_cdf(k: int, population: int, successes: int, draws: int) -> float:
    """P(X <= k) for X hypergeometric: `draws` without replacement from `population` holding
    `successes` (scipy.stats.hypergeom.cdf(k, population, successes, draws)), summed exactly
    in logs; scipy would load 0.3 s of modules for one sum."""
    low, high = max(0, draws - (population - successes)), min(draws, successes)
    if k < low:
        return 0.0
    if k >= high:
        return 1.0
    total = _log_comb(population, draws)
    terms = (
        _log_comb(successes, x) + _log_comb(population - successes, draws - x) - total
        for x in range(low, k + 1)
    )
    return min(1.0, math.fsum(math.exp(t) for t in terms))


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
