"""Agreement statistics against published examples and independent implementations."""

from __future__ import annotations

import math
import random

import pytest
from sklearn.metrics import cohen_kappa_score

from screening.decisions.agreement_stats import (
    cohen_kappa,
    count_table,
    fleiss_kappa,
    gwet_ac1,
    kappa_ci,
    krippendorff_alpha,
    pabak,
    percent_agreement,
)

CATEGORIES = ("include", "exclude", "maybe")


def test_gwet_2008_example_kappa_paradox() -> None:
    # Gwet (2008), Br J Math Stat Psychol 61:29-48: 125 subjects, 118 agreed on one category,
    # 5 + 2 disagreements: kappa is near zero while AC1 is 0.94
    table = [[118, 5], [2, 0]]
    kappa, _ = cohen_kappa(table) or (math.nan, math.nan)
    assert kappa == pytest.approx(-0.0233918128654961, abs=1e-12)
    assert gwet_ac1(table) == pytest.approx(0.9407763376087177, abs=1e-12)
    assert pabak(table) == pytest.approx(2 * 118 / 125 - 1)
    assert percent_agreement(table) == pytest.approx(118 / 125)


def test_kappa_and_its_variance_by_hand() -> None:
    # 2x2: a=40 both include, b=10, c=5, d=45 both exclude; n = 100
    table = [[40, 10], [5, 45]]
    po, pe = 0.85, 0.5 * 0.45 + 0.5 * 0.55
    kappa = (po - pe) / (1 - pe)
    # Fleiss, Cohen & Everitt (1969), term by term
    rows, cols, k = (0.5, 0.5), (0.45, 0.55), kappa
    diag = (
        0.40 * (1 - (rows[0] + cols[0]) * (1 - k)) ** 2
        + 0.45 * (1 - (rows[1] + cols[1]) * (1 - k)) ** 2
    )
    off = (0.10 * (cols[0] + rows[1]) ** 2 + 0.05 * (cols[1] + rows[0]) ** 2) * (1 - k) ** 2
    variance = (diag + off - (k - pe * (1 - k)) ** 2) / (100 * (1 - pe) ** 2)
    got = cohen_kappa(table)
    assert got is not None
    assert got[0] == pytest.approx(kappa, abs=1e-12)
    assert got[1] == pytest.approx(math.sqrt(variance), abs=1e-12)
    lb, ub = kappa_ci(*got)
    assert (lb, ub) == pytest.approx(
        (kappa - 1.959963984540054 * got[1], kappa + 1.96 * got[1]), abs=1e-4
    )


@pytest.mark.parametrize("seed", range(5))
def test_kappa_equals_scikit_learn(seed: int) -> None:
    rng = random.Random(seed)
    first = [rng.choice(CATEGORIES) for _ in range(300)]
    second = [v if rng.random() < 0.75 else rng.choice(CATEGORIES) for v in first]
    got = cohen_kappa(count_table(zip(first, second, strict=True), CATEGORIES))
    assert got is not None
    assert got[0] == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)


def test_krippendorff_alpha_two_coders_matches_closed_form() -> None:
    # two coders, no gaps: alpha = 1 - (n - 1) * D_o / D_e with n = 2N pairable values
    pairs = (
        [("include", "include")] * 6 + [("exclude", "exclude")] * 10 + [("include", "exclude")] * 4
    )
    n_i, n_e = 6 * 2 + 4, 10 * 2 + 4
    expected = 1 - (40 - 1) * (4 * 2) / (2 * n_i * n_e)
    assert krippendorff_alpha(pairs) == pytest.approx(expected, abs=1e-12)


def test_krippendorff_alpha_skips_records_one_reviewer_reached() -> None:
    pairs = [("include", "include"), ("exclude", "exclude"), ("include", "exclude")]
    assert krippendorff_alpha([*pairs, ("include",), ("exclude",)]) == krippendorff_alpha(pairs)


def test_fleiss_kappa_worked_example() -> None:
    # Fleiss (1971)-style check by hand: 4 records, 3 reviewers
    units = [
        ("include", "include", "include"),
        ("include", "include", "exclude"),
        ("exclude", "exclude", "exclude"),
        ("exclude", "exclude", "include"),
    ]
    p_i = [1, 1 / 3, 1, 1 / 3]
    p_bar = sum(p_i) / 4
    pe = 0.5**2 + 0.5**2
    assert fleiss_kappa(units, ("include", "exclude")) == pytest.approx((p_bar - pe) / (1 - pe))


def test_fleiss_kappa_refuses_uneven_numbers_of_verdicts() -> None:
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([("include", "include"), ("include",)], ("include", "exclude"))


def test_undefined_statistics_are_none() -> None:
    all_include = [[12, 0], [0, 0]]
    assert cohen_kappa(all_include) is None
    assert krippendorff_alpha([("include", "include")] * 12) is None
    assert cohen_kappa([[0, 0], [0, 0]]) is None
    assert percent_agreement([[0, 0], [0, 0]]) is None
