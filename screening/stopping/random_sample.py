"""The random-sampling stopping test of Callaghan & Mueller-Hansen (2020), "Statistical
stopping criteria for automated screening in systematic reviews", Systematic Reviews 9:273.

What it needs: after the first `random_after` records of the history (screened in any order,
typically most likely first), every record screened was drawn at random from those not yet
screened. That is a fact about how the team screened, which the history cannot show, so the
protocol states it ([screening] stopping.random_after). Without it, or before a record has
been screened after that point, the test cannot be computed, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from screening.stopping.estimates import Estimate, hypergeom_cdf

TITLE = "Random-sampling test (Callaghan & Mueller-Hansen 2020)"


def null_successes(found_before: int, found_in_sample: int, recall_target: float) -> int:
    """The fewest includes the records left at the start of sampling could hold with recall
    below the target: floor((r_AL + k) / target - r_AL + 1), in exact fractions (0.95 as a
    float would put 19/0.95 a hair above 20)."""
    target = Fraction(str(recall_target))
    return math.floor(Fraction(found_before + found_in_sample) / target - found_before + 1)


def random_sample(
    labels: Sequence[bool],
    total: int,
    random_after: int | None,
    recall_target: float,
    confidence: float,
) -> Estimate:
    params = {"random_after": random_after, "recall_target": recall_target}
    why = _not_computable(len(labels), total, random_after)
    if why or random_after is None:
        return Estimate("random-sample", TITLE, params, note=f"cannot be computed: {why}")
    sample = labels[random_after:]
    drawn, found = len(sample), sum(sample)
    found_before = sum(labels[:random_after])
    population = total - random_after  # the records not screened when sampling began
    successes = null_successes(found_before, found, recall_target)
    p = hypergeom_cdf(found, population, successes, drawn) if successes <= population else 0.0
    left = population - drawn
    return Estimate(
        "random-sample",
        TITLE,
        params,
        met=p < 1 - confidence,
        unseen=found * left / drawn,
        unseen_upper=float(upper_includes(found, population, drawn, confidence) - found),
        confidence=confidence,
        figures={
            "sample": drawn,
            "sample_includes": found,
            "population": population,
            "null_includes": successes,
            "p": p,
        },  # fmt: skip
        note=f"p = {p:.3g} that recall is below {recall_target:.0%} ({drawn:,} drawn at random)",
    )


def _not_computable(screened: int, total: int, random_after: int | None) -> str:
    if random_after is None:
        return (
            "needs records screened in random order after a point; set [screening] "
            "stopping.random_after in review.toml to the records screened before that point"
        )
    if random_after > total:
        return f"random_after is {random_after:,}, more than the {total:,} records to screen"
    if screened <= random_after:
        return f"no record screened at random yet (random sampling starts after {random_after:,})"
    return ""


def upper_includes(found: int, population: int, drawn: int, confidence: float) -> int:
    """The most includes the population can have held while a sample of `drawn` with `found`
    includes stays at least 1 - confidence likely (P(X <= found) > 1 - confidence): the
    one-sided upper confidence bound. P(X <= found) falls as includes grow: bisect."""
    alpha = 1 - confidence
    low, high = found, found + (population - drawn)  # every record left an include, at most
    while low < high:
        middle = (low + high + 1) // 2
        if hypergeom_cdf(found, population, middle, drawn) > alpha:
            low = middle
        else:
            high = middle - 1
    return low
