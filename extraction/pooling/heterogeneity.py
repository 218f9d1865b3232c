"""Heterogeneity as metafor reports it: Cochran's Q with its df and p, the typical sampling
variance vt, I² and H² (from Q under a fixed effect, from tau² under random effects), the
Higgins-Thompson I² RevMan prints, and tau²'s Q-profile confidence interval."""

from __future__ import annotations

from dataclasses import dataclass

from extraction.pooling.distributions import chi2_quantile, chi2_upper_tail
from extraction.pooling.result import Tau2Interval, Vector
from extraction.pooling.tau2 import generalised_q, search_interval
from extraction.pooling.zeroin import zeroin


@dataclass(frozen=True)
class Heterogeneity:
    q: float
    q_df: int
    q_pval: float
    vt: float
    i2_from_q: float | None

    def i2_h2(self, tau2: float | None) -> tuple[float, float]:
        """I² and H²: from Q when tau2 is None (fixed effect), else from tau² and vt."""
        if self.q_df == 0:
            return 0.0, 1.0
        if tau2 is None:
            return q_based_i2(self.q, self.q_df), self.q / self.q_df
        return 100 * tau2 / (self.vt + tau2), tau2 / self.vt + 1


def q_based_i2(q: float, df: int) -> float:
    """max(0, (Q - df)/Q) in percent (0 when Q = 0)."""
    return max(0.0, 100 * (q - df) / q) if q > 0 else 0.0


def heterogeneity(yi: Vector, vi: Vector) -> Heterogeneity:
    """Q around the inverse-variance fixed-effect mean, and vt = (k-1)/tr(P)."""
    k = len(yi)
    if k == 1:
        return Heterogeneity(q=0.0, q_df=0, q_pval=1.0, vt=0.0, i2_from_q=None)
    wi = 1 / vi
    q = max(0.0, generalised_q(yi, vi, 0.0))
    total = float(wi.sum())
    vt = (k - 1) / (total - float((wi * wi).sum()) / total)
    return Heterogeneity(q, k - 1, chi2_upper_tail(q, k - 1), vt, q_based_i2(q, k - 1))


def q_profile(yi: Vector, vi: Vector, vt: float, level: float = 0.95) -> Tau2Interval:
    """tau² values where the generalised Q crosses the chi² quantiles (confint.rma.uni,
    type "QP", over the interval search_interval gives); both ends 0 when Q(0) is below the
    lower one, and the lower end 0 when Q(0) is below the upper one. uniroot's tolerance,
    which metafor keeps, is absolute (about 1e-4), so bounds near it do not scale exactly."""
    df = len(yi) - 1
    crit_u = chi2_quantile(1 - (1 - level) / 2, df)
    crit_l = chi2_quantile((1 - level) / 2, df)
    q_zero = generalised_q(yi, vi, 0.0)
    ub = _root(yi, vi, crit_l) if q_zero >= crit_l else 0.0
    lb = _root(yi, vi, crit_u) if q_zero >= crit_u else 0.0
    return Tau2Interval(
        tau2_lb=lb,
        tau2_ub=ub,
        i2_lb=100 * lb / (vt + lb),
        i2_ub=100 * ub / (vt + ub),
        h2_lb=lb / vt + 1,
        h2_ub=ub / vt + 1,
    )


def _root(yi: Vector, vi: Vector, target: float) -> float:
    gap = lambda t: generalised_q(yi, vi, t) - target  # noqa: E731
    return zeroin(gap, *search_interval(yi, vi, target))
