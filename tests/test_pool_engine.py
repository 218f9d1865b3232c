"""The pooling engine's rules beside the reference: escalc's continuity targets, refusals
where a method has nothing to pool, RevMan's identity for the fixed-effect subgroup test, and
the root finder metafor's uniroot uses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from db.errors import MetasiftError
from extraction.pooling import effect_sizes as es
from extraction.pooling.mantel_haenszel import mantel_haenszel
from extraction.pooling.peto import peto
from extraction.pooling.random_effects import fit
from extraction.pooling.subgroups import by_subgroup
from extraction.pooling.zeroin import zeroin
from tests.pool_reference import CASES, effect_sizes

TABLES = (np.array([0.0, 2.0]), np.array([10.0, 8.0]), np.array([5.0, 3.0]), np.array([5.0, 7.0]))


def log_or(a: float, b: float, c: float, d: float) -> float:
    return math.log(a * d / (b * c))


@pytest.mark.parametrize(
    ("to", "first", "second"),
    [
        ("only0", log_or(0.5, 10.5, 5.5, 5.5), log_or(2, 8, 3, 7)),
        ("if0all", log_or(0.5, 10.5, 5.5, 5.5), log_or(2.5, 8.5, 3.5, 7.5)),
        ("all", log_or(0.5, 10.5, 5.5, 5.5), log_or(2.5, 8.5, 3.5, 7.5)),
    ],
)
def test_continuity_targets_follow_escalc(to, first, second):
    sizes = es.two_by_two("OR", TABLES, es.Continuity(0.5, to))
    assert sizes.yi == pytest.approx([first, second], rel=1e-12)


def test_no_correction_leaves_a_zero_cell_infinite():
    sizes = es.two_by_two("OR", TABLES, es.Continuity(0.5, "none"))
    assert sizes.yi[0] == -math.inf and sizes.corrected == ()


def test_drop00_drops_double_zero_studies_and_says_which():
    tables = tuple(np.append(cell, extra) for cell, extra in zip(TABLES, (0, 9, 0, 9), strict=True))
    sizes = es.two_by_two("RR", tables, es.Continuity(drop00=True))
    assert sizes.dropped == (2,) and sizes.kept == (0, 1)


def test_nothing_to_pool_is_refused():
    no_events = (np.zeros(2), np.array([10.0, 8.0]), np.zeros(2), np.array([9.0, 7.0]))
    with pytest.raises(MetasiftError, match="Peto: one of the two outcomes never occurred"):
        peto(no_events)
    with pytest.raises(MetasiftError, match="Mantel-Haenszel RR is undefined"):
        mantel_haenszel("RR", no_events)
    with pytest.raises(MetasiftError, match="not an inverse-variance method"):
        fit(np.ones(2), np.ones(2), "MH")


def test_fixed_effect_subgroup_test_is_q_total_less_the_subgroups_q():
    bcg = next(c for c in CASES if c["id"] == "bcg_logRR")
    yi, vi = effect_sizes(bcg)
    got = by_subgroup(bcg["input"]["subgroup_alloc"], lambda at: fit(yi[at], vi[at], "FE"))
    within = sum(part.q for part in got.fits)
    assert got.test.q == pytest.approx(fit(yi, vi, "FE").q - within, rel=1e-9)


def test_k1_reports_the_switch_to_z():
    got = fit(np.array([0.3]), np.array([0.04]), "REML", "knha")
    assert got.test == "z" and got.tau2 == 0 and got.i2_from_q is None
    assert "since k = 1" in got.notes[0]


def test_zeroin_matches_a_known_root():
    assert zeroin(lambda x: x * x - 2, 0.0, 2.0, tol=1e-14) == pytest.approx(
        math.sqrt(2), abs=1e-13
    )
