"""The inverse-variance fit, fixed (FE) or random effects with any tau² estimator, as
metafor's rma.uni computes it: the estimate with a Wald z, t, Knapp-Hartung or ad hoc
Knapp-Hartung test, heterogeneity, weights, and both prediction intervals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from db.errors import MetasiftError
from extraction.pooling.choices import RANDOM_METHODS, TESTS
from extraction.pooling.distributions import (
    normal_quantile,
    normal_two_sided_p,
    t_quantile,
    t_two_sided_p,
)
from extraction.pooling.heterogeneity import heterogeneity, q_profile
from extraction.pooling.likelihood import fisher_scoring
from extraction.pooling.result import Pooled, Vector, percent
from extraction.pooling.tau2 import (
    Tau2Estimate,
    dersimonian_laird,
    hedges,
    hunter_schmidt,
    paule_mandel,
    sidik_jonkman,
)

ESTIMATORS: dict[str, Callable[[Vector, Vector], Tau2Estimate]] = {
    "DL": dersimonian_laird,
    "HE": hedges,
    "HS": hunter_schmidt,
    "SJ": sidik_jonkman,
    "PM": paule_mandel,
    "ML": lambda y, v: fisher_scoring("ML", y, v),
    "REML": lambda y, v: fisher_scoring("REML", y, v),
    "EB": lambda y, v: fisher_scoring("EB", y, v),
}
LEVEL = 0.95


def estimate_tau2(method: str, yi: Vector, vi: Vector) -> Tau2Estimate | None:
    """None for FE and for a single study (tau² is then 0, as metafor sets it)."""
    if method == "FE" or len(yi) == 1:
        return None
    return ESTIMATORS[method](yi, vi)


def fit(
    yi: Vector, vi: Vector, method: str = "REML", test: str = "z", tau2_ci: bool = True
) -> Pooled:
    """Pool yi (variances vi) by inverse variance; tau2_ci adds tau²'s Q-profile CI (random
    effects, k >= 2), which metafor computes apart, in confint()."""
    _check(method, test, yi, vi)
    notes: list[str] = []
    requested = test
    if len(yi) == 1 and test != "z":
        notes.append(f"test z used instead of {test}, since k = 1 (as metafor does)")
        test = "z"
    estimated = estimate_tau2(method, yi, vi)
    tau2 = estimated.tau2 if estimated else 0.0
    pooled = _summary(yi, vi, tau2, method, test)
    het = heterogeneity(yi, vi)
    i2, h2 = het.i2_h2(None if method == "FE" else tau2)
    pooled = replace(
        pooled,
        se_tau2=estimated.se if estimated else None,
        q=het.q,
        q_df=het.q_df,
        q_pval=het.q_pval,
        i2=i2,
        h2=h2,
        vt=het.vt,
        i2_from_q=het.i2_from_q,
        notes=tuple(notes),
    )
    if requested in ("knha", "adhoc") and test == "z":
        pooled = replace(pooled, s2w=1.0)  # metafor reports its initial s2w
    if method == "FE":
        return pooled
    pooled = _with_prediction(pooled)
    if tau2_ci and len(yi) > 1:
        pooled = replace(pooled, tau2_ci=q_profile(yi, vi, het.vt, LEVEL))
    return pooled


# Past these, squares of squares (tau² of a spread of effect sizes, then its variance)
# overflow a float: 1e75 pooled with every method, 1e100 failed in DL, HE, SJ and REML
LARGEST_EFFECT, LARGEST_VARIANCE = 1e75, 1e150


def _check(method: str, test: str, yi: Vector, vi: Vector) -> None:
    if method != "FE" and method not in RANDOM_METHODS:
        raise MetasiftError(f"--method {method}: not an inverse-variance method")
    if test not in TESTS:
        raise MetasiftError(f"--test {test}: use one of {', '.join(TESTS)}")
    if len(vi) == 0:
        raise MetasiftError("no study to pool")
    if not np.all(np.isfinite(vi)) or np.any(vi <= 0):
        raise MetasiftError("a sampling variance is zero, negative or infinite; cannot weight it")
    if np.any(np.abs(yi) > LARGEST_EFFECT) or np.any(vi > LARGEST_VARIANCE):
        raise MetasiftError(
            f"an effect size beyond {LARGEST_EFFECT:g} (or a variance beyond "
            f"{LARGEST_VARIANCE:g}) overflows the arithmetic; give the data in a larger unit"
        )


def _summary(yi: Vector, vi: Vector, tau2: float, method: str, test: str) -> Pooled:
    """Estimate, SE, test and CI at a given tau²."""
    k = len(yi)
    wi = 1 / (vi + tau2)
    estimate = float(np.dot(wi, yi) / wi.sum())
    variance = 1 / float(wi.sum())
    s2w = None
    if test in ("knha", "adhoc"):
        rss = float(np.dot(wi, (yi - estimate) ** 2))
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - 1)
        s2w = max(s2w, 1.0) if test == "adhoc" else s2w
        variance *= s2w
    se = float(np.sqrt(variance))
    ddf = None if test == "z" else k - 1
    stat = estimate / se if se > 0 else float(np.copysign(np.inf, estimate))
    crit, pval = _critical(stat, ddf)
    return Pooled(
        method=method,
        test=test,
        k=k,
        estimate=estimate,
        se=se,
        stat=stat,
        pval=pval,
        ci_lb=estimate - crit * se,
        ci_ub=estimate + crit * se,
        ddf=ddf,
        tau2=tau2,
        se_tau2=None,
        q=0.0,
        q_df=0,
        q_pval=1.0,
        i2=0.0,
        i2_from_q=None,
        h2=1.0,
        vt=0.0,
        weights_pct=percent(wi),
        s2w=s2w,
    )


def _critical(stat: float, ddf: int | None) -> tuple[float, float]:
    """The 97.5% quantile and the two-sided p of stat, normal or t(ddf)."""
    if ddf is None:
        return -normal_quantile((1 - LEVEL) / 2), normal_two_sided_p(stat)
    return t_quantile(1 - (1 - LEVEL) / 2, ddf), t_two_sided_p(stat, ddf)


def _with_prediction(pooled: Pooled) -> Pooled:
    """metafor's interval (z, or t(k-1) with a t-type test) and Riley's t(k-2) one (Higgins
    2009, Cochrane Handbook 10.10.4.3; metafor's reference used df 1 when k < 3)."""
    spread = float(np.sqrt(pooled.se**2 + pooled.tau2))
    crit = _critical(0.0, pooled.ddf)[0]
    riley = t_quantile(1 - (1 - LEVEL) / 2, max(pooled.k - 2, 1))
    mid = pooled.estimate
    return replace(
        pooled,
        pi_lb=mid - crit * spread,
        pi_ub=mid + crit * spread,
        pi_riley_lb=mid - riley * spread,
        pi_riley_ub=mid + riley * spread,
    )
