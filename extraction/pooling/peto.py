"""Peto's one-step odds ratio as metafor's rma.peto computes it: Σ(O - E)/ΣV on the log
scale, Q = Σ(O - E)²/V - (Σ(O - E))²/ΣV over tables with V > 0."""

from __future__ import annotations

import numpy as np

from db.errors import MetasiftError
from extraction.pooling.effect_sizes import Continuity, corrected_cells, two_by_two
from extraction.pooling.fixed import fixed_result
from extraction.pooling.mantel_haenszel import MH_RULE, Q_RULE, Cells
from extraction.pooling.result import Pooled


def peto(cells: Cells, q_rule: Continuity = Q_RULE, peto_rule: Continuity = MH_RULE) -> Pooled:
    """Pool the tables (ai, bi, ci, di per study) by Peto's method (log odds ratio)."""
    counted = len(two_by_two("OR", cells, q_rule).yi)  # rma.peto's k.yi sets Q's df
    (ai, bi, ci, di), _ = corrected_cells(cells, peto_rule)
    n1, n2 = ai + bi, ci + di
    n = n1 + n2
    events, others = ai + ci, bi + di
    expected = events * n1 / n
    variance = events * others * (n1 / n) * (n2 / n) / (n - 1)
    total = float(variance.sum())
    if total == 0:
        raise MetasiftError("Peto: one of the two outcomes never occurred in any study")
    observed_less_expected = ai - expected
    informative = variance > 0
    q = float(np.sum(observed_less_expected[informative] ** 2 / variance[informative]))
    q = max(0.0, q - float(observed_less_expected.sum()) ** 2 / total)
    q_df = counted - 1 if int(informative.sum()) > 1 else 0
    estimate = float(observed_less_expected.sum()) / total
    return fixed_result("PETO", estimate, float(np.sqrt(1 / total)), q, q_df, variance)
