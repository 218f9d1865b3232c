"""`metasift extract load`: export, load, export gives the same sheet; only changed values
become events; an empty cell clears nothing; problems name sheet, row and column and leave
the review as it was."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from db.extraction_values import values_in_force
from extraction.cli.sheet import build, build_load
from extraction.sheets.files import read_sheets
from extraction.sheets.load import load_sheets
from extraction.sheets.tables import ARM_COLUMNS, OUTCOME_COLUMNS, column_letter
from extraction.values.cells import Cell
from extraction.values.ledger import entry, record, reviewer_values
from tests.sheets_support import THREE_ARM, TWO_ARM, fill, filled_review, make_review


@pytest.fixture
def filled(tmp_path):
    yield from filled_review(tmp_path)


def run(command, *args: str):
    return CliRunner().invoke(command, list(args))


def events(db) -> int:
    return db.execute("SELECT count(*) FROM extraction_values").fetchone()[0]


def column(name: str) -> int:
    return OUTCOME_COLUMNS.index(name) + 1


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_load_export_gives_the_same_sheet_and_adds_nothing(filled, tmp_path, suffix):
    db, _, opener = filled
    first = tmp_path / f"first.{suffix}"
    assert run(build(opener), "--reviewer", "ana", "--mine", "-o", str(first)).exit_code == 0
    before = events(db)
    files = [str(first)] if suffix == "xlsx" else [str(p) for p in tmp_path.glob("first-*.csv")]
    loaded = run(build_load(opener), *files, "--reviewer", "ana")
    assert loaded.exit_code == 0, loaded.output
    assert "0 values added, 23 unchanged" in loaded.output
    assert events(db) == before
    second = tmp_path / f"second.{suffix}"
    assert run(build(opener), "--reviewer", "ana", "--mine", "-o", str(second)).exit_code == 0
    if suffix == "xlsx":
        assert [s.rows for s in read_sheets(first)] == [s.rows for s in read_sheets(second)]
    else:
        for name in ("studies", "arms", "outcomes"):
            a, b = (tmp_path / f"{stem}-{name}.csv" for stem in ("first", "second"))
            assert a.read_bytes() == b.read_bytes()


def test_an_edited_sheet_adds_only_what_changed_and_empty_cells_clear_nothing(filled, tmp_path):
    db, form, opener = filled
    path = tmp_path / "ana.xlsx"
    run(build(opener), "--reviewer", "ana", "--mine", "-o", str(path))
    book = load_workbook(path)
    outcomes = book["outcomes"]
    rows = list(outcomes.iter_rows(min_row=2))
    se_row = next(r for r in rows if r[column("reported as") - 1].value == "mean-se")
    se_row[column("SE") - 1].value = 1.5  # an edit
    noted = next(r for r in rows if r[column("note") - 1].value == "Table 2")
    noted[column("note") - 1].value = None  # emptied: keeps the note
    noted[column("mean") - 1].value = None  # emptied: refused below, as mean-sd needs a mean
    book["arms"]["F2"].value = None  # n randomised emptied: keeps 16
    book["studies"]["C2"].value = "People's Republic of China"
    book.save(path)
    refused = run(build_load(opener), str(path), "--reviewer", "ana")
    assert refused.exit_code == 1
    assert "outcomes, row" in refused.output and "mean-sd needs mean" in refused.output
    noted[column("mean") - 1].value = 3.1
    book.save(path)
    before = events(db)
    loaded = run(build_load(opener), str(path), "--reviewer", "ana")
    assert loaded.exit_code == 0, loaded.output
    assert events(db) == before + 2 and "2 values added" in loaded.output
    mine = {v.cell: v for v in reviewer_values(db, "ana")}
    control = mine[Cell.outcome_of(TWO_ARM, "ctl", "albumin", "6 months")]
    assert control.value == {"as": "mean-se", "mean": 29.5, "se": 1.5, "n": 16}
    assert mine[Cell.outcome_of(TWO_ARM, "msc", "albumin", "6 months")].note == "Table 2"
    assert mine[Cell.arm_of(TWO_ARM, "ctl")].value["n"] == 16
    assert mine[Cell.study_field(TWO_ARM, "country")].value == "People's Republic of China"
    again = run(build_load(opener), str(path), "--reviewer", "ana")
    assert "0 values added" in again.output and events(db) == before + 2


def test_an_empty_illustrative_cell_keeps_the_flag_in_force(filled, tmp_path):
    db, form, opener = filled
    mine = {v.cell: v for v in reviewer_values(db, "ana")}
    cell = Cell.outcome_of(TWO_ARM, "ctl", "albumin", "6 months")
    flagged = {**mine[cell].value, "illustrative": "SD made up for the example"}
    record(db, [entry(db, form, "ana", cell, flagged, unit=mine[cell].unit)])
    path = tmp_path / "ana.xlsx"
    run(build(opener), "--reviewer", "ana", "--mine", "-o", str(path))
    book = load_workbook(path)
    rows = list(book["outcomes"].iter_rows(min_row=2))
    made_up = column("illustrative (made up, not from a report)") - 1
    shown = [r for r in rows if r[made_up].value]
    assert len(shown) == 1
    shown[0][made_up].value = None  # emptied: keeps the flag
    book.save(path)
    loaded = run(build_load(opener), str(path), "--reviewer", "ana")
    assert loaded.exit_code == 0, loaded.output
    assert "0 values added" in loaded.output
    after = {v.cell: v for v in reviewer_values(db, "ana")}[cell]
    assert after.value["illustrative"] == "SD made up for the example"


def test_a_renamed_column_is_one_problem_for_its_sheet(filled, tmp_path):
    db, _, opener = filled
    path = tmp_path / "ana.xlsx"
    run(build(opener), "--reviewer", "ana", "--mine", "-o", str(path))
    book = load_workbook(path)
    book["outcomes"].cell(row=1, column=column("mean")).value = "Mean_"
    book.save(path)
    before = events(db)
    refused = run(build_load(opener), str(path), "--reviewer", "ana")
    assert refused.exit_code == 1
    assert "outcomes: no column 'mean'; keep the header row as exported" in refused.output
    assert "column ?" not in refused.output and events(db) == before


def test_control_characters_are_dropped_before_comparing_so_twice_adds_nothing(filled, tmp_path):
    db, form, opener = filled
    path = tmp_path / "ana.csv"
    run(build(opener), "--reviewer", "ana", "--mine", "-o", str(path))
    sheets = read_sheets(tmp_path / "ana-studies.csv")
    sheets[0].rows[1][2] = "Chi\x1b[31mna"  # an escape sequence pasted in
    known = {TWO_ARM, THREE_ARM}
    assert load_sheets(db, form, "ana", sheets, known).added == 1
    assert load_sheets(db, form, "ana", sheets, known).added == 0
    mine = {v.cell: v for v in reviewer_values(db, "ana")}
    assert mine[Cell.study_field(TWO_ARM, "country")].value == "Chi[31mna"


def test_a_new_arm_and_its_values_load_in_one_go(filled, tmp_path):
    db, _, opener = filled
    path = tmp_path / "ana.xlsx"
    run(build(opener), "--reviewer", "ana", "--mine", "-o", str(path))
    book = load_workbook(path)
    book["arms"].append(["Lin 2017", THREE_ARM, "mid", "mid dose", "MSC", 11, None, None])
    row = [None] * len(OUTCOME_COLUMNS)
    for name, value in (("study id", THREE_ARM), ("arm", "mid"), ("outcome", "albumin"),
                        ("time point", "1 month"), ("reported as", "median-iqr"),
                        ("median", 31), ("Q1", 28), ("Q3", 35), ("n", 11)):  # fmt: skip
        row[column(name) - 1] = value
    book["outcomes"].append(row)
    book.save(path)
    loaded = run(build_load(opener), str(path), "--reviewer", "ana")
    assert loaded.exit_code == 0, loaded.output
    assert "2 values added" in loaded.output
    mine = {v.cell: v for v in reviewer_values(db, "ana", THREE_ARM)}
    assert mine[Cell.outcome_of(THREE_ARM, "mid", "albumin", "1 month")].unit == "g/L"


def test_problems_name_sheet_row_and_column_and_nothing_is_loaded(filled, tmp_path):
    db, _, opener = filled
    path = tmp_path / "ana.xlsx"
    run(build(opener), "--reviewer", "ana", "--mine", "-o", str(path))
    book = load_workbook(path)
    rows = list(book["outcomes"].iter_rows(min_row=2))
    se_row = next(r for r in rows if r[column("reported as") - 1].value == "mean-se")
    se_row[column("unit") - 1].value = "mmol/L"  # row of the control's albumin
    events_row = next(r for r in rows if r[column("reported as") - 1].value == "events")
    events_row[column("events") - 1].value = 30  # above the total
    empty = next(r for r in rows if r[column("reported as") - 1].value is None)
    empty[column("reported as") - 1].value = "median-iqr"
    empty[column("median") - 1].value = 30
    empty[column("Q1") - 1].value = 31
    empty[column("Q3") - 1].value = 35
    empty[column("n") - 1].value = "twenty"
    unnamed = [r for r in rows if r[column("reported as") - 1].value is None][1]
    unnamed[column("mean") - 1].value = 5  # statistics without their layout
    book["studies"]["E2"].value = "a lot"  # dose is a number
    book["studies"]["B3"].value = "not-a-study"
    book["arms"]["E2"].value = "placebo"  # not an arm type of the form
    book["studies"]["C2"].value = "Iran"  # valid, but nothing loads while others are wrong
    book.save(path)
    before = [dict(r) for r in values_in_force(db)]
    refused = run(build_load(opener), str(path), "--reviewer", "ana")
    assert refused.exit_code == 1
    lines = refused.output.splitlines()
    letter = {name: column_letter(column(name) - 1) for name in ("unit", "events", "n")}
    expected = [
        "studies, row 2, column E (Dose (10^6 cells/kg) [dose]): must be a number, not 'a lot'",
        "studies, row 3, column B (study id): 'not-a-study' is not a study of this review",
        f"outcomes, row {empty[0].row}, column {letter['n']} (n): must be a number, not 'twenty'",
        f"outcomes, row {unnamed[0].row}, column J (reported as): is empty",
        "arms, row 2, column E (arm type): arm ctl: arm type must be one of MSC, standard care",
        f"outcomes, row {se_row[0].row}, column {letter['unit']} (unit): albumin at 6 months, "
        "arm ctl: cannot convert mmol/L to g/L",
        f"outcomes, row {events_row[0].row}, column {letter['events']} (events): adverse at "
        "end of follow-up, arm ctl: events (30) cannot exceed the total (16)",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in lines), (want, lines)
    assert str(refused.exception) == "8 problems in the sheet; nothing loaded"
    assert len(lines) == 8
    assert [dict(r) for r in values_in_force(db)] == before
    assert ARM_COLUMNS[4] == "arm type"


def test_the_commands_are_wired_into_metasift(tmp_path):
    from screening.cli import cli

    db, form = make_review(tmp_path / "review")
    fill(db, form)
    folder, path = str(tmp_path / "review"), str(tmp_path / "all.xlsx")
    shown = run(
        cli, "export", "sheet", "--review", folder, "--reviewer", "ana", "--mine", "-o", path
    )
    assert shown.exit_code == 0, shown.output
    assert load_workbook(path)["studies"]["A2"].value == f"not included ({TWO_ARM[:8]})"
    loaded = run(cli, "extract", "load", path, "--review", folder, "--reviewer", "ana")
    assert loaded.exit_code == 0 and "0 values added, 23 unchanged" in loaded.output
    book = load_workbook(path)
    book["studies"]["E2"].value = "a lot"
    book.save(path)
    refused = run(cli, "extract", "load", path, "--review", folder, "--reviewer", "ana")
    assert refused.exit_code == 1
    assert refused.output.endswith("Error: 1 problem in the sheet; nothing loaded\n")
    db.close()
