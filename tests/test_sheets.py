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
