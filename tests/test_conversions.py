"""extraction.conversions against the worked values of the reference file, to 1e-9."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extraction.conversions.derived import ConversionError
from extraction.conversions.medians import from_median
from extraction.conversions.spread import (
    combine_groups,
    from_ci,
    from_se,
    pooled_sd_from_difference_ci,
)

REFERENCE = Path(__file__).parent / "fixtures" / "reference" / "metafor_dev_reference.json"
WORKED = json.loads(REFERENCE.read_text(encoding="utf-8"))["conversions"]
TOL = 1e-9


def _args(case: dict) -> dict:
    given = case["input"]
    return {"q1": given["q1"], "q3": given["q3"], "low": given["min"], "high": given["max"]}


@pytest.mark.parametrize("case", WORKED["fivenum"], ids=lambda c: c["scenario"].split()[0])
def test_median_conversions_equal_the_worked_values(case):
    n, median = case["input"]["n"], case["input"]["median"]
    luo = from_median(n, median, **_args(case))
    assert luo.mean == pytest.approx(case["mean_luo"], abs=TOL)
    simple = from_median(n, median, **_args(case), mean_method="wan")
    assert simple.mean == pytest.approx(case.get("mean_wan", case.get("mean_hozo_wan")), abs=TOL)
    wan = from_median(n, median, **_args(case), sd_method="wan")
    assert wan.sd == pytest.approx(case["sd_wan"], abs=TOL)
    if "sd_shi" in case:  # all five numbers: Shi is the default
        assert luo.sd == pytest.approx(case["sd_shi"], abs=TOL)
        assert "Shi et al. 2020" in luo.method
    else:
        assert luo.sd == wan.sd and "Wan et al. 2014" in luo.method
    assert "Luo et al. 2018" in luo.method


def test_the_metablue_anchor():
    assert from_median(30, 4, low=1, high=10).sd == pytest.approx(2.205578, abs=1e-6)


@pytest.mark.parametrize("case", WORKED["se_to_sd"])
def test_se_to_sd(case):
    assert from_se(case["n"], 0.0, case["se"]).sd == pytest.approx(case["sd"], abs=TOL)


@pytest.mark.parametrize("case", WORKED["ci_to_sd"])
def test_ci_to_sd_t_below_60_and_exact_z_from_60(case):
    derived = from_ci(case["n"], None, case["ci_lb"], case["ci_ub"])
    expected = case["sd_t"] if case["n"] < 60 else case["sd_z"]
    assert derived.sd == pytest.approx(expected, abs=TOL)
    assert ("t(0.975" in derived.method) == (case["n"] < 60)
    handbook = from_ci(case["n"], None, case["ci_lb"], case["ci_ub"], divisor=3.92)
    assert handbook.sd == pytest.approx(case["sd_handbook_3.92"], abs=TOL)
    assert derived.mean == pytest.approx((case["ci_lb"] + case["ci_ub"]) / 2)


def test_pooled_sd_from_the_ci_of_a_mean_difference():
    case = WORKED["md_ci_to_pooled_sd"]
    args = (case["n1"], case["n2"], case["md_ci_lb"], case["md_ci_ub"])
    assert pooled_sd_from_difference_ci(*args) == pytest.approx(case["sd_pooled_z"], abs=TOL)
    assert pooled_sd_from_difference_ci(*args, t=True) == pytest.approx(
        case["sd_pooled_t"], abs=TOL
    )


@pytest.mark.parametrize("case", WORKED["combine_groups"])
def test_combining_subgroups(case):
    combined = combine_groups([tuple(g) for g in case["groups"]])
    assert combined.n == case["combined"]["n"]
    assert combined.mean == pytest.approx(case["combined"]["mean"], abs=TOL)
    assert combined.sd == pytest.approx(case["combined"]["sd"], abs=TOL)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: from_median(40, 25, q1=28.1, q3=36.2), "q1"),
        (lambda: from_median(40, 30, q1=28, q3=36, low=29, high=45), "min"),
        (lambda: from_median(1, 30, q1=28, q3=36), "n"),
        (lambda: from_median(40, 30, q1=28), "q3"),
        (lambda: from_median(40, 30), "q1"),
        (lambda: from_median(40, 30, q1=28, q3=36, sd_method="shi"), "sd_method"),
        (lambda: from_se(20, 3.0, -0.1), "se"),
        (lambda: from_ci(20, None, 5.0, 5.0), "ci_low"),
        (lambda: from_ci(20, 9.0, 1.0, 5.0), "mean"),
        (lambda: from_ci(20, None, 1.0, 5.0, level=95), "level"),
        (lambda: from_median(40, float("nan"), q1=28, q3=36), "median"),
    ],
)
def test_impossible_input_names_the_quantity(call, field):
    with pytest.raises(ConversionError) as caught:
        call()
    assert caught.value.field == field


def test_skewed_data_carry_a_warning_not_a_refusal():
    skewed = from_median(50, 10, q1=9, q3=30)
    assert skewed.warning is not None and "skewed" in skewed.warning
    assert from_median(50, 10, q1=8, q3=12).warning is None


@pytest.mark.parametrize("n", [10**6, 10**12, 2**52 + 1, 2**53])
def test_range_sd_stays_exact_for_large_n(n):
    from scipy.stats import norm

    # xi(n) = 2 Phi^-1((n - 0.375)/(n + 0.25)) = 2 Phi^-1 of its upper tail 0.625/(n + 0.25)
    want = (45 - 20) / (2 * norm.isf(0.625 / (n + 0.25)))
    assert from_median(n, 31.5, low=20, high=45).sd == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda n: from_median(n, 31.5, low=20, high=45),
        lambda n: from_median(n, 31.5, q1=28.1, q3=36.2, low=20, high=45),
        lambda n: from_se(n, 3.0, 1.0),
        lambda n: from_ci(n, None, 30.1, 34.7),
    ],
    ids=["median-range", "five numbers", "SE", "CI"],
)
@pytest.mark.parametrize("n", [2**53 + 1, 10**23, 10**400], ids=["2^53+1", "1e23", "1e400"])
def test_n_past_2_53_is_refused_naming_n(call, n):
    with pytest.raises(ConversionError, match="n must be at most 9007199254740992") as caught:
        call(n)
    assert caught.value.field == "n"
