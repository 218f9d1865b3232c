"""Study effect sizes and their sampling variances, as metafor's escalc computes them: MD,
SMD (Hedges' g, metafor's exact correction or RevMan 5's approximations), log RR, log OR and
RD from 2x2 tables with escalc's continuity correction (add, to, drop00)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from extraction.pooling.result import Vector


@dataclass(frozen=True)
class EffectSizes:
    """yi and vi per study kept; dropped holds the indices left out (double zero with drop00)."""

    yi: Vector
    vi: Vector
    kept: tuple[int, ...]
    dropped: tuple[int, ...] = ()
    corrected: tuple[int, ...] = ()


@dataclass(frozen=True)
class Continuity:
    """escalc's continuity correction: add `add` to every cell of the studies `to` names."""

    add: float = 0.5
    to: str = "only0"
    drop00: bool = False

    def describe(self) -> str:
        if self.to == "none" or self.add == 0:
            return "no continuity correction"
        which = {
            "only0": "studies with a zero cell",
            "all": "every study",
            "if0all": "every study, as some study has a zero cell",
        }[self.to]
        return f"{self.add:g} added to each cell of {which}"


def mean_difference(
    m1: Vector, sd1: Vector, n1: Vector, m2: Vector, sd2: Vector, n2: Vector
) -> tuple[Vector, Vector]:
    """MD = m1 - m2 with v = sd1²/n1 + sd2²/n2 (escalc measure "MD", vtype "HO" off)."""
    return m1 - m2, sd1**2 / n1 + sd2**2 / n2


def _pooled_sd(sd1: Vector, n1: Vector, sd2: Vector, n2: Vector) -> Vector:
    return np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))


def hedges_g_metafor(
    m1: Vector, sd1: Vector, n1: Vector, m2: Vector, sd2: Vector, n2: Vector
) -> tuple[Vector, Vector]:
    """escalc "SMD": d times the exact correction J(m) = Γ(m/2)/(√(m/2)Γ((m-1)/2)), m = n1+n2-2,
    and the large-sample variance 1/n1 + 1/n2 + g²/(2(n1+n2)) (vtype "LS")."""
    d = (m1 - m2) / _pooled_sd(sd1, n1, sd2, n2)
    m = n1 + n2 - 2
    j = np.exp(gammaln(m / 2) - np.log(np.sqrt(m / 2)) - gammaln((m - 1) / 2))
    g = j * d
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


def hedges_g_revman(
    m1: Vector, sd1: Vector, n1: Vector, m2: Vector, sd2: Vector, n2: Vector
) -> tuple[Vector, Vector]:
    """RevMan 5: g = d(1 - 3/(4N - 9)) and v = N/(n1n2) + g²/(2(N - 3.94)), N = n1 + n2."""
    n = n1 + n2
    g = (m1 - m2) / _pooled_sd(sd1, n1, sd2, n2) * (1 - 3 / (4 * n - 9))
    return g, n / (n1 * n2) + g**2 / (2 * (n - 3.94))


def double_zero(ai: Vector, bi: Vector, ci: Vector, di: Vector) -> npt.NDArray[np.bool_]:
    """Studies with no events (or only events) in both arms."""
    return np.asarray(((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0)))


def corrected_cells(
    cells: tuple[Vector, Vector, Vector, Vector], rule: Continuity
) -> tuple[tuple[Vector, Vector, Vector, Vector], Vector]:
    """The four cells after escalc's add/to, and which studies received the addition."""
    ai, bi, ci, di = cells
    has_zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    if rule.to == "all":
        target = np.ones_like(has_zero)
    elif rule.to == "only0":
        target = has_zero
    elif rule.to == "if0all":
        target = np.full_like(has_zero, bool(has_zero.any()))
    else:
        target = np.zeros_like(has_zero)
    plus = np.where(target, rule.add, 0.0)
    return (ai + plus, bi + plus, ci + plus, di + plus), target & (rule.add != 0)


def two_by_two(
    measure: str, cells: tuple[Vector, Vector, Vector, Vector], rule: Continuity
) -> EffectSizes:
    """log RR, log OR or RD per study (cells ai, bi, ci, di: events and non-events in the
    experimental then the control arm), escalc's defaults (vtype "LS")."""
    drop = double_zero(*cells) if rule.drop00 else np.zeros(len(cells[0]), dtype=np.bool_)
    keep = ~drop
    kept_cells = (cells[0][keep], cells[1][keep], cells[2][keep], cells[3][keep])
    (ai, bi, ci, di), target = corrected_cells(kept_cells, rule)
    n1, n2 = ai + bi, ci + di
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "OR":
            yi = np.log(ai * di / (bi * ci))
            vi = 1 / ai + 1 / bi + 1 / ci + 1 / di
        elif measure == "RR":
            yi = np.log((ai / n1) / (ci / n2))
            vi = 1 / ai - 1 / n1 + 1 / ci - 1 / n2
        else:
            p1, p2 = ai / n1, ci / n2
            yi = p1 - p2
            vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    kept = np.flatnonzero(keep)
    return EffectSizes(
        yi=yi,
        vi=vi,
        kept=tuple(int(i) for i in kept),
        dropped=tuple(int(i) for i in np.flatnonzero(drop)),
        corrected=tuple(int(i) for i in kept[target]),
    )
