"""`metasift export sheet`: the XLSX read back with openpyxl cell by cell, CSV files per
sheet, formulas neutralised and numbers kept numbers, and cells not yet agreed or no longer
in the form listed, not dropped."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from extraction.cli.sheet import build
from extraction.sheets.analysis import metafor_sheet
from extraction.sheets.layout import arms_rows, outcome_rows
from extraction.sheets.shown import team_view, visibility
from extraction.sheets.tables import ARM_COLUMNS, OUTCOME_COLUMNS, REPORTED_KEYS
from extraction.values.cells import Cell
from extraction.values.ledger import mark_done, set_value
from screening.protocol import parse_protocol
from tests.sheets_support import (
    LABELS,
    THREE_ARM,
    TWO_ARM,
    filled_review,
    make_review,
    mean_sd,
    opener_for,
)

HYPERLINK = '=HYPERLINK("http://example.com","x")'


@pytest.fixture
def filled(tmp_path):
    yield from filled_review(tmp_path)


def export(opener, *args: str, asker: str | None = None) -> None:
    who = ["--reviewer", asker] if asker else []
    result = CliRunner().invoke(build(opener), [*args, *who])
    assert result.exit_code == 0, result.output


def test_xlsx_holds_three_sheets_checked_cell_by_cell(filled, tmp_path):
    _, _, opener = filled
    export(opener, "-o", str(tmp_path / "x.xlsx"))
    book = load_workbook(tmp_path / "x.xlsx")
    assert book.sheetnames == ["studies", "arms", "outcomes"]
    studies = book["studies"]
    assert [c.value for c in studies[1]] == [
        "study", "study id", "Country [country]", "Design [design]",
        "Dose (10^6 cells/kg) [dose]", "Randomised [randomised]", "status",
    ]  # fmt: skip
    assert [c.value for c in studies[2]] == [
        "Shi 2012", TWO_ARM, "China", "RCT", -1.5, "yes", "agreed",
    ]  # fmt: skip
    assert studies["E2"].data_type == "n"  # a negative number stays a number
    assert studies["C3"].value == "'" + HYPERLINK and studies["C3"].data_type == "s"
    assert studies.freeze_panes == "A2"
    assert studies.column_dimensions["B"].width == len(TWO_ARM) + 2
    arms = book["arms"]
    assert tuple(c.value for c in arms[1]) == ARM_COLUMNS
    assert [c.value for c in arms[6]] == [
        "Lin 2017", THREE_ARM, "low", "low dose", "MSC", 10, None, "agreed",
    ]  # fmt: skip
    outcomes = book["outcomes"]
    header = [c.value for c in outcomes[1]]
    assert tuple(header) == OUTCOME_COLUMNS
    rows = [
        dict(zip(header, [c.value for c in row], strict=True))
        for row in outcomes.iter_rows(min_row=2)
    ]
    albumin = next(r for r in rows if r["arm"] == "msc" and r["time point"] == "6 months"
                   and r["measure"] == "final")  # fmt: skip
    entered = ("reported as", "mean", "SD", "n", "unit", "factor", "note")
    assert {k: albumin[k] for k in entered} == {
        "reported as": "mean-sd", "mean": 3.1, "SD": 0.4, "n": 20, "unit": "g/dL",
        "factor": 10, "note": "Table 2",
    }  # fmt: skip
    assert albumin["derived mean"] == pytest.approx(31) and albumin["derived SD"] == pytest.approx(
        4
    )
    assert (albumin["derived n"], albumin["outcome unit"], albumin["status"]) == (
        20,
        "g/L",
        "agreed",
    )
    assert albumin["method"] == "as reported; converted to the outcome's unit (x10)"
    change = next(r for r in rows if r["arm"] == "msc" and r["measure"] == "change"
                  and r["time point"] == "1 month")  # fmt: skip
    assert (change["mean"], change["derived mean"]) == (-1.5, -1.5)
    se = next(r for r in rows if r["reported as"] == "mean-se")
    assert (se["SE"], se["derived SD"], se["method"][:16]) == (1, 4, "SD = SE x sqrt(n")
    events = [r for r in rows if r["reported as"] == "events" and r["study"] == "Lin 2017"]
    assert [(r["arm"], r["derived events"], r["derived total"]) for r in events] == [
        ("ctl", 4, 12), ("high", 1, 10), ("low", 2, 10),
    ]  # fmt: skip
    empty = next(r for r in rows if r["arm"] == "low" and r["time point"] == "1 month")
    assert (empty["reported as"], empty["status"]) == (None, "pending")  # a row to fill in


def test_csv_writes_one_file_per_sheet_with_formulas_neutralised(filled, tmp_path):
    _, _, opener = filled
    export(opener, "-o", str(tmp_path / "x.csv"))
    assert sorted(p.name for p in tmp_path.glob("x*.csv")) == [
        "x-arms.csv", "x-outcomes.csv", "x-studies.csv",
    ]  # fmt: skip
    with (tmp_path / "x-studies.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][2:6] == ["China", "RCT", "-1.5", "yes"]
    assert rows[2][2] == "'" + HYPERLINK
    named = CliRunner().invoke(build(opener), ["--format", "csv", "-o", str(tmp_path / "y.xlsx")])
    assert named.exit_code == 2 and "--format csv with a .xlsx file" in named.output
    assert not list(tmp_path.glob("y*"))


def test_metafor_goes_to_one_csv(filled, tmp_path):
    _, _, opener = filled
    export(opener, "--for", "metafor", "-o", str(tmp_path / "m.csv"))
    with (tmp_path / "m.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:7] == ["outcome", "timepoint", "measure", "comparison", "study", "study_id",
                           "design"]  # fmt: skip
    assert len(rows) == 6


def test_cells_not_agreed_are_marked_and_blinded_until_both_are_done(tmp_path):
    db, form = make_review(tmp_path / "review", required=2)
    opener = opener_for(db, form, tmp_path)
    for who, country in (("ana", "China"), ("bo", "Iran")):
        set_value(db, form, who, Cell.study_field(TWO_ARM, "country"), country)
        set_value(db, form, who, Cell.study_field(TWO_ARM, "design"), "RCT")
    set_value(db, form, "ana", Cell.study_field(TWO_ARM, "dose"), 2)
    export(opener, "-o", str(tmp_path / "b.xlsx"), "--per-reviewer", asker="ana")
    book = load_workbook(tmp_path / "b.xlsx")
    assert book.sheetnames[3:] == [f"{s} ({w})" for w in ("ana", "bo")
                                   for s in ("studies", "arms", "outcomes")]  # fmt: skip
    row = [c.value for c in book["studies"][2]]
    assert row[2:5] == [None, None, None]
    assert row[-1] == "blinded: country; blinded: design; blinded: dose"
    assert book["studies (ana)"]["C2"].value == "China"  # her own values
    assert book["studies (bo)"]["C2"].value is None
    assert book["studies (bo)"]["G2"].value == "blinded: country; blinded: design"
    export(opener, "-o", str(tmp_path / "cy.xlsx"), "--per-reviewer", asker="cy")
    assert load_workbook(tmp_path / "cy.xlsx")["studies (bo)"]["C2"].value == "Iran"
    for who in ("ana", "bo"):
        mark_done(db, who, TWO_ARM)
    export(opener, "-o", str(tmp_path / "o.xlsx"), "--per-reviewer", asker="ana")
    book = load_workbook(tmp_path / "o.xlsx")
    row = [c.value for c in book["studies"][2]]
    assert row[2:5] == [None, "RCT", None]
    assert row[-1] == "conflict: country; pending: dose"
    assert book["studies (bo)"]["C2"].value == "Iran"


def test_values_no_longer_in_the_form_are_kept_and_marked(filled, tmp_path):
    db, form, _ = filled
    smaller = parse_protocol(
        'title = "t"\n[extraction.fields]\ncountry = { label = "Country" }\n'
        '[extraction.outcomes.albumin]\nname = "Serum albumin"\nunit = "g/L"\n'
        'timepoints = ["1 month"]\n'
        '[extraction.comparisons.c]\nintervention = "MSC"\ncontrol = "standard care"\n'
    ).form
    export(opener_for(db, smaller, tmp_path), "-o", str(tmp_path / "s.xlsx"))
    book = load_workbook(tmp_path / "s.xlsx")
    header = [c.value for c in book["studies"][1]]
    assert header[2:] == [
        "Country [country]", "design (not in the form)", "dose (not in the form)",
        "randomised (not in the form)", "status",
    ]  # fmt: skip
    assert [c.value for c in book["studies"][2]][4] == -1.5
    rows = list(book["outcomes"].iter_rows(min_row=2, values_only=True))
    status = OUTCOME_COLUMNS.index("status")
    gone = [r for r in rows if r[OUTCOME_COLUMNS.index("time point")] == "6 months"]
    assert gone and {r[status] for r in gone} == {"agreed; not in the form"}
    adverse = [r for r in rows if r[OUTCOME_COLUMNS.index("outcome")] == "adverse"]
    assert len(adverse) == 5 and {r[status] for r in adverse} == {"agreed; not in the form"}
    assert mean_sd(1, 1, 2)["as"] == "mean-sd"


def sheet_rows(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_cell_never_entered_says_pending_and_holds_no_reported_value(filled):
    db, form, _ = filled
    view = team_view(db, form, visibility(db, form, None, ()))
    rows = sheet_rows(outcome_rows(form, LABELS, view))
    empty = next(r for r in rows if r["study"] == "Lin 2017" and r["arm"] == "low"
                 and r["outcome"] == "albumin" and r["time point"] == "1 month")  # fmt: skip
    assert empty["status"] == "pending"
    reported = ("reported as", *REPORTED_KEYS.values(), "unit", "factor", "imputed SD")
    assert {k: empty[k] for k in reported} == dict.fromkeys(reported)
    # the row's measure and outcome unit are the form's: the cell to fill in, not a value
    assert (empty["measure"], empty["outcome unit"]) == ("final", "g/L")
    armless = sheet_rows(arms_rows(form, {**LABELS, "no-arms": "Ng 2020"}, view))
    assert {(r["arm type"], r["status"]) for r in armless if r["study"] == "Ng 2020"} == {
        ("MSC", "pending"), ("standard care", "pending"),
    }  # fmt: skip


def test_imputed_sd_says_yes_or_no_as_the_metafor_sheet_does(filled):
    db, form, _ = filled
    imputed = {"as": "mean-imputed-sd", "mean": 29.5, "sd": 4, "n": 16,
               "sd_source": "Lin 2017's control"}  # fmt: skip
    set_value(db, form, "ana", Cell.outcome_of(TWO_ARM, "ctl", "albumin", "6 months"), imputed)
    view = team_view(db, form, visibility(db, form, None, ()))
    rows = sheet_rows(outcome_rows(form, LABELS, view))
    at_6 = {(r["study"], r["arm"]): r for r in rows
            if r["outcome"] == "albumin" and r["time point"] == "6 months"
            and r["measure"] == "final"}  # fmt: skip
    assert {k: (r["imputed SD"], r["SD source"]) for k, r in at_6.items()} == {
        ("Shi 2012", "msc"): ("no", None), ("Shi 2012", "ctl"): ("yes", "Lin 2017's control"),
        ("Lin 2017", "low"): ("no", None), ("Lin 2017", "high"): ("no", None),
        ("Lin 2017", "ctl"): ("no", None),
    }  # fmt: skip
    events = [r["imputed SD"] for r in rows if r["reported as"] == "events"]
    assert events and set(events) == {"no"}
    metafor = sheet_rows(metafor_sheet(form, LABELS, view).rows)
    assert {(r["study"], r["outcome"], r["sd_imputed"]) for r in metafor} == {
        ("Shi 2012", "albumin", "yes"), ("Lin 2017", "albumin", "no"),
        ("Shi 2012", "adverse", "no"), ("Lin 2017", "adverse", "no"),
        ("Shi 2012", "albumin", "no"),  # the change from baseline at 1 month
    }  # fmt: skip


def test_per_reviewer_sheets_give_each_reviewers_own_state(tmp_path):
    db, form = make_review(tmp_path / "review", required=2)
    opener = opener_for(db, form, tmp_path)
    for who in ("ana", "bo"):
        set_value(db, form, who, Cell.arm_of(TWO_ARM, "msc"), {"label": "MSC", "type": "MSC"})
    set_value(db, form, "ana", Cell.outcome_of(TWO_ARM, "msc", "albumin", "6 months"),
              mean_sd(31, 4, 20))  # fmt: skip

    def statuses(name: str) -> dict[tuple, str]:
        export(opener, "-o", str(tmp_path / name), "--per-reviewer", asker="ana")
        book = load_workbook(tmp_path / name)
        out = {}
        for sheet in ("arms", "outcomes"):
            for who in ("ana", "bo"):
                rows = sheet_rows([[c.value for c in r] for r in book[f"{sheet} ({who})"]])
                out |= {(who, sheet, r["study"], r["arm"], r.get("outcome"),
                         r.get("time point")): r["status"] for r in rows}  # fmt: skip
        return out

    before = statuses("before.xlsx")
    albumin = ("ana", "outcomes", "Shi 2012", "msc", "albumin")
    assert before[("ana", "arms", "Shi 2012", "msc", None, None)] == "entered"
    assert before[(*albumin, "6 months")] == "entered"
    assert before[(*albumin, "1 month")] == "not entered"
    assert before[("ana", "arms", "Lin 2017", None, None, None)] == "not entered"
    bo = {k: v for k, v in before.items() if k[0] == "bo" and k[2] == "Shi 2012"}
    assert bo and set(bo.values()) == {"blinded"}  # nothing told about bo's empty cells
    mark_done(db, "ana", TWO_ARM)
    after = statuses("after.xlsx")
    assert after[(*albumin, "6 months")] == "done"
    assert after[(*albumin, "1 month")] == "not entered"
