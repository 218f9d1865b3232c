"""The between-study variance (tau²) estimators of metafor's rma.uni for an intercept-only
model, with metafor's standard errors. metafor builds k x k matrices; for one intercept its
P = W - ww'/Σw reduces every trace and quadratic form to sums, so each estimate is O(k)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from db.errors import MetasiftError
from extraction.pooling.result import Vector
from extraction.pooling.zeroin import zeroin

# metafor's control values as the reference ran them (rma's defaults are 1e-5 and 100):
# tighter convergence costs microseconds here and makes the figures agree to 1e-6.
# TAU2_MAX is where a search for tau² starts, not a cap: see search_interval.
THRESHOLD = 1e-12
TOL = 1e-12
MAXITER = 10000
TAU2_MAX = 1e6


@dataclass(frozen=True)
class Tau2Estimate:
    """tau² (truncated at 0) with metafor's standard error of the estimator."""

    tau2: float
    se: float


def weighted_mean(yi: Vector, wi: Vector) -> float:
    return float(np.dot(wi, yi) / wi.sum())


def generalised_q(yi: Vector, vi: Vector, tau2: float) -> float:
    """Σ w(y - μ̂)² with w = 1/(v + tau²): Cochran's Q at tau² = 0."""
    wi = 1 / (vi + tau2)
    return float(np.dot(wi, (yi - weighted_mean(yi, wi)) ** 2))


def square_sum(d: Vector, u: Vector, c: float, a: Vector, b: Vector) -> float:
    """Σᵢⱼ Pᵢⱼ² aᵢ bⱼ for P = diag(d) - uu'/c, without forming P."""
    u2 = u * u
    return float(
        np.sum(d * d * a * b)
        - 2 / c * np.sum(d * u2 * a * b)
        + np.dot(u2, a) * np.dot(u2, b) / c**2
    )


def _fe_p_sums(vi: Vector) -> tuple[Vector, float, float, float]:
    """w = 1/v, Σw, tr(P) and Σ P² for the fixed-effect P."""
    wi = 1 / vi
    total = float(wi.sum())
    trace = total - float(np.dot(wi, wi)) / total
    ones = np.ones_like(wi)
    return wi, total, trace, square_sum(wi, wi, total, ones, ones)


def dersimonian_laird(yi: Vector, vi: Vector) -> Tau2Estimate:
    k = len(yi)
    _, _, trace, pp = _fe_p_sums(vi)
    tau2 = max(0.0, (generalised_q(yi, vi, 0.0) - (k - 1)) / trace)
    se = np.sqrt((2 * (k - 1) + 4 * tau2 * trace + 2 * tau2**2 * pp) / trace**2)
    return Tau2Estimate(tau2, float(se))


def hunter_schmidt(yi: Vector, vi: Vector) -> Tau2Estimate:
    k = len(yi)
    _, total, trace, pp = _fe_p_sums(vi)
    tau2 = max(0.0, (generalised_q(yi, vi, 0.0) - k) / total)
    se = np.sqrt((2 * (k - 1) + 4 * tau2 * trace + 2 * tau2**2 * pp) / total**2)
    return Tau2Estimate(tau2, float(se))


def hedges_unbounded(yi: Vector, vi: Vector) -> float:
    """Hedges' (unweighted) estimate before truncation: ML, REML and EB start from it."""
    k = len(yi)
    rss = float(np.sum((yi - yi.mean()) ** 2))
    return (rss - float(vi.sum()) * (1 - 1 / k)) / (k - 1)


def hedges(yi: Vector, vi: Vector) -> Tau2Estimate:
    k = len(yi)
    tau2 = max(0.0, hedges_unbounded(yi, vi))
    ones = np.ones_like(vi)
    pv_pv = square_sum(ones, ones, k, vi, vi)
    tr_pv = float(vi.sum()) * (1 - 1 / k)
    se = np.sqrt((2 * pv_pv + 4 * tau2 * tr_pv + 2 * tau2**2 * (k - 1)) / (k - 1) ** 2)
    return Tau2Estimate(tau2, float(se))


def sidik_jonkman(yi: Vector, vi: Vector) -> Tau2Estimate:
    k = len(yi)
    start = float(np.mean((yi - yi.mean()) ** 2))
    tau2 = max(0.0, start * generalised_q(yi, vi, start) / (k - 1))
    wi = 1 / (vi + start)
    total, ones = float(wi.sum()), np.ones_like(wi)
    pv_pv = square_sum(wi, wi, total, vi, vi)
    pv_p = square_sum(wi, wi, total, ones, vi)
    pp = square_sum(wi, wi, total, ones, ones)
    se = np.sqrt(start**2 / (k - 1) ** 2 * (2 * pv_pv + 4 * tau2 * pv_p + 2 * tau2**2 * pp))
    return Tau2Estimate(tau2, float(se))


def se_from_total_weight(vi: Vector, tau2: float) -> float:
    """metafor's SE for PM and EB: sqrt(2k²/(k-1)) / Σw."""
    k = len(vi)
    return float(np.sqrt(2 * k**2 / (k - 1)) / np.sum(1 / (vi + tau2)))


def search_interval(yi: Vector, vi: Vector, target: float) -> tuple[float, float]:
    """Where the generalised Q, falling from Q(0) >= target > 0, reaches target: metafor's
    [0, tau2.max] when it does so there, which keeps uniroot's steps and so its approximate
    roots; else from tau2.max to an end where Q is at or below target. The end starts at
    2Σ(y - ȳ)²/target (Q(t) is near Σ(y - ȳ)²/t once t dwarfs the variances, so about
    target/2 there) and doubles until Q is below target (it falls to 0 as t grows). It grows
    with the data's scale, so large-scale data pool as the same data in smaller units do,
    and no root is cut off at a cap."""
    if generalised_q(yi, vi, TAU2_MAX) <= target:
        return 0.0, TAU2_MAX
    end = max(2 * float(np.sum((yi - yi.mean()) ** 2)) / target, 2 * TAU2_MAX)
    for _ in range(64):
        if not np.isfinite(end):
            break
        if generalised_q(yi, vi, end) <= target:
            return TAU2_MAX, end
        end *= 2
    raise MetasiftError("the effect sizes are too large to estimate tau²; rescale them")


def paule_mandel(yi: Vector, vi: Vector) -> Tau2Estimate:
    """The tau² at which the generalised Q equals its expectation k - 1."""
    k = len(yi)
    if generalised_q(yi, vi, 0.0) < k - 1:
        tau2 = 0.0
    else:
        gap = lambda t: generalised_q(yi, vi, t) - (k - 1)  # noqa: E731
        tau2 = zeroin(gap, *search_interval(yi, vi, k - 1), tol=TOL, maxiter=MAXITER)
    return Tau2Estimate(tau2, se_from_total_weight(vi, tau2))
