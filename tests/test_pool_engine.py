"""The pooling engine's rules beside the reference: escalc's continuity targets, refusals
where a method has nothing to pool, RevMan's identity for the fixed-effect subgroup test, the
root finder metafor's uniroot uses, and tau² that scales with the data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from db.errors import MetasiftError
from extraction.pooling import effect_sizes as es
from extraction.pooling.choices import RANDOM_METHODS
from extraction.pooling.distributions import chi2_quantile
from extraction.pooling.mantel_haenszel import mantel_haenszel
from extraction.pooling.peto import peto
from extraction.pooling.random_effects import fit
from extraction.pooling.subgroups import by_subgroup
from extraction.pooling.tau2 import TAU2_MAX, generalised_q
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


# three trials' means and SDs (m1i, sd1i, n1i, m2i, sd2i, n2i) in units where REML's tau² is
# 771.3, with a Q-profile CI of about [151, 3.4e4]: x100 and x10^4 they pass metafor's 1e6
SPREAD_OUT = tuple(
    np.array(column, dtype=float)
    for column in zip(
        (34.0, 25.0, 20, 14.0, 25.0, 20),
        (26.4, 25.0, 14, 51.5, 25.0, 14),
        (30.0, 28.0, 26, 0.0, 25.0, 15),
        strict=True,
    )
)


@pytest.mark.parametrize("method", RANDOM_METHODS)
@pytest.mark.parametrize("scale", [100.0, 10_000.0])
def test_tau2_and_its_ci_scale_with_the_data(method, scale):
    yi, vi = es.mean_difference(*SPREAD_OUT)
    small, large = fit(yi, vi, method), fit(yi * scale, vi * scale**2, method)
    assert large.tau2 > TAU2_MAX
    assert large.tau2 == pytest.approx(small.tau2 * scale**2, rel=1e-6)
    assert large.estimate == pytest.approx(small.estimate * scale, rel=1e-6)
    assert small.tau2_ci and large.tau2_ci
    for bound in ("tau2_lb", "tau2_ub"):
        want = getattr(small.tau2_ci, bound) * scale**2
        assert getattr(large.tau2_ci, bound) == pytest.approx(want, rel=1e-6), bound


def test_q_profile_bound_past_1e6_is_the_root_not_a_cap():
    yi, vi = es.mean_difference(*SPREAD_OUT)
    yi, vi = yi[:2] * 100, vi[:2] * 100**2  # two studies, as in the demo's k = 2 analysis
    upper = fit(yi, vi, "DL").tau2_ci
    assert upper and upper.tau2_ub > TAU2_MAX
    # k = 2: the upper bound is where Q falls to the 2.5% point of chi² on 1 df
    assert generalised_q(yi, vi, upper.tau2_ub) == pytest.approx(chi2_quantile(0.025, 1), rel=1e-6)


@pytest.mark.parametrize("events", [0, 1], ids=["no events", "only events"])
def test_mantel_haenszel_rd_without_variance_is_refused(events):
    totals = np.array([20.0, 30.0])
    cases = events * totals
    tables = (cases, totals - cases, cases, totals - cases)
    with pytest.raises(MetasiftError, match="Mantel-Haenszel RD has no variance"):
        mantel_haenszel("RD", tables)


@pytest.mark.parametrize("method", ["DL", "REML", "HE", "SJ"])
def test_effect_sizes_past_1e75_are_refused_before_they_overflow(method):
    yi, vi = np.array([1e100, -1e100, 3e100]), np.array([1.0, 2.0, 1.0])
    with pytest.raises(MetasiftError, match="give the data in a larger unit"):
        fit(yi, vi, method)
    scaled = fit(yi / 1e30, vi, method)  # 1e70: pooled
    assert np.isfinite(scaled.estimate) and np.isfinite(scaled.tau2)
