"""metasift analyse: the small-study tests against metafor 3.8-1's (the reference file's
small_study_tests, every case that has them), leave-one-out against the engine's own fits,
the command on a small review's agreed values (tests/sheets_support.py), the forest plot read
back from its SVG, the terminal forest plot, and the sensitivity analysis without studies at
high risk of bias."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from extraction.cli.analyse import build
from extraction.plots.funnel import small_study_lines
from extraction.pooling.analysis import Options
from extraction.pooling.analysis import analyse as analyse_studies
from extraction.pooling.random_effects import fit
from extraction.pooling.referees import SmallStudyTests, leave_one_out_lines
from extraction.pooling.small_studies import advice, begg_test, egger_test, leave_one_out
from extraction.pooling.table import Studies
from extraction.rob.instrument import find_instrument
from extraction.rob.ledger import Target
from tests.pool_reference import CASES, agrees, effect_sizes
from tests.sheets_support import THREE_ARM, TWO_ARM, filled_review
from tests.test_rob_answers import ALL_LOW
from tests.test_rob_cli import HIGH_D1, _answer

WITH_TESTS = [c for c in CASES if c.get("small_study_tests")]
ALBUMIN = ["--outcome", "albumin", "--timepoint", "6 months"]
# inverse-variance weights of Shi 2012 (31 - 29.5, var 16/20 + 16/16) and Lin 2017 (its two
# MSC arms combined: 32 - 28, var 368/19/20 + 25/12), as test_sheets_analysis works them out
V1, V2 = 16 / 20 + 16 / 16, 368 / 19 / 20 + 25 / 12
FE_ESTIMATE = (1.5 / V1 + 4 / V2) / (1 / V1 + 1 / V2)
FE_WEIGHTS = (100 * (1 / V1) / (1 / V1 + 1 / V2), 100 * (1 / V2) / (1 / V1 + 1 / V2))


@pytest.mark.parametrize("case", WITH_TESTS, ids=[c["id"] for c in WITH_TESTS])
def test_small_study_tests_agree_with_metafor(case):
    yi, vi = effect_sizes(case)
    want = case["small_study_tests"]
    egger, begg = egger_test(yi, vi), begg_test(yi, vi)
    ref = want["egger_lm_sei"]
    for got, key in ((egger.stat, "stat"), (egger.pval, "pval"),
                     (egger.limit_estimate, "limit_estimate")):  # fmt: skip
        assert abs(got - ref[key]) <= 1e-6 * abs(ref[key]), key
    assert egger.df == ref["df"]
    for got, key in ((begg.tau, "tau"), (begg.pval, "pval")):
        assert abs(got - want["begg_rank"][key]) <= 1e-6 * abs(want["begg_rank"][key]), key


def test_reference_has_small_study_tests_and_advice_says_when_k_is_small():
    assert len(WITH_TESTS) >= 2
    assert "advised at k >= 10" in advice(13)
    assert "fewer than 10" in advice(9)
    bcg = next(c for c in WITH_TESTS if c["id"] == "bcg_logRR")
    yi, vi = effect_sizes(bcg)
    tests = SmallStudyTests(len(yi), egger_test(yi, vi), begg_test(yi, vi))
    lines = small_study_lines(tests, lambda x: f"{math.exp(x):.3f} (exponentiated)")
    assert lines == [
        "Egger's regression test: t = -1.40, df = 11 (P = 0.1887); "
        f"limit estimate {math.exp(-0.19092864235982):.3f} (exponentiated)",
        "Begg's rank correlation test: Kendall's tau = 0.026 (P = 0.9524, exact)",
        "Note: k = 13: the tests are advised at k >= 10 (Cochrane Handbook 13.3.5.4).",
    ]


def test_leave_one_out_equals_the_engine_on_the_others():
    case = next(c for c in CASES if c["id"] == "bcg_logRR")
    yi, vi = effect_sizes(case)
    names = tuple(case["input"]["study"])
    studies = Studies("bcg", "yivi", names, tuple(range(2, len(names) + 2)),
                      {"yi": yi, "vi": vi})  # fmt: skip
    rows = leave_one_out(studies, Options("RR", "REML", "knha"))
    assert [name for name, _ in rows] == list(names)
    for i, (_, pooled) in enumerate(rows):
        keep = np.arange(len(yi)) != i
        want = fit(yi[keep], vi[keep], "REML", "knha")
        assert (pooled.k, pooled.estimate, pooled.tau2) == (want.k, want.estimate, want.tau2)
        assert agrees(pooled.ci_lb, want.ci_lb) and agrees(pooled.i2, want.i2)
    run = analyse_studies(studies, Options("RR", "REML", "knha"))
    tiny = [(name, replace(p, pval=1e-9)) for name, p in rows[:1]]
    (line,) = leave_one_out_lines(run, tiny)[2:]
    assert " <0.0001 " in line and "0.0000" not in line


@pytest.fixture
def review(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from filled_review(tmp_path)


def analyse(review, *args: str):  # type: ignore[no-untyped-def]
    db, form, opener = review
    return CliRunner().invoke(build(opener), list(args))


def test_analyse_pools_the_agreed_values_as_the_sheet_does(review):
    out = analyse(review, *ALBUMIN, "--method", "FE", "--json", "--leave-one-out")
    assert out.exit_code == 0, out.output
    got = json.loads(out.stdout)
    assert got["k"] == 2 and got["estimate"] == pytest.approx(FE_ESTIMATE, rel=1e-12)
    assert got["weights_pct"] == pytest.approx(FE_WEIGHTS, rel=1e-12)
    # each weight named by its study, beside the study's effect size
    assert [s["study"] for s in got["studies"]] == ["Shi 2012", "Lin 2017"]
    assert [s["weight_pct"] for s in got["studies"]] == got["weights_pct"]
    assert got["studies"][0]["yi"] == pytest.approx(1.5)
    assert [r["omitted"] for r in got["leave_one_out"]] == ["Shi 2012", "Lin 2017"]
    assert got["leave_one_out"][0]["estimate"] == pytest.approx(4.0)  # Lin 2017 alone
    assert got["leave_one_out"][1]["estimate"] == pytest.approx(1.5)  # Shi 2012 alone


def test_analyse_text_is_a_forest_plot_in_the_terminal(review):
    out = analyse(review, *ALBUMIN, "--method", "FE")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert "Mean Difference, IV, Fixed, 95% CI" in lines[0]
    shi = next(line for line in lines if line.startswith("Shi 2012"))
    assert "■" in shi and "1.50 [-1.13, 4.13]" in shi and f"{FE_WEIGHTS[0]:.1f}%" in shi
    assert "┼" in shi  # its CI crosses no effect: the line shows through (it was hidden)
    total = next(line for line in lines if line.startswith("Total (95% CI)"))
    assert "◆" in total and f"{FE_ESTIMATE:.2f} [" in total and "100.0%" in total
    assert any(line.strip().startswith("Test for overall effect: Z = ") for line in lines)
    assert "Method: fixed effect, inverse variance; Wald z test and CI." in lines


def test_analyse_refuses_what_it_cannot_pool(review, tmp_path):
    out = analyse(review, "--outcome", "albumin")  # the root group prints MetasiftError
    assert out.exit_code == 1 and "choose one with --timepoint" in str(out.exception)
    out = analyse(review, *ALBUMIN, "--plot", str(tmp_path / "forest.pdf"))
    assert out.exit_code == 2 and ".svg or .png" in out.output
    out = analyse(review, "--outcome", "meld")
    assert out.exit_code == 1 and str(out.exception) == (
        "--outcome meld: not an outcome of the form (its outcomes: albumin, bilirubin, adverse)"
    )
    out = analyse(review, "--outcome", "bilirubin")  # in the form, nothing extracted
    assert out.exit_code == 1 and "--outcome bilirubin: no value of it to pool yet" in str(
        out.exception
    )
    out = analyse(review, *ALBUMIN, "--measure", "OR")  # albumin has means
    assert out.exit_code == 1
    assert str(out.exception) == "--measure OR: albumin has means, not events: use MD or SMD"
    out = analyse(review, *ALBUMIN, "--subgroup", "randomised")  # yes/no: no subgroup column
    assert out.exit_code == 1 and str(out.exception) == (
        "--subgroup randomised: Randomised is a yes/no field; subgroups come from a choice "
        "field of the form (design)"
    )


def test_exclude_high_risk_with_every_study_high_says_so(review):
    db, _, _ = review
    rob2 = find_instrument("rob2")
    for study in (TWO_ARM, THREE_ARM):
        for who in ("ana", "ben"):
            _answer(db, Target(rob2, study, "", who), HIGH_D1)
    out = analyse(review, *ALBUMIN, "--exclude-high-risk")
    assert out.exit_code == 1
    assert str(out.exception) == (
        "--exclude-high-risk: all 2 studies of this analysis are at high risk of bias; "
        "nothing is left to pool"
    )


def svg_texts(path: Path) -> dict[str, str]:
    """The text of each element with an id, from an SVG drawn with svg.fonttype none."""
    found = {}
    for gid, body in re.findall(r'<g id="([^"]+)">\s*<text[^>]*>([^<]*)</text>', path.read_text()):
        found[gid] = body
    return found


def square_sizes(path: Path) -> dict[str, float]:
    """The drawn width of each study's square (its marker's path), by id."""
    text = path.read_text()
    sizes = {}
    for gid in re.findall(r'<g id="(square-\d+)">', text):
        block = text.split(f'<g id="{gid}">', 1)[1].split("</g>", 1)[0]
        marker = re.search(r'<path id="[^"]+" d="([^"]+)"', text.split("<defs>", 1)[1])
        use = re.search(r'xlink:href="#([^"]+)"', block)
        assert marker and use
        d = re.search(rf'<path id="{use.group(1)}" d="([^"]+)"', text)
        assert d
        xs = [float(x) for x in re.findall(r"(-?[\d.]+) -?[\d.]+", d.group(1))]
        sizes[gid] = max(xs) - min(xs)
    return sizes


def test_a_random_effects_forest_shows_the_prediction_interval_its_method_names(review):
    out = analyse(review, *ALBUMIN, "--json")
    got = json.loads(out.stdout)
    shown = f"Prediction interval: [{got['pi_lb']:.2f}, {got['pi_ub']:.2f}]"
    lines = [line.strip() for line in analyse(review, *ALBUMIN).stdout.splitlines()]
    assert shown in lines
    assert any("prediction interval mu ± z·sqrt(SE² + tau²)" in line for line in lines)


def test_forest_plot_svg_shows_the_studies_numbers_weights_and_total(review, tmp_path):
    target = tmp_path / "forest.svg"
    out = analyse(review, *ALBUMIN, "--method", "FE", "--plot", str(target))
    assert out.exit_code == 0, out.output
    texts = svg_texts(target)
    assert [texts["label-0"], texts["label-1"], texts["label-2"]] == [
        "Shi 2012", "Lin 2017", "Total (95% CI)"]  # fmt: skip
    assert [texts[f"number-0-{c}"] for c in range(6)] == ["31", "4", "20", "29.5", "4", "16"]
    assert texts["number-1-1"] == f"{math.sqrt(368 / 19):.2f}".rstrip("0")
    assert texts["effect-0"] == "1.50 [-1.13, 4.13]"
    assert texts["weight-0"] == f"{FE_WEIGHTS[0]:.1f}%"
    assert texts["weight-1"] == f"{FE_WEIGHTS[1]:.1f}%"
    assert texts["effect-2"].startswith(f"{FE_ESTIMATE:.2f} [")
    assert texts["label-3"].startswith("Heterogeneity: Chi² = 1.29, df = 1")
    assert texts["label-4"].startswith("Test for overall effect: Z = ")
    assert texts["method"] == "Method: fixed effect, inverse variance; Wald z test and CI."
    assert 'id="diamond-2"' in target.read_text()
    sizes = square_sizes(target)
    ratio = sizes["square-1"] / sizes["square-0"]  # area in proportion to weight
    assert ratio == pytest.approx(math.sqrt(FE_WEIGHTS[1] / FE_WEIGHTS[0]), rel=0.02)


def test_funnel_plot_says_the_tests_want_more_studies(review, tmp_path):
    target = tmp_path / "funnel.svg"
    out = analyse(review, *ALBUMIN, "--funnel", str(target))
    assert out.exit_code == 0, out.output
    assert "need at least 3 studies: not computed" in out.stdout
    assert "k = 2, fewer than 10" in out.stdout
    assert "fewer than 10" in svg_texts(target)["test-1"]


def test_forest_and_funnel_plots_name_the_outcome_and_time_point(review, tmp_path):
    forest, funnel = tmp_path / "forest.svg", tmp_path / "funnel.png"
    out = analyse(review, *ALBUMIN, "--plot", str(forest), "--funnel", str(funnel))
    assert out.exit_code == 0, out.output
    funnel_svg = tmp_path / "funnel.svg"
    assert analyse(review, *ALBUMIN, "--funnel", str(funnel_svg)).exit_code == 0
    caption = "Outcome: Serum albumin; time point: 6 months"
    assert svg_texts(forest)["caption"] == svg_texts(funnel_svg)["caption"] == caption
    assert "caption" not in out.stdout  # the terminal's plot follows the command typed
    changes = ["--outcome", "albumin", "--timepoint", "1 month", "--change-from-baseline"]
    assert analyse(review, *changes, "--plot", str(forest)).exit_code == 0
    assert svg_texts(forest)["caption"] == (
        "Outcome: Serum albumin; time point: 1 month; change from baseline"
    )


def test_exclude_high_risk_leaves_out_the_study_judged_high(review):
    db, _, _ = review
    rob2 = find_instrument("rob2")
    for study, answers in ((TWO_ARM, HIGH_D1), (THREE_ARM, ALL_LOW)):
        for who in ("ana", "ben"):
            _answer(db, Target(rob2, study, "", who), answers)
    out = analyse(review, *ALBUMIN, "--exclude-high-risk", "--method", "FE")
    assert out.exit_code == 0, out.output
    assert "Left out: Shi 2012 (overall risk of bias High)." in out.stdout
    assert not any(line.startswith("Shi 2012") for line in out.stdout.splitlines())
    got = json.loads(analyse(review, *ALBUMIN, "--exclude-high-risk", "--json").stdout)
    assert got["k"] == 1 and got["estimate"] == pytest.approx(4.0)
    assert got["excluded_high_risk"] == {"Shi 2012": "High"}
