"""What referees ask for beyond the estimate: Egger's regression test and Begg's rank
correlation test for funnel-plot asymmetry (as metafor's regtest(model = "lm") and ranktest
compute them), and leave-one-out (the pooled estimate without each study, as leave1out).

Both tests are advised only with at least ten studies (Cochrane Handbook 13.3.5.4); with
fewer they are still computed, and `advice` says why they should not be read much."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.stats import kendalltau

from db.errors import MetasiftError
from extraction.pooling.analysis import Analysis, Options, analyse
from extraction.pooling.distributions import t_two_sided_p
from extraction.pooling.result import Pooled, Vector
from extraction.pooling.table import Studies

ADVISED_K = 10


@dataclass(frozen=True)
class EggerTest:
    """Weighted regression of yi on its SE (weights 1/vi): the slope's t test, k - 2 df, and
    the intercept (the limit estimate, the effect as SE goes to 0)."""

    stat: float
    df: int
    pval: float
    limit_estimate: float


@dataclass(frozen=True)
class BeggTest:
    """Kendall's tau between standardised effects and their variances."""

    tau: float
    pval: float
    exact: bool


def advice(k: int) -> str:
    """Whether the tests are advised at this k (Cochrane Handbook 13.3.5.4)."""
    if k >= ADVISED_K:
        return f"k = {k}: the tests are advised at k >= {ADVISED_K}"
    return f"k = {k}, fewer than {ADVISED_K}: the tests have too little power to be read"


def egger_test(yi: Vector, vi: Vector) -> EggerTest:
    """metafor's regtest(model = "lm", predictor = "sei"): lm(yi ~ sei, weights = 1/vi)."""
    k = len(yi)
    if k < 3:
        raise MetasiftError(f"Egger's test needs at least 3 studies, not {k}")
    sei = np.sqrt(vi)
    design = np.column_stack([np.ones(k), sei])
    w = 1 / vi
    xtwx = design.T @ (design * w[:, None])
    coef = np.linalg.solve(xtwx, design.T @ (w * yi))
    residual = yi - design @ coef
    sigma2 = float(np.dot(w, residual**2)) / (k - 2)
    se_slope = float(np.sqrt(sigma2 * np.linalg.inv(xtwx)[1, 1]))
    stat = float(coef[1]) / se_slope
    return EggerTest(stat, k - 2, t_two_sided_p(stat, k - 2), float(coef[0]))


def begg_test(yi: Vector, vi: Vector) -> BeggTest:
    """metafor's ranktest: (yi - FE estimate) / sqrt(vi - its variance) against vi; the exact
    p without ties below 50 studies, else the normal one with ties corrected (cor.test)."""
    k = len(yi)
    if k < 3:
        raise MetasiftError(f"Begg's test needs at least 3 studies, not {k}")
    w = 1 / vi
    estimate = float(np.dot(w, yi) / w.sum())
    standardised = (yi - estimate) / np.sqrt(vi - 1 / w.sum())
    ties = len(set(standardised)) < k or len(set(vi)) < k
    exact = k < 50 and not ties
    found = kendalltau(standardised, vi, method="exact" if exact else "asymptotic")
    tau = float(found.statistic)
    return BeggTest(tau, float(found.pvalue), exact)


def leave_one_out(studies: Studies, options: Options) -> list[tuple[str, Pooled]]:
    """Per study, the pooled result of the others (same method and test, no subgroups)."""
    k = len(studies.names)
    if k < 2:
        raise MetasiftError("leave-one-out needs at least 2 studies")
    whole = replace(studies, subgroups=None)
    out = []
    for i in range(k):
        rest = whole.take(np.array([j for j in range(k) if j != i], dtype=np.intp))
        out.append((studies.names[i], analyse(rest, options).pooled))
    return out


def estimable_studies(run: Analysis) -> list[tuple[str, float, float]]:
    """(name, yi, vi) of the studies with an estimate of their own (a rule dropped none)."""
    named = zip(run.studies.names, run.yi, run.vi, strict=True)
    return [(name, y, v) for name, y, v in named if y is not None and v is not None]


def estimable(run: Analysis) -> tuple[Vector, Vector]:
    """The studies' own yi and vi, leaving out those a rule dropped."""
    kept = estimable_studies(run)
    return np.array([y for _, y, _ in kept]), np.array([v for _, _, v in kept])
