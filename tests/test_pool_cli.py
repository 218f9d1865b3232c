"""`metasift pool` as a user types it: the --json keys, text that states the method, edge
cases (k = 1, k = 2, Q = 0, zero cells, all-zero studies) and refusals naming the row or
option. The CSVs are written from the metafor reference's inputs (dat.bcg, dat.normand1999
and its synthetic edge cases)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import cli
from tests.pool_reference import CASES, agrees

# the --json keys of issue 16, in its order
KEYS = (
    "k estimate se ci_lb ci_ub pval tau2 tau2_ci_lb tau2_ci_ub I2 I2_from_Q H2 Q Q_df Q_pval "
    "pi_lb pi_ub weights_pct"
).split()
# then what the figures are, and Riley's interval (null below 3 studies)
ABOUT = ["pi_riley_lb", "pi_riley_ub", "measure", "method", "test", "scale"]
CONTINUOUS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")


def case(case_id: str) -> dict:
    return next(c for c in CASES if c["id"] == case_id)


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def csv_of(tmp_path: Path, case_id: str, extra: tuple[str, ...] = ()) -> Path:
    """The case's raw input as the CSV `export sheet --for metafor` would write."""
    given = case(case_id)["input"]
    columns = list(CONTINUOUS) if given["type"] == "continuous" else ["ai", "n1i", "ci", "n2i"]
    k = len(given[columns[0]])
    names = given.get("study") or [f"S{i + 1}" for i in range(k)]
    header = ["study", *columns, *extra]
    rows = [
        [names[i], *(given[c][i] for c in columns), *(given[e][i] for e in extra)] for i in range(k)
    ]
    return write(tmp_path / f"{case_id}.csv", header, rows)


def run(*args: object):
    return CliRunner().invoke(cli, ["pool", *map(str, args)])


def reference_fit(case_id: str, method: str, test: str) -> dict:
    return next(f for f in case(case_id)["fits"] if (f["method"], f["test"]) == (method, test))


def test_json_has_the_issue_keys_and_metafor_figures(tmp_path):
    got = run(csv_of(tmp_path, "bcg_logRR"), "--measure", "RR", "--json")
    assert got.exit_code == 0, got.output
    answer = json.loads(got.output)
    assert list(answer) == [*KEYS, *ABOUT, "studies", "illustrative"]  # illustrative: made up
    assert [answer[k] for k in ABOUT[2:]] == ["RR", "REML", "z", "log"]
    want = reference_fit("bcg_logRR", "REML", "z")  # metafor's defaults: REML, z
    for key in ("estimate", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "H2", "Q", "pi_lb",
                "pi_riley_lb"):  # fmt: skip
        assert agrees(answer[key], want[key]), key
    assert agrees(answer["tau2_ci_ub"], want["heterogeneity_ci_qprofile"]["tau2_ub"])
    assert answer["Q_df"] == 12 and len(answer["weights_pct"]) == 13


def test_subgroups_in_json_follow_revman(tmp_path):
    path = csv_of(tmp_path, "bcg_logRR", extra=("subgroup_alloc",))
    got = run(path, "--measure", "RR", "--method", "DL", "--subgroup", "subgroup_alloc", "--json")
    answer = json.loads(got.output)
    assert list(answer["subgroups"]) == ["random", "alternate", "systematic"]
    assert all(list(part) == [*KEYS, *ABOUT, "studies"] for part in answer["subgroups"].values())
    want = case("bcg_logRR")["subgroups_by_alloc"]["DL"]["test_for_subgroup_differences"]
    test = answer["subgroup_test"]
    assert set(test) == {"Q", "df", "pval", "I2"} and test["df"] == 2
    assert agrees(test["Q"], want["Q_between"]) and agrees(test["pval"], want["pval"])


def test_text_shows_ratios_exponentiated_and_the_method_in_words(tmp_path):
    got = run(csv_of(tmp_path, "bcg_logRR"), "--measure", "RR", "--test", "knha")
    assert got.exit_code == 0, got.output
    assert "Aronson" in got.output and "0.411" in got.output  # exp(-0.889)
    assert "restricted maximum-likelihood" in got.output and "Knapp-Hartung" in got.output
    assert "Heterogeneity: Tau² = 0.3132" in got.output


@pytest.mark.parametrize(
    ("method", "measure"), [("MH", "OR"), ("MH", "RR"), ("MH", "RD"), ("PETO", "OR")]
)
def test_mantel_haenszel_and_peto(tmp_path, method, measure):
    got = run(csv_of(tmp_path, "bcg_logRR"), "--measure", measure, "--method", method, "--json")
    name = {"MH": f"MH_{measure}", "PETO": "Peto_OR"}[method]
    want = case("bcg_logRR")["dichotomous_fixed"][name]
    answer = json.loads(got.output)
    assert agrees(answer["estimate"], want["estimate"]) and agrees(answer["Q"], want["Q"])
    assert answer["tau2_ci_lb"] is None and answer["pi_lb"] is None


@pytest.mark.parametrize(
    ("case_id", "measure"),
    [("syn01_MD", "MD"), ("syn02_SMD", "SMD"), ("syn04_MD", "MD"), ("dich_k1_RR", "RR")],
)
def test_edge_cases_k1_k2_and_q_zero(tmp_path, case_id, measure):
    got = run(csv_of(tmp_path, case_id), "--measure", measure, "--test", "knha", "--json")
    assert got.exit_code == 0, got.output
    answer = json.loads(got.output)
    want = reference_fit(case_id, "REML", "knha")
    assert agrees(answer["estimate"], want["estimate"]) and agrees(answer["se"], want["se"])
    assert agrees(answer["I2_from_Q"], want["I2_from_Q"])


def test_riley_prediction_interval_needs_three_studies(tmp_path):
    """It was printed as t(1) for one or two studies (df k-2 raised to 1), wider than the
    single study's own CI, with a citation attached."""
    for case_id, k in (("syn01_MD", 1), ("syn02_MD", 2)):
        got = run(csv_of(tmp_path, case_id), "--measure", "MD", "--method", "DL")
        assert "Prediction interval (Riley 2011, t(k-2)): needs 3 or more studies" in got.output
        assert "t(1), Riley" not in got.output, k
        answer = json.loads(run(csv_of(tmp_path, case_id), "--measure", "MD", "--json").output)
        assert answer["pi_riley_lb"] is None and answer["pi_riley_ub"] is None
    three = run(csv_of(tmp_path, "syn04_MD"), "--measure", "MD", "--method", "DL")
    assert "Riley 2011, Cochrane Handbook" in three.output


def test_k1_says_z_replaced_the_requested_test(tmp_path):
    got = run(csv_of(tmp_path, "syn01_MD"), "--measure", "MD", "--test", "knha")
    assert "test z used instead of knha, since k = 1" in got.output


def test_zero_cells_get_metafors_correction(tmp_path):
    got = run(
        csv_of(tmp_path, "dich_zero_one_arm_OR"), "--measure", "OR", "--method", "FE", "--json"
    )
    want = reference_fit("dich_zero_one_arm_OR", "FE", "z")
    assert agrees(json.loads(got.output)["estimate"], want["estimate"])


def test_double_zero_is_kept_by_default_and_reported_when_dropped(tmp_path):
    path = csv_of(tmp_path, "dich_double_zero_RR")
    kept = json.loads(run(path, "--measure", "RR", "--method", "FE", "--json").output)
    assert agrees(kept["estimate"], reference_fit("dich_double_zero_RR", "FE", "z")["estimate"])
    dropped = run(path, "--measure", "RR", "--method", "FE", "--drop00")
    assert "line 2 (study S1): no events (or only events) in both arms: dropped" in dropped.output
    assert "k = 3" in dropped.output


def test_all_zero_studies_are_refused(tmp_path):
    path = write(
        tmp_path / "zero.csv",
        ["study", "ai", "n1i", "ci", "n2i"],
        [["A", 0, 10, 0, 12], ["B", 0, 8, 0, 9]],
    )
    got = run(path, "--measure", "OR", "--drop00")
    assert got.exit_code == 1 and "every study has no events in either arm" in got.output
    mh = run(path, "--measure", "OR", "--method", "MH")
    assert mh.exit_code == 1 and "Mantel-Haenszel OR is undefined" in mh.output


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["B", 20, -3, 30, 18, 4, 30], "line 3 (study B): sd1i -3 is negative"),
        (["B", 20, 3, 1, 18, 4, 30], "line 3 (study B): n1i 1 is below 2"),
        (["B", "", 3, 30, 18, 4, 30], "line 3 (study B): no usable data, m1i is empty"),
        (["B", "x", 3, 30, 18, 4, 30], "line 3 (study B): m1i 'x' is not a number"),
    ],
)
def test_bad_continuous_rows_are_refused_by_line(tmp_path, row, message):
    path = write(tmp_path / "bad.csv", ["study", *CONTINUOUS], [["A", 21, 3, 30, 19, 4, 30], row])
    got = run(path, "--measure", "MD")
    assert got.exit_code == 1 and message in got.output and "Traceback" not in got.output


def test_events_above_total_are_refused(tmp_path):
    path = write(
        tmp_path / "bad.csv",
        ["study", "ai", "n1i", "ci", "n2i"],
        [["A", 3, 20, 5, 20], ["B", 25, 20, 5, 20]],
    )
    got = run(path, "--measure", "RR")
    assert got.exit_code == 1 and "line 3 (study B): ai 25 events is above the total n1i 20" in (
        got.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--measure", "RR", "--method", "PETO"), "--method PETO: Peto's method pools odds ratios"),
        (("--measure", "MD", "--method", "MH"), "--method MH: Mantel-Haenszel pools RR, OR or RD"),
        (("--measure", "OR", "--method", "MH", "--test", "knha"), "--test knha: --method MH"),
        (("--measure", "MD", "--add", "0.5"), "--add/--to/--drop00 apply to 2x2 counts only"),
        (("--measure", "RR", "--smd-variant", "revman"), "--smd-variant applies to --measure SMD"),
        (("--measure", "RR", "--outcome", "albumin"), "--outcome albumin: "),
        (("--measure", "RR", "--subgroup", "route"), "--subgroup route: "),
        (("--measure", "RR", "--change-from-baseline"), "has no measure column"),
    ],
)
def test_options_that_do_not_fit_are_refused(tmp_path, args, message):
    path = csv_of(tmp_path, "bcg_logRR") if args[1] != "MD" else csv_of(tmp_path, "syn04_MD")
    got = run(path, *args)
    assert got.exit_code == 1 and message in got.output, got.output


@pytest.mark.parametrize("add", ["-1", "nan", "inf"])
def test_a_continuity_correction_that_is_no_number_of_events_is_a_usage_error(tmp_path, add):
    got = run(csv_of(tmp_path, "bcg_logRR"), "--measure", "OR", f"--add={add}")
    assert got.exit_code == 2 and "Invalid value for '--add'" in got.output, got.output


def test_outcome_and_timepoint_select_rows(tmp_path):
    rows = [
        ["A", 3, 20, 5, 20, "deaths", "6m"],
        ["B", 4, 30, 9, 31, "deaths", "6m"],
        ["C", 1, 25, 2, 24, "deaths", "12m"],
        ["D", 7, 40, 6, 40, "relapse", "6m"],
    ]
    path = write(
        tmp_path / "long.csv", ["study", "ai", "n1i", "ci", "n2i", "outcome", "timepoint"], rows
    )
    refused = run(path, "--measure", "RR")
    assert refused.exit_code == 1 and "choose one with --outcome" in refused.output
    got = run(path, "--measure", "RR", "--outcome", "deaths", "--timepoint", "6m", "--json")
    assert json.loads(got.output)["k"] == 2


def test_yi_vi_columns_pool_as_given(tmp_path):
    given = case("normand1999_SMD_revman")
    rows = [
        [n, y, v]
        for n, y, v in zip(
            given["input"]["study"], given["escalc"]["yi"], given["escalc"]["vi"], strict=True
        )
    ]
    path = write(tmp_path / "yivi.csv", ["study", "yi", "vi"], rows)
    answer = json.loads(run(path, "--measure", "SMD", "--method", "PM", "--json").output)
    assert agrees(answer["tau2"], reference_fit("normand1999_SMD_revman", "PM", "z")["tau2"])


def test_revman_smd_variant(tmp_path):
    path = csv_of(tmp_path, "normand1999_SMD")
    answer = json.loads(
        run(path, "--measure", "SMD", "--smd-variant", "revman", "--method", "DL", "--json").output
    )
    assert agrees(
        answer["estimate"], reference_fit("normand1999_SMD_revman", "DL", "z")["estimate"]
    )


def test_one_subgroup_has_no_test_of_differences(tmp_path):
    rows = [["A", 3, 20, 5, 20, "iv"], ["B", 4, 30, 9, 31, "iv"], ["C", 1, 25, 2, 24, "iv"]]
    path = write(tmp_path / "routes.csv", ["study", "ai", "n1i", "ci", "n2i", "route"], rows)
    got = run(path, "--measure", "RR", "--subgroup", "route")
    assert got.exit_code == 0, got.output
    assert "Test for subgroup differences" not in got.output
    assert "every study is in one subgroup (iv): no test of subgroup differences" in got.output
    answer = json.loads(run(path, "--measure", "RR", "--subgroup", "route", "--json").stdout)
    assert answer["subgroup_test"] is None and list(answer["subgroups"]) == ["iv"]


def test_a_subgroup_with_nothing_to_pool_is_named(tmp_path):
    rows = [["A", 3, 20, 5, 20, "iv"], ["B", 4, 30, 9, 31, "iv"], ["C", 0, 25, 0, 24, "oral"]]
    path = write(tmp_path / "routes.csv", ["study", "ai", "n1i", "ci", "n2i", "route"], rows)
    got = run(path, "--measure", "RR", "--subgroup", "route", "--drop00")
    assert got.exit_code == 1 and "subgroup oral: " in got.output


# the same three trials in two units: REML's tau² is 771.3 in the first, about 7.7e6 (past
# metafor's tau2.max of 1e6, where the search used to stop) in the second
MEANS = [
    ["A", 34, 25, 20, 14, 25, 20],
    ["B", 26.4, 25, 14, 51.5, 25, 14],
    ["C", 30, 28, 26, 0, 25, 15],
]


def pooled_json(path: Path, method: str) -> dict:
    got = run(path, "--measure", "MD", "--method", method, "--json")
    assert got.exit_code == 0, got.output
    return json.loads(got.output)


@pytest.mark.parametrize("method", ["REML", "PM", "DL"])
def test_large_scale_data_pool_as_the_same_data_in_smaller_units(tmp_path, method):
    header = ["study", *CONTINUOUS]
    in_cents = [[name, m1 * 100, sd1 * 100, n1, m2 * 100, sd2 * 100, n2]
                for name, m1, sd1, n1, m2, sd2, n2 in MEANS]  # fmt: skip
    small = pooled_json(write(tmp_path / "units.csv", header, MEANS), method)
    large = pooled_json(write(tmp_path / "cents.csv", header, in_cents), method)
    assert large["tau2"] > 1e6
    for key in ("tau2", "tau2_ci_lb", "tau2_ci_ub"):
        assert large[key] == pytest.approx(small[key] * 100**2, rel=1e-6), key


def test_mantel_haenszel_rd_with_no_events_is_a_one_line_error(tmp_path):
    path = write(
        tmp_path / "all00.csv",
        ["study", "ai", "n1i", "ci", "n2i"],
        [["A", 0, 20, 0, 20], ["B", 0, 30, 0, 30]],
    )
    got = run(path, "--measure", "RD", "--method", "MH")
    assert got.exit_code == 1 and got.stdout == ""
    assert got.stderr.startswith("Error: Mantel-Haenszel RD has no variance: ")
    assert got.stderr.count("\n") == 1 and "Traceback" not in got.output
