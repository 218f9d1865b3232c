"""Subgroup analysis RevMan's way: a separate fit (its own tau²) per subgroup, and the test
for subgroup differences as Q of an inverse-variance fixed-effect meta-analysis of the
subgroup estimates (Cochrane Handbook 10.11.3.1), with its I²."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from extraction.pooling.distributions import chi2_upper_tail
from extraction.pooling.heterogeneity import q_based_i2
from extraction.pooling.result import Pooled


@dataclass(frozen=True)
class SubgroupTest:
    q: float
    df: int
    pval: float
    i2: float


@dataclass(frozen=True)
class SubgroupAnalysis:
    """One fit per level, in the order the levels first appear, and the test between them."""

    levels: tuple[str, ...]
    fits: tuple[Pooled, ...]
    test: SubgroupTest


def subgroup_difference(fits: Sequence[Pooled]) -> SubgroupTest:
    """Q = Σw(θ - θ̄)² with w = 1/SE² over the subgroup estimates, df = G - 1."""
    estimates = np.array([f.estimate for f in fits])
    weights = np.array([1 / f.se**2 for f in fits])
    centre = float(np.dot(weights, estimates) / weights.sum())
    q = float(np.dot(weights, (estimates - centre) ** 2))
    df = len(fits) - 1
    pval = chi2_upper_tail(q, df) if df > 0 else 1.0
    return SubgroupTest(q=q, df=df, pval=pval, i2=q_based_i2(q, df) if df > 0 else 0.0)


def by_subgroup(
    labels: Sequence[str], pool: Callable[[npt.NDArray[np.intp]], Pooled]
) -> SubgroupAnalysis:
    """pool(indices) fits the studies at those indices; one call per level of labels."""
    levels = tuple(dict.fromkeys(labels))
    names = np.array(labels, dtype=object)
    fits = tuple(pool(np.flatnonzero(names == level)) for level in levels)
    return SubgroupAnalysis(levels=levels, fits=fits, test=subgroup_difference(fits))
