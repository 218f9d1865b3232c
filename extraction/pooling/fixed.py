"""A fixed-effect result from a pooled log ratio or difference and its SE, as rma.mh and
rma.peto report it: Wald z test and CI, Q-based I² and H², weights in percent."""

from __future__ import annotations

import numpy as np

from extraction.pooling.distributions import chi2_upper_tail, normal_quantile, normal_two_sided_p
from extraction.pooling.heterogeneity import q_based_i2
from extraction.pooling.result import Pooled, Vector, percent

Z975 = -normal_quantile(0.025)


def fixed_result(
    method: str, estimate: float, se: float, q: float, q_df: int, weights: Vector
) -> Pooled:
    """q_df is the number of studies with an effect size, less one (0: no heterogeneity)."""
    stat = estimate / se
    i2, h2 = (q_based_i2(q, q_df), q / q_df) if q_df > 0 else (0.0, 1.0)
    return Pooled(
        method=method,
        test="z",
        k=len(weights),
        estimate=estimate,
        se=se,
        stat=stat,
        pval=normal_two_sided_p(stat),
        ci_lb=estimate - Z975 * se,
        ci_ub=estimate + Z975 * se,
        ddf=None,
        tau2=0.0,
        se_tau2=None,
        q=q,
        q_df=q_df,
        q_pval=chi2_upper_tail(q, q_df) if q_df > 0 else 1.0,
        i2=i2,
        i2_from_q=i2 if q_df > 0 else None,
        h2=h2,
        vt=0.0,
        weights_pct=percent(weights),
    )


def inverse_variance_q(yi: Vector, vi: Vector, centre: float) -> tuple[float, int]:
    """Q = Σ(y - centre)²/v around another method's estimate, and its df."""
    if len(yi) < 2:
        return 0.0, 0
    return max(0.0, float(np.sum((yi - centre) ** 2 / vi))), len(yi) - 1
