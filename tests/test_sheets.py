from __future__ import annotations

import pytest

from extraction.sheets import safe_cell


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        '=HYPERLINK("http://example.com","click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "-",
        "+",
        "-1.5 mg",
        "--help",
    ],
)
def test_formula_like_text_gets_a_leading_quote(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-1.5", "+3", "-0", "-.5", "+2.", "-2e-5", "1e10", "42"])
def test_plain_numbers_stay_as_they_are(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value",
    ["Smith, J.", "Effect of =-sign", " =1", "", "a=b", "10.1000/xyz", "2019-03-05"],
)
def test_ordinary_text_is_unchanged(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [None, -2, 3.5, True, ["=1"], {"a": "=1"}])
def test_non_strings_are_unchanged(value: object) -> None:
    assert safe_cell(value) is value


@pytest.mark.parametrize("value", ["=1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "-", "-1.5", "plain"])
def test_reading_a_sheet_back_undoes_the_neutralisation(value: str) -> None:
    from extraction.sheets.files import unsafe

    assert unsafe(safe_cell(value)) == value


def test_xlsx_keeps_numbers_numbers_and_formulas_text(tmp_path) -> None:
    from openpyxl import load_workbook

    from extraction.sheets.files import read_sheets, write_xlsx
    from extraction.sheets.tables import Sheet

    rows = [["text", "number"], ["=1+1", -2.5], ["-1.5", 0], ["@x", -7]]
    write_xlsx(tmp_path / "s.xlsx", [Sheet("s", rows)])
    ws = load_workbook(tmp_path / "s.xlsx")["s"]
    assert [(c.value, c.data_type) for c in ws["A"][1:]] == [
        ("'=1+1", "s"), ("-1.5", "s"), ("'@x", "s"),
    ]  # fmt: skip
    assert [(c.value, c.data_type) for c in ws["B"][1:]] == [(-2.5, "n"), (0, "n"), (-7, "n")]
    assert read_sheets(tmp_path / "s.xlsx")[0].rows == rows


def test_xlsx_shows_characters_xml_cannot_hold_as_replacement_marks(tmp_path) -> None:
    from extraction.sheets.files import read_sheets, write_xlsx
    from extraction.sheets.tables import Sheet

    write_xlsx(tmp_path / "c.xlsx", [Sheet("c", [["note"], ["p.\x0b 4"]])])
    assert read_sheets(tmp_path / "c.xlsx")[0].rows == [["note"], ["p.\ufffd 4"]]
