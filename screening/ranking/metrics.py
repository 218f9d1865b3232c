"""How well an order found the includes: the figures ASReview and the literature report.

Computed over the records screened after the prior knowledge (the priors are given, not
found), as asreview-insights does by default: with N records and I includes left once the
priors are taken out, and the order in which those N were screened.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderFigures:
    records_to_95: int  # records screened to find 95% of the includes
    records_to_100: int
    wss95: float  # work saved over random reading at 95% recall, percent of records
    recall_at_10pct: float  # share of includes found after screening 10% of records, percent


def order_figures(found: Sequence[int]) -> OrderFigures:
    """`found`: 1 or 0 per record in the order screened (priors left out)."""
    total, includes = len(found), sum(found)
    if includes == 0:
        return OrderFigures(0, 0, 0.0, 100.0)
    first_tenth = sum(found[: math.ceil(total * 0.10)])
    return OrderFigures(
        records_to_95=records_to_recall(found, 0.95),
        records_to_100=records_to_recall(found, 1.0),
        wss95=wss(found, 0.95),
        recall_at_10pct=100.0 * first_tenth / includes,
    )


def wss(found: Sequence[int], recall: float) -> float:
    """Work saved over sampling, in percent, as asreview-insights computes it: at the k-th
    include, k the largest with k/I <= recall, how many records sooner than random reading
    (its expected curve, round(linspace(0, I, N))) the order found it, over N."""
    total, includes = len(found), sum(found)
    k = max(1, math.floor(recall * includes + 1e-9))
    return 100.0 * (_random_position(k, includes, total) - _position(found, k)) / total


def records_to_recall(found: Sequence[int], recall: float) -> int:
    """Records screened until at least `recall` of the includes were found."""
    return _position(found, math.ceil(round(recall * sum(found), 9)))


def _position(found: Sequence[int], k: int) -> int:
    seen = 0
    for position, hit in enumerate(found, start=1):
        seen += hit
        if seen >= k:
            return position
    return len(found)


def _random_position(k: int, includes: int, total: int) -> int:
    """Where random reading finds the k-th include on insights' expected curve."""
    step = includes / (total - 1) if total > 1 else 0.0
    for position in range(total):
        if round(step * position) >= k:
            return position + 1
    return total
