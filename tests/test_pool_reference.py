"""Every fit, effect size, Mantel-Haenszel/Peto result and subgroup analysis in metafor
3.8-1's reference agrees with the engine at relative 1e-6 (absolute 1e-8 below 1)."""

from __future__ import annotations

import numpy as np
import pytest

from extraction.pooling import effect_sizes as es
from extraction.pooling.mantel_haenszel import mantel_haenszel
from extraction.pooling.peto import peto
from extraction.pooling.random_effects import fit
from extraction.pooling.subgroups import by_subgroup
from tests.pool_reference import CASES, cells, disagreements, effect_sizes

FIT_KEYS = {
    "k": "k",
    "estimate": "estimate",
    "se": "se",
    "stat": "stat",
    "ddf": "ddf",
    "pval": "pval",
    "ci_lb": "ci_lb",
    "ci_ub": "ci_ub",
    "tau2": "tau2",
    "se_tau2": "se_tau2",
    "I2": "i2",
    "H2": "h2",
    "vt": "vt",
    "I2_from_Q": "i2_from_q",
    "Q": "q",
    "Q_df": "q_df",
    "Q_pval": "q_pval",
    "knha_s2w": "s2w",
    "pi_lb": "pi_lb",
    "pi_ub": "pi_ub",
    "pi_riley_lb": "pi_riley_lb",
    "pi_riley_ub": "pi_riley_ub",
}
FIXED_KEYS = ("k", "estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "Q", "Q_pval", "I2", "H2")
SUBGROUP_KEYS = "k estimate se ci_lb ci_ub pval tau2 I2 I2_from_Q Q Q_pval".split()

FITS = [
    pytest.param(case, ref, id=f"{case['id']}-{ref['method']}-{ref['test']}")
    for case in CASES
    for ref in case["fits"]
]
FIXED = [
    pytest.param(case, name, ref, id=f"{case['id']}-{name}")
    for case in CASES
    for name, ref in case.get("dichotomous_fixed", {}).items()
]
SUBGROUPS = [
    pytest.param(
        case, key.removeprefix("subgroups_by_"), method, ref, id=f"{case['id']}-{key}-{method}"
    )
    for case in CASES
    for key in case
    if key.startswith("subgroups_by_")
    for method, ref in case[key].items()
    if not method.startswith("metaregression")
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_effect_sizes(case):
    yi, vi = effect_sizes(case)
    want = case["escalc"]
    got = {**{f"yi{i}": v for i, v in enumerate(yi)}, **{f"vi{i}": v for i, v in enumerate(vi)}}
    ref = {
        **{f"yi{i}": v for i, v in enumerate(want["yi"])},
        **{f"vi{i}": v for i, v in enumerate(want["vi"])},
    }
    assert got.keys() == ref.keys()
    assert disagreements({k: (float(got[k]), ref[k]) for k in ref}) == {}


@pytest.mark.parametrize(("case", "ref"), FITS)
def test_fit_agrees_with_metafor(case, ref):
    yi, vi = effect_sizes(case)
    got = fit(yi, vi, ref["method"], ref["test"])
    pairs = {key: (getattr(got, attr), ref[key]) for key, attr in FIT_KEYS.items()}
    pairs |= {
        f"weight{i}": pair
        for i, pair in enumerate(zip(got.weights_pct, ref["weights_pct"], strict=True))
    }
    bounds = ref["heterogeneity_ci_qprofile"]
    for key, want in bounds.items():
        attr = key.replace("I2", "i2").replace("H2", "h2")
        pairs[key] = (getattr(got.tau2_ci, attr) if got.tau2_ci else None, want)
    assert disagreements(pairs) == {}


@pytest.mark.parametrize(("case", "name", "ref"), FIXED)
def test_mantel_haenszel_and_peto_agree_with_metafor(case, name, ref):
    tables = cells(case)
    if ref["measure"] == "PETO":
        got = peto(tables)
    elif name == "MH_OR_cc_in_MH":  # rma.mh(add=c(1/2, 1/2), to=c("only0", "only0"))
        got = mantel_haenszel("OR", tables, mh_rule=es.Continuity(0.5, "only0", False))
    else:
        got = mantel_haenszel(ref["measure"], tables)
    attrs = {"Q": "q", "Q_pval": "q_pval", "I2": "i2", "H2": "h2"}
    pairs = {k: (getattr(got, attrs.get(k, k)), ref[k]) for k in FIXED_KEYS if k in ref}
    assert disagreements(pairs) == {}


@pytest.mark.parametrize(("case", "column", "method", "ref"), SUBGROUPS)
def test_subgroups_agree_with_metafor(case, column, method, ref):
    yi, vi = effect_sizes(case)
    labels = case["input"][f"subgroup_{column}"]
    got = by_subgroup(labels, lambda at: fit(yi[at], vi[at], method, "z"))
    attrs = {"I2": "i2", "I2_from_Q": "i2_from_q", "Q": "q", "Q_pval": "q_pval"}
    pairs = {}
    for want in ref["subgroups"]:
        part = got.fits[got.levels.index(want["subgroup"])]
        for key in SUBGROUP_KEYS:
            pairs[f"{want['subgroup']}.{key}"] = (getattr(part, attrs.get(key, key)), want[key])
    test = ref["test_for_subgroup_differences"]
    pairs |= {
        "Q_between": (got.test.q, test["Q_between"]),
        "df": (got.test.df, test["df"]),
        "pval": (got.test.pval, test["pval"]),
        "I2_between": (got.test.i2, test["I2_between"]),
    }
    assert disagreements(pairs) == {}


def test_every_case_has_fits_to_check():
    assert FITS and FIXED and SUBGROUPS
    assert all(case["fits"] for case in CASES)
    assert np.isfinite([f["estimate"] for c in CASES for f in c["fits"]]).all()
