"""tau² by metafor's Fisher scoring: maximum likelihood (ML), restricted maximum likelihood
(REML) and empirical Bayes (EB), started from Hedges' estimate, with metafor's step halving
and its check that tau² = 0 does not have the higher likelihood."""

from __future__ import annotations

import numpy as np

from db.errors import MetasiftError
from extraction.pooling.result import Vector
from extraction.pooling.tau2 import (
    MAXITER,
    THRESHOLD,
    TOL,
    Tau2Estimate,
    hedges_unbounded,
    se_from_total_weight,
    square_sum,
    weighted_mean,
)


def _step(method: str, yi: Vector, vi: Vector, tau2: float) -> float:
    """One Fisher-scoring adjustment to tau² (np.dot throughout: a small fit is all overhead)."""
    k = len(yi)
    wi = 1 / (vi + tau2)
    total = float(wi.sum())
    squared = wi * wi
    residual = yi - float(np.dot(wi, yi)) / total
    py = wi * residual  # P y for P = W - ww'/Σw
    if method == "ML":
        return (float(np.dot(py, py)) - total) / float(squared.sum())
    if method == "REML":
        w2 = float(squared.sum())
        trace = total - w2 / total
        pp = w2 - 2 * float(np.dot(squared, wi)) / total + (w2 / total) ** 2  # Σ P²
        return (float(np.dot(py, py)) - trace) / pp
    return (float(np.dot(py, residual)) * k / (k - 1) - k) / total  # EB: y'Py = r'Wr


def _log_likelihood(method: str, yi: Vector, vi: Vector, tau2: float) -> float:
    wi = 1 / (vi + tau2)
    rss = float(np.dot(wi, (yi - weighted_mean(yi, wi)) ** 2))
    if method == "ML":
        return float(-0.5 * len(yi) * np.log(2 * np.pi) - 0.5 * np.sum(np.log(vi + tau2)) - rss / 2)
    k = len(yi) - 1
    return float(
        -0.5 * k * np.log(2 * np.pi)
        - 0.5 * np.sum(np.log(vi + tau2))
        - 0.5 * np.log(wi.sum())
        - rss / 2
    )


def fisher_scoring(method: str, yi: Vector, vi: Vector) -> Tau2Estimate:
    """tau² for method ML, REML or EB, iterated until it moves by at most THRESHOLD (relative
    to tau² above 1: metafor's absolute rule cannot be met once tau²'s rounding error, about
    2e-16 tau², passes it, so large-scale data would never converge)."""
    tau2 = max(0.0, hedges_unbounded(yi, vi))
    for _ in range(MAXITER):
        adj = _step(method, yi, vi, tau2)
        while tau2 + adj < 0:
            adj /= 2
        tau2, change = tau2 + adj, abs(adj)
        if change <= THRESHOLD * max(1.0, tau2):
            break
    else:
        raise MetasiftError(f"{method}: Fisher scoring did not converge; choose another --method")
    if method != "EB" and tau2 > THRESHOLD:
        at_zero = _log_likelihood(method, yi, vi, 0.0)
        if at_zero - _log_likelihood(method, yi, vi, tau2) > TOL:
            tau2 = 0.0
    return Tau2Estimate(tau2, _likelihood_se(method, vi, tau2))


def _likelihood_se(method: str, vi: Vector, tau2: float) -> float:
    wi = 1 / (vi + tau2)
    if method == "ML":
        return float(np.sqrt(2 / np.dot(wi, wi)))
    if method == "REML":
        ones = np.ones_like(wi)
        return float(np.sqrt(2 / square_sum(wi, wi, float(wi.sum()), ones, ones)))
    return se_from_total_weight(vi, tau2)
