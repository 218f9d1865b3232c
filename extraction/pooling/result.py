"""What a pooled analysis returns: the estimate with its interval and test, heterogeneity,
weights, and the words that say how each figure was obtained."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]

METHOD_NAMES = {
    "FE": "fixed effect, inverse variance",
    "MH": "fixed effect, Mantel-Haenszel",
    "PETO": "fixed effect, Peto's one-step odds ratio",
    "DL": "random effects, DerSimonian-Laird tau²",
    "REML": "random effects, restricted maximum-likelihood tau²",
    "PM": "random effects, Paule-Mandel tau²",
    "ML": "random effects, maximum-likelihood tau²",
    "HE": "random effects, Hedges tau²",
    "SJ": "random effects, Sidik-Jonkman tau²",
    "HS": "random effects, Hunter-Schmidt tau²",
    "EB": "random effects, empirical Bayes tau²",
}


@dataclass(frozen=True)
class Tau2Interval:
    """tau²'s Q-profile confidence interval (Viechtbauer 2007), with I² and H² at its ends."""

    tau2_lb: float
    tau2_ub: float
    i2_lb: float
    i2_ub: float
    h2_lb: float
    h2_ub: float


@dataclass(frozen=True)
class Pooled:
    """One pooled analysis. Ratio measures are on the log scale. i2 is metafor's (from tau²
    under random effects); i2_from_q the Higgins-Thompson value RevMan prints."""

    method: str
    test: str
    k: int
    estimate: float
    se: float
    stat: float
    pval: float
    ci_lb: float
    ci_ub: float
    ddf: int | None
    tau2: float
    se_tau2: float | None
    q: float
    q_df: int
    q_pval: float
    i2: float
    i2_from_q: float | None
    h2: float
    vt: float
    weights_pct: tuple[float, ...]
    s2w: float | None = None
    pi_lb: float | None = None
    pi_ub: float | None = None
    pi_riley_lb: float | None = None
    pi_riley_ub: float | None = None
    tau2_ci: Tau2Interval | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def derivation(self) -> str:
        """The method and test in words, for text output."""
        words = [METHOD_NAMES[self.method], _test_words(self.test, self.ddf)]
        if self.pi_lb is not None:
            crit = "z" if self.ddf is None else f"t({self.ddf})"
            words.append(f"prediction interval mu ± {crit}·sqrt(SE² + tau²)")
        if self.tau2_ci is not None:
            words.append("tau² CI by Q-profile")
        return "; ".join(words)


def _test_words(test: str, ddf: int | None) -> str:
    if test == "z":
        return "Wald z test and CI"
    if test == "t":
        return f"t test and CI with {ddf} df"
    floor = ", its scale factor floored at 1 (ad hoc)" if test == "adhoc" else ""
    return f"Knapp-Hartung t test and CI with {ddf} df{floor}"


def percent(weights: Vector) -> tuple[float, ...]:
    """Weights as percentages of their sum."""
    return tuple(float(x) for x in 100.0 * weights / weights.sum())
