"""Only finite numbers are stored: NaN and infinity (typed, given through the API, or loaded
from a sheet) are refused with the field named, as JSON cannot hold them."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from extraction.cli.sheet import build, build_load
from extraction.values.cells import Cell
from extraction.values.entry_text import EntryError, read_entry
from extraction.values.ledger import ValueRefused, set_value
from extraction.values.reported import problems
from extraction.values.worksheet import Worksheet
from tests.sheets_support import TWO_ARM, filled_review, make_review


@pytest.fixture
def filled(tmp_path):
    yield from filled_review(tmp_path)


ALBUMIN = Cell.outcome_of(TWO_ARM, "msc", "albumin", "6 months")


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("mean NaN sd 5 n 20", "mean must be a finite number, not 'NaN'"),
        ("mean 1e309 sd 1 n 20", "mean must be a finite number, not '1e309'"),
        ("mean 3 sd inf n 20", "sd must be a finite number, not 'inf'"),
        ("mean 3 sd 1 n -Infinity", "n must be a finite number, not '-Infinity'"),
        ("ci nan 4 n 20", "ci must be a finite number, not 'nan'"),
        ("events 3/inf", "events must be a finite number, not 'inf'"),
    ],
)
def test_a_typed_non_finite_number_is_refused_naming_the_field(
    typed: str, named: str, tmp_path: Path
) -> None:
    db, form = make_review(tmp_path / "review")
    with pytest.raises(EntryError, match=named):
        read_entry(form, ALBUMIN, typed)
    assert Worksheet(db, form, "ana", TWO_ARM).check(ALBUMIN, typed) == named
    db.close()


def test_a_typed_number_field_must_be_finite(tmp_path: Path) -> None:
    _, form = make_review(tmp_path / "review")
    with pytest.raises(EntryError, match="Dose must be a finite number, not 'inf'"):
        read_entry(form, Cell.study_field(TWO_ARM, "dose"), "inf")


@pytest.mark.parametrize("key", ["mean", "sd", "n"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_reported_value_with_a_non_finite_number_has_a_problem(key: str, bad: float) -> None:
    value = {"as": "mean-sd", "mean": 3.0, "sd": 1.0, "n": 20, key: bad}
    found = problems(value)
    assert [p.field for p in found] == [key]
    assert found[0].message == f"{key} must be a finite number, not {bad}"


def test_the_api_refuses_non_finite_numbers_and_stores_nothing(filled) -> None:
    db, form, _ = filled
    before = db.execute("SELECT count(*) FROM extraction_values").fetchone()[0]
    with pytest.raises(ValueRefused, match="must be a finite number") as refused:
        set_value(db, form, "ana", ALBUMIN, {"as": "mean-sd", "mean": math.nan, "sd": 1, "n": 20})
    assert refused.value.part == "mean"
    with pytest.raises(ValueRefused, match="dose: must be a finite number, not inf"):
        set_value(db, form, "ana", Cell.study_field(TWO_ARM, "dose"), math.inf)
    assert db.execute("SELECT count(*) FROM extraction_values").fetchone()[0] == before


def test_a_loaded_sheet_with_non_finite_numbers_is_refused(filled, tmp_path: Path) -> None:
    db, _, opener = filled
    runner = CliRunner()
    out = tmp_path / "ana.csv"
    exported = runner.invoke(build(opener), ["--reviewer", "ana", "--mine", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    outcomes = tmp_path / "ana-outcomes.csv"
    with outcomes.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    mean_sd = [r for r in body if r[header.index("reported as")] == "mean-sd"]
    mean_sd[0][header.index("mean")] = "NaN"
    mean_sd[1][header.index("SD")] = "1e309"
    with outcomes.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *body])
    before = db.execute("SELECT count(*) FROM extraction_values").fetchone()[0]
    files = [str(p) for p in sorted(tmp_path.glob("ana-*.csv"))]
    loaded = runner.invoke(build_load(opener), [*files, "--reviewer", "ana"])
    assert loaded.exit_code == 1
    assert "(mean): must be a finite number, not 'NaN'" in loaded.output
    assert "(SD): must be a finite number, not '1e309'" in loaded.output
    assert db.execute("SELECT count(*) FROM extraction_values").fetchone()[0] == before
