"""Mantel-Haenszel pooling of 2x2 tables as metafor's rma.mh does it: OR with the
Robins-Breslow-Greenland variance, RR (Greenland-Robins), RD with the Sato-Greenland-Robins
variance; Q from inverse-variance weights around the MH estimate."""

from __future__ import annotations

import numpy as np

from db.errors import MetasiftError
from extraction.pooling.effect_sizes import Continuity, corrected_cells, two_by_two
from extraction.pooling.fixed import fixed_result, inverse_variance_q
from extraction.pooling.result import Pooled, Vector

Cells = tuple[Vector, Vector, Vector, Vector]
# rma.mh's defaults: escalc's correction for Q (dropping double zeros), none for MH itself
Q_RULE = Continuity(add=0.5, to="only0", drop00=True)
MH_RULE = Continuity(add=0.0, to="none", drop00=False)


def mantel_haenszel(
    measure: str, cells: Cells, q_rule: Continuity = Q_RULE, mh_rule: Continuity = MH_RULE
) -> Pooled:
    """Pool the tables (ai, bi, ci, di per study) by MH for measure OR, RR or RD."""
    if measure not in ("OR", "RR", "RD"):
        raise MetasiftError(f"--method MH: Mantel-Haenszel pools RR, OR or RD, not {measure}")
    sizes = two_by_two(measure, cells, q_rule)
    if mh_rule.drop00:
        keep = ~np.isin(np.arange(len(cells[0])), sizes.dropped)
        cells = (cells[0][keep], cells[1][keep], cells[2][keep], cells[3][keep])
    adjusted, _ = corrected_cells(cells, mh_rule)
    estimate, se, weights = POOLERS[measure](*adjusted)
    q, q_df = inverse_variance_q(sizes.yi, sizes.vi, estimate)
    return fixed_result("MH", estimate, se, q, q_df, weights)


def _odds_ratio(ai: Vector, bi: Vector, ci: Vector, di: Vector) -> tuple[float, float, Vector]:
    n = ai + bi + ci + di
    p, q = (ai + di) / n, (bi + ci) / n
    r, s = ai * di / n, bi * ci / n
    big_r, big_s = float(r.sum()), float(s.sum())
    if big_r == 0 or big_s == 0:
        raise MetasiftError("Mantel-Haenszel OR is undefined: no study has a concordant pair")
    variance = 0.5 * (
        np.sum(p * r) / big_r**2
        + np.sum(p * s + q * r) / (big_r * big_s)
        + np.sum(q * s) / big_s**2
    )
    return float(np.log(big_r / big_s)), float(np.sqrt(variance)), s


def _risk_ratio(ai: Vector, bi: Vector, ci: Vector, di: Vector) -> tuple[float, float, Vector]:
    n1, n2 = ai + bi, ci + di
    n = n1 + n2
    r, s = float(np.sum(ai * n2 / n)), float(np.sum(ci * n1 / n))
    if ai.sum() == 0 or ci.sum() == 0:
        raise MetasiftError("Mantel-Haenszel RR is undefined: an arm has no events in any study")
    variance = np.sum(n1 / n * (n2 / n) * (ai + ci) - ai / n * ci) / (r * s)
    return float(np.log(r / s)), float(np.sqrt(variance)), ci / n * n1


def _risk_difference(ai: Vector, bi: Vector, ci: Vector, di: Vector) -> tuple[float, float, Vector]:
    n1, n2 = ai + bi, ci + di
    n = n1 + n2
    weights = n1 * (n2 / n)
    total = float(weights.sum())
    rd = float(np.sum(ai * (n2 / n) - ci * (n1 / n)) / total)
    spread = rd * np.sum(
        ci * (n1 / n) ** 2 - ai * (n2 / n) ** 2 + n1 / n * (n2 / n) * (n2 - n1) / 2
    )
    spread += np.sum(ai * (n2 - ci) / n + ci * (n1 - ai) / n) / 2
    if not spread > 0:
        # every study has both arms at risk 0 (or both at 1): RD = 0 with variance 0, and a
        # z test of 0/0 would be a crash or a NaN (the reference has no such case to follow)
        raise MetasiftError(
            "Mantel-Haenszel RD has no variance: in every study both arms have no events "
            "(or only events), so there is nothing to test"
        )
    return rd, float(np.sqrt(spread / total**2)), weights


POOLERS = {"OR": _odds_ratio, "RR": _risk_ratio, "RD": _risk_difference}
