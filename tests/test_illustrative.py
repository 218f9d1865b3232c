"""Values marked illustrative (made up, not from any report, as the demo's are): stored as
part of the reported value, typed in the extraction screen, and named per study in every
output made from them: the outcomes sheet, the metafor and RevMan sheets, analyse's text,
JSON, forest and funnel plots, pool's text and JSON. Never called imputed."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from extraction.cli.analyse import build
from extraction.sheets.analysis import ILLUSTRATIVE, metafor_sheet, revman_sheet
from extraction.sheets.layout import outcome_rows
from extraction.sheets.shown import team_view, visibility
from extraction.values.cells import Cell
from extraction.values.entry_text import read_entry
from extraction.values.ledger import ValueRefused, reviewer_values, set_value
from extraction.values.reported import illustrative, imputed, problems
from extraction.values.worksheet import Worksheet, shown
from screening.cli import cli
from tests.sheets_support import LABELS, THREE_ARM, fill, make_review, opener_for
from tests.test_analyse import svg_texts

WHY = "SD made up: the paper reports none"
ALBUMIN = ["--outcome", "albumin", "--timepoint", "6 months", "--method", "FE"]


@pytest.fixture
def marked(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The sheet tests' review, with Lin 2017's control value made up."""
    db, form = make_review(tmp_path / "review")
    fill(db, form)
    value = {"as": "mean-sd", "mean": 28, "sd": 5, "n": 12, "illustrative": WHY}
    set_value(db, form, "ana", Cell.outcome_of(THREE_ARM, "ctl", "albumin", "6 months"), value)
    yield db, form, opener_for(db, form, tmp_path)
    db.close()


def test_any_layout_may_be_illustrative_with_a_reason():
    value = {"as": "mean-sd", "mean": 1, "sd": 2, "n": 3, "illustrative": WHY}
    assert problems(value) == [] and illustrative(value) == WHY and not imputed(value)
    blank = {**value, "illustrative": " "}
    assert [p.field for p in problems(blank)] == ["illustrative"]
    assert illustrative({"as": "events", "events": 1, "total": 2}) is None


def test_illustrative_is_typed_and_shown_as_typed(marked):
    db, form, _ = marked
    cell = Cell.outcome_of(THREE_ARM, "ctl", "albumin", "6 months")
    entry = read_entry(form, cell, f'mean 28 sd 5 n 12 illustrative "{WHY}"')
    assert entry.value == {"as": "mean-sd", "mean": 28, "sd": 5, "n": 12, "illustrative": WHY}
    stored = next(v for v in reviewer_values(db, "ana", THREE_ARM) if v.cell == cell)
    assert read_entry(form, cell, shown(stored)).value == stored.value
    line = next(x for x in Worksheet(db, form, "ana", THREE_ARM).lines() if x.cell == cell)
    assert line.method.startswith(f"ILLUSTRATIVE ({WHY})") and "ILLUSTRATIVE" in line.derived
    with pytest.raises(ValueRefused, match="say which numbers are made up"):
        set_value(db, form, "ana", cell, {**entry.value, "illustrative": ""})


def test_outcomes_sheet_says_illustrative_in_its_column_and_method(marked):
    db, form, _ = marked
    view = team_view(db, form, visibility(db, form, None, ()))
    rows = outcome_rows(form, LABELS, view)
    header = rows[0]
    flagged = [r for r in rows[1:] if r[header.index("illustrative (made up, not from a report)")]]
    assert [(r[0], r[2]) for r in flagged] == [("Lin 2017", "ctl")]
    method = flagged[0][header.index("method")]
    assert method.startswith("ILLUSTRATIVE, not from a report") and "as reported" not in method
    assert flagged[0][header.index("imputed SD")] == "no"  # made up, not imputed


def test_metafor_and_revman_sheets_flag_the_study(marked):
    db, form, _ = marked
    view = team_view(db, form, visibility(db, form, None, ()))
    rows = metafor_sheet(form, LABELS, view).rows
    flag = rows[0].index("illustrative")
    albumin = [r for r in rows[1:] if r[0] == "albumin" and r[1] == "6 months"]
    assert [(r[4], r[flag]) for r in albumin] == [("Shi 2012", "no"), ("Lin 2017", "yes")]
    assert all(ILLUSTRATIVE not in (r[rows[0].index("multi_arm")] or "") for r in albumin)
    notes: dict[str, list[str]] = {}
    for row in revman_sheet(form, LABELS, view).rows[1:]:
        if len(row) > 2:
            notes.setdefault(row[0], []).append(row[-1] or "")
    assert any(ILLUSTRATIVE in note for note in notes["Lin 2017"])
    assert not any(ILLUSTRATIVE in note for note in notes["Shi 2012"])


def analyse(review: Any, *args: str) -> Any:
    return CliRunner().invoke(build(review[2]), list(args))


def test_analyse_marks_the_study_in_text_json_and_plot(marked, tmp_path):
    out = analyse(marked, *ALBUMIN)
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert any(line.startswith("Lin 2017 \u2020") for line in lines)
    assert any(line.startswith("Shi 2012 ") and "\u2020" not in line for line in lines)
    assert any(line.startswith("\u2020 Illustrative values") and "Lin 2017" in line
               for line in lines)  # fmt: skip
    got = json.loads(analyse(marked, *ALBUMIN, "--json").stdout)
    assert got["illustrative"] == ["Lin 2017"] and got["sd_imputed"] == []
    for suffix in ("svg", "png"):
        target = tmp_path / f"forest.{suffix}"
        assert analyse(marked, *ALBUMIN, "--plot", str(target)).exit_code == 0
    texts = svg_texts(tmp_path / "forest.svg")
    assert texts["label-1"] == "Lin 2017 \u2020"
    assert "Lin 2017" in texts["footnote-0"] and "made up" in texts["footnote-0"]
    assert (tmp_path / "forest.png").read_bytes().startswith(b"\x89PNG")


def test_funnel_plot_marks_the_study_and_names_it_as_the_forest_plot_does(marked, tmp_path):
    target = tmp_path / "funnel.svg"
    out = analyse(marked, *ALBUMIN, "--funnel", str(target))
    assert out.exit_code == 0, out.output
    texts = svg_texts(target)
    assert texts["footnote-0"] == (
        "\u2020 Illustrative values (made up, not from a report) in Lin 2017: this estimate "
        "is not evidence."
    )
    # the points in the analysis's order (Shi 2012, Lin 2017): only Lin 2017's is marked
    assert {k: v for k, v in texts.items() if k.startswith("illustrative-")} == {
        "illustrative-1": "\u2020"
    }
    png = tmp_path / "funnel.png"
    assert analyse(marked, *ALBUMIN, "--funnel", str(png)).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_pool_names_the_illustrative_studies_of_an_exported_sheet(marked, tmp_path):
    db, form, _ = marked
    path = tmp_path / "sheet.csv"
    view = team_view(db, form, visibility(db, form, None, ()))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(metafor_sheet(form, LABELS, view).rows)
    args = ["pool", str(path), "--measure", "MD", "--outcome", "albumin",
            "--timepoint", "6 months"]  # fmt: skip
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0, text.output
    assert "Note: Illustrative values (made up, not from a report) in Lin 2017" in text.stdout
    assert json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)["illustrative"] == [
        "Lin 2017"
    ]


def test_pool_of_a_sheet_without_the_column_names_none(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("study,m1i,sd1i,n1i,m2i,sd2i,n2i\nA,1,1,10,0,1,10\nB,2,1,10,0,1,10\n")
    out = CliRunner().invoke(cli, ["pool", str(path), "--measure", "MD", "--json"])
    assert json.loads(out.stdout)["illustrative"] == []
    text = CliRunner().invoke(cli, ["pool", str(path), "--measure", "MD"]).stdout
    assert "Illustrative" not in text


def test_a_quoted_note_keeps_its_commas_and_equals_signs(marked):
    db, form, _ = marked
    cell = Cell.outcome_of(THREE_ARM, "ctl", "albumin", "6 months")
    typed = 'mean=28, sd=5, n=12 note "Table 2, p. 5: n = 12 analysed" '
    typed += 'illustrative "made up, no SD"'
    entry = read_entry(form, cell, typed)
    assert entry.note == "Table 2, p. 5: n = 12 analysed"
    assert entry.value["illustrative"] == "made up, no SD" and entry.value["mean"] == 28
    set_value(db, form, "ana", cell, entry.value, note=entry.note)
    stored = next(v for v in reviewer_values(db, "ana", THREE_ARM) if v.cell == cell)
    assert read_entry(form, cell, shown(stored)).value == stored.value
