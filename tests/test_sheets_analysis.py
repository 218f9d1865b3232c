"""--for metafor and --for revman: a two-arm and a three-arm study, checked against values
worked out by hand (tests/sheets_support.py enters them)."""

from __future__ import annotations

import math

import pytest

from extraction.sheets.analysis import COMBINED, metafor_sheet, revman_sheet
from extraction.sheets.shown import team_view, visibility
from tests.sheets_support import LABELS, THREE_ARM, TWO_ARM, fill, make_review

# Lin 2017's two MSC arms (10, 30, 4) and (10, 34, 4) as one group (Handbook 6.5.2.10):
# N = 20, M = (10 x 30 + 10 x 34) / 20 = 32,
# SD = sqrt((9 x 16 + 9 x 16 + 10 x 10 / 20 x (30 - 34)^2) / 19) = sqrt(368 / 19)
COMBINED_SD = math.sqrt(368 / 19)


@pytest.fixture
def filled(tmp_path):
    db, form = make_review(tmp_path / "review")
    fill(db, form)
    yield form, team_view(db, form, visibility(db, form, None, ()))
    db.close()


def test_metafor_table_has_one_row_per_outcome_timepoint_measure_and_study(filled):
    form, shown = filled
    rows = metafor_sheet(form, LABELS, shown).rows
    assert rows[0] == ["outcome", "timepoint", "measure", "comparison", "study", "study_id",
                       "design", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i", "ai", "ci", "unit",
                       "sd_imputed", "multi_arm", "illustrative"]  # fmt: skip
    got = [r[:5] for r in rows[1:]]
    assert got == [
        ["albumin", "1 month", "change", "msc_vs_control", "Shi 2012"],
        ["albumin", "6 months", "final", "msc_vs_control", "Shi 2012"],
        ["albumin", "6 months", "final", "msc_vs_control", "Lin 2017"],
        ["adverse", "end of follow-up", "final", "msc_vs_control", "Shi 2012"],
        ["adverse", "end of follow-up", "final", "msc_vs_control", "Lin 2017"],
    ]
    assert [r[5] for r in rows[1:]] == [TWO_ARM, TWO_ARM, THREE_ARM, TWO_ARM, THREE_ARM]
    assert [r[6] for r in rows[1:]] == ["RCT", "RCT", "non-randomised", "RCT", "non-randomised"]
    values = [r[7:15] for r in rows[1:]]
    # change from baseline, kept apart from final values
    assert values[0] == [-1.5, 2, 20, -0.5, 2, 16, None, None]
    # 3.1 g/dL x 10 = 31 g/L (SD 0.4 x 10 = 4); the control's SD = SE 1 x sqrt(16) = 4
    assert values[1] == pytest.approx([31, 4, 20, 29.5, 4, 16, None, None])
    assert values[2] == pytest.approx([32, COMBINED_SD, 20, 28, 5, 12, None, None])
    assert values[3] == [None, None, 20, None, None, 16, 3, 5]
    assert values[4] == [None, None, 20, None, None, 12, 3, 4]  # 2/10 + 1/10 = 3/20
    assert [r[15] for r in rows[1:]] == ["g/L", "g/L", "g/L", None, None]
    assert [r[17] for r in rows[1:]] == [None, None, f"2 MSC arms {COMBINED}", None,
                                         f"2 MSC arms {COMBINED}"]  # fmt: skip
    assert {r[16] for r in rows[1:]} == {"no"}
    assert {r[18] for r in rows[1:]} == {"no"}  # every value is from a report


def test_revman_blocks_are_experimental_then_control(filled):
    form, shown = filled
    rows = revman_sheet(form, LABELS, shown).rows
    titles = [r[0] for r in rows if len(r) == 1]
    assert titles == [
        "MSC vs standard care: Serum albumin (g/L), 1 month, change from baseline",
        "MSC vs standard care: Serum albumin (g/L), 6 months, final values",
        "MSC vs standard care: Adverse events, end of follow-up, final values",
    ]
    start = rows.index(["MSC vs standard care: Serum albumin (g/L), 6 months, final values"])
    assert rows[start + 1] == ["Study", "Experimental Mean", "Experimental SD",
                               "Experimental Total", "Control Mean", "Control SD",
                               "Control Total", "Note"]  # fmt: skip
    assert rows[start + 2][0] == "Shi 2012"
    assert rows[start + 2][1:7] == pytest.approx([31, 4, 20, 29.5, 4, 16])
    assert rows[start + 2][7] is None
    assert rows[start + 3][:7] == ["Lin 2017", 32, pytest.approx(COMBINED_SD), 20, 28, 5, 12]
    assert rows[start + 3][7] == f"2 MSC arms {COMBINED}"
    assert rows[start + 4] == []
    events = rows.index(["MSC vs standard care: Adverse events, end of follow-up, final values"])
    assert rows[events + 1:events + 4] == [
        ["Study", "Experimental Events", "Experimental Total", "Control Events",
         "Control Total", "Note"],
        ["Shi 2012", 3, 20, 5, 16, None],
        ["Lin 2017", 3, 20, 4, 12, f"2 MSC arms {COMBINED}"],
    ]  # fmt: skip


def test_the_metafor_sheet_pools_with_metasift_pool(filled, tmp_path):
    """export sheet --for metafor feeds pool: final values by default, changes on request,
    and the three-arm study's combined MSC group against its control."""
    import csv

    from click.testing import CliRunner

    from screening.cli import cli

    form, shown = filled
    path = tmp_path / "sheet.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(metafor_sheet(form, LABELS, shown).rows)
    run = CliRunner().invoke
    args = ["pool", str(path), "--measure", "MD", "--outcome", "albumin", "--method", "FE"]
    final = run(cli, [*args, "--timepoint", "6 months", "--json"])
    assert final.exit_code == 0, final.output
    import json

    pooled = json.loads(final.stdout)
    # inverse-variance mean of 31 - 29.5 (var 16/20 + 16/16) and 32 - 28 (var 368/19/20 + 25/12)
    v1, v2 = 16 / 20 + 16 / 16, 368 / 19 / 20 + 25 / 12
    expected = (1.5 / v1 + 4 / v2) / (1 / v1 + 1 / v2)
    assert pooled["k"] == 2 and pooled["estimate"] == pytest.approx(expected, rel=1e-9)
    changes = run(cli, [*args, "--timepoint", "1 month", "--json"])
    assert changes.exit_code == 1 and "--change-from-baseline" in changes.output
    change = run(cli, [*args, "--timepoint", "1 month", "--change-from-baseline", "--json"])
    assert json.loads(change.stdout)["estimate"] == pytest.approx(-1.0)


def test_split_compares_each_arm_with_its_share_of_the_shared_control(filled):
    """multi_arm = "split": Lin 2017's two MSC arms each against half its control (n 12 / 2,
    events 4 / 2), the control's mean and SD kept (Cochrane Handbook 23.3.4)."""
    from dataclasses import replace

    form, shown = filled
    rows = metafor_sheet(replace(form, multi_arm="split"), LABELS, shown).rows
    lin = [r for r in rows[1:] if r[4].startswith("Lin 2017")]
    assert [r[4] for r in lin] == ["Lin 2017 (high dose)", "Lin 2017 (low dose)"] * 2
    albumin = [r[7:13] for r in lin if r[0] == "albumin"]
    assert albumin == [[34, 4, 10, 28, 5, 6.0], [30, 4, 10, 28, 5, 6.0]]
    adverse = [r[9:15] for r in lin if r[0] == "adverse"]
    assert adverse == [[10, None, None, 6.0, 1, 2.0], [10, None, None, 6.0, 2, 2.0]]
    assert all("split among the comparisons" in r[17] for r in lin)
    shi = [r for r in rows[1:] if r[4] == "Shi 2012"]
    assert all(r[17] is None for r in shi)  # a two-arm study is as before
