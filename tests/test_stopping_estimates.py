"""The stopping figures on worked examples checked by hand, and against the papers' formulas
with scipy's hypergeometric distribution (the code itself never loads scipy)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import hypergeom

from screening.protocol import StoppingRule
from screening.stopping.estimates import (
    consecutive_excludes,
    hypergeom_cdf,
    knee,
    knee_point,
    since_last_include,
    zero_event_bound,
)
from screening.stopping.guidance import guidance, guidance_lines
from screening.stopping.history import History
from screening.stopping.random_sample import null_successes, random_sample, upper_includes

T, F = True, False


def test_records_since_the_last_include_count_back_to_it() -> None:
    assert since_last_include([T, F, F, T, F, F, F]) == 3
    assert since_last_include([F, T]) == 0
    assert since_last_include([F] * 5) == 5  # no include yet: everything screened
    assert since_last_include([]) == 0


def test_a_run_of_excludes_is_met_at_the_protocols_number() -> None:
    labels = [T, F, F, F]
    assert consecutive_excludes(labels, 3).met is True
    found = consecutive_excludes(labels, 4)
    assert found.met is False and found.note == "3 of 4 excludes in a row"
    assert found.confidence is None  # a heuristic says nothing about confidence


def test_zero_event_bound_is_one_minus_alpha_to_the_one_over_m() -> None:
    # by hand: 0.05 ** (1/3) = exp(ln 0.05 / 3) = exp(-0.998577) = 0.368403
    bound = zero_event_bound([T, F, F, F], total=14, confidence=0.95)
    assert bound.figures["rate_upper"] == pytest.approx(1 - 0.368403, abs=1e-6)
    assert bound.unseen_upper == pytest.approx(10 * 0.631597, abs=1e-5)  # 10 records left
    # the rule of three: no event in m trials bounds the rate near 3/m
    hundred = zero_event_bound([T] + [F] * 100, total=1101, confidence=0.95)
    assert hundred.figures["rate_upper"] == pytest.approx(3 / 100, abs=0.001)
    last_is_include = zero_event_bound([F, T], total=10, confidence=0.95)
    assert last_is_include.unseen_upper is None and "not computed" in last_is_include.note
    assert "an include" in last_is_include.note
    assert "nothing screened yet" in zero_event_bound([], total=10, confidence=0.95).note
    assert "no record is left" in zero_event_bound([T, F], total=2, confidence=0.95).note


def test_knee_of_ten_includes_then_190_excludes_stops() -> None:
    labels = [T] * 10 + [F] * 190
    # the knee: includes found minus the chord 10/200 per record peak at record 10 (9.5)
    assert knee_point(labels) == (10, 10)
    # slope ratio (10/10) / ((10 - 10 + 1) / (200 - 10)) = 190; needed 156 - min(10, 150)
    found = knee(labels)
    assert found.figures["ratio"] == pytest.approx(190)
    assert found.figures["ratio_needed"] == 146
    assert found.met is True


def test_knee_waits_for_150_records_and_a_steep_enough_ratio() -> None:
    early = knee([T] * 10 + [F] * 100)  # ratio 1 / (1/100) = 100 < 146, 110 < 150 screened
    assert early.figures["ratio"] == pytest.approx(100)
    assert early.met is False and "needs 150 screened" in early.note
    steady = knee([T, F] * 100)  # no knee in a straight line: the rate never falls
    assert steady.met is False
    assert knee([F] * 200).met is False  # no include, no knee


@pytest.mark.parametrize(
    ("k", "population", "successes", "draws"),
    [(0, 500, 2, 200), (3, 1660, 40, 200), (5, 100, 30, 10), (0, 10, 0, 5), (2, 10, 9, 3),
     (12, 5000, 60, 900), (1, 20, 20, 20)],
)  # fmt: skip
def test_hypergeometric_cdf_matches_scipy(k: int, population: int, successes: int, draws: int):
    expected = hypergeom.cdf(k, population, successes, draws)
    assert hypergeom_cdf(k, population, successes, draws) == pytest.approx(expected, rel=1e-9)


def test_null_hypothesis_includes_follow_the_paper_in_exact_fractions() -> None:
    # K = floor((r_AL + k) / target - r_AL + 1): recall < 0.95 with 19 found needs 2 more
    # (19/20 = 0.95 exactly is not below it); 19 / 0.95 in floats is 20.000000000000004
    assert null_successes(19, 0, 0.95) == 2
    assert null_successes(20, 0, 0.95) == 2  # 20/21.05...: 22 in all, 2 more
    assert null_successes(15, 5, 0.9) == math.floor(20 / 0.9 - 15 + 1) == 8


def test_random_sample_of_200_with_no_include_worked_by_hand() -> None:
    # 1,000 records; 500 screened by priority (20 includes), then 200 drawn at random, none
    # an include. Null: at least K = floor(20/0.95 - 20 + 1) = 2 includes among the 500.
    # p = P(X = 0) = C(498, 200) / C(500, 200) = (300 * 299) / (500 * 499) = 0.359519
    labels = [T] * 20 + [F] * 480 + [F] * 200
    found = random_sample(labels, 1000, 500, 0.95, 0.95)
    assert found.figures["null_includes"] == 2
    assert found.figures["p"] == pytest.approx(300 * 299 / (500 * 499), rel=1e-9)
    assert found.met is False  # 0.36 is no evidence that recall reached 95%
    assert found.unseen == 0.0


def test_random_sample_upper_bound_is_the_largest_k_scipy_does_not_reject() -> None:
    labels = [T] * 30 + [F] * 270 + [T, T] + [F] * 398  # 400 drawn at random, 2 includes
    found = random_sample(labels, 2000, 300, 0.95, 0.95)
    population, drawn = 1700, 400
    assert found.unseen == pytest.approx(2 * (population - drawn) / drawn)  # 2/400 of 1,300
    scan = max(K for K in range(2, 200) if hypergeom.cdf(2, population, K, drawn) > 0.05)
    assert upper_includes(2, population, drawn, 0.95) == scan
    assert found.unseen_upper == scan - 2
    null = math.floor(32 / 0.95 - 30 + 1)
    assert found.figures["p"] == pytest.approx(hypergeom.cdf(2, population, null, drawn))
    assert found.met is (found.figures["p"] < 0.05)


def test_random_sample_says_what_it_needs_when_it_cannot_be_computed() -> None:
    labels = [T, F, F]
    assert "random_after" in random_sample(labels, 100, None, 0.95, 0.95).note
    assert "no record screened at random" in random_sample(labels, 100, 3, 0.95, 0.95).note
    assert "more than the 100" in random_sample(labels, 100, 101, 0.95, 0.95).note
    assert random_sample(labels, 100, None, 0.95, 0.95).computed is False


def test_guidance_names_every_method_and_the_protocols_rule() -> None:
    history = History("title-abstract", "ana", tuple([T] * 10 + [F] * 190), 1000)
    shown = guidance(history, StoppingRule("knee"))
    assert shown.since_last_include == 190
    assert shown.protocol_rule is not None and shown.protocol_rule.met is True
    text = "\n".join(guidance_lines(shown))
    for name in ("Excludes in a row", "rule of three", "Cormack & Grossman 2016",
                 "Callaghan & Mueller-Hansen 2020", "review.toml's rule, knee: MET",
                 "guidance only"):  # fmt: skip
        assert name in text
    assert shown.as_json()["protocol_rule_met"] is True
