"""A form choice typed into a cell (extraction/values/entry_text.py): by its number in the
list, its name in any case, or a unique start of it; a name typed in full beats a number."""

from __future__ import annotations

import pytest

from extraction.forms.form import Form, FormField
from extraction.values.cells import Cell
from extraction.values.entry_text import EntryError, read_entry

FORM = Form(
    fields=(
        FormField("design", "Design", "choice", ("RCT", "non-randomised")),
        FormField("arms", "Arms", "choice", ("2", "3", "4+")),
        FormField("risk", "Risk", "choice", ("Low risk", "Low", "High")),
    )
)


def typed(key: str, text: str) -> object:
    return read_entry(FORM, Cell.study_field("s1", key), text).value


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("design", "1", "RCT"),
        ("design", "2", "non-randomised"),
        ("design", "rct", "RCT"),
        ("design", "n", "non-randomised"),
        ("risk", "low", "Low"),  # in full, though also the start of 'Low risk'
        ("risk", "LOW R", "Low risk"),
        ("arms", "4", "4+"),  # no fourth choice: the start of '4+'
    ],
)
def test_a_choice_is_its_number_its_name_or_a_unique_start(key: str, text: str, value: str) -> None:
    assert typed(key, text) == value


def test_a_choice_named_in_full_beats_its_number() -> None:
    assert [typed("arms", n) for n in ("2", "3", "1")] == ["2", "3", "2"]


@pytest.mark.parametrize("text", ["lo", "x", "²"])
def test_an_ambiguous_or_unknown_choice_lists_them_numbered(text: str) -> None:
    with pytest.raises(EntryError) as refused:
        typed("risk", text)
    assert str(refused.value) == "Risk: choose 1 Low risk, 2 Low, 3 High"
