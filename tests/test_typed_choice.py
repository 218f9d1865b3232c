"""The one rule for which option was typed (db/typed_choice.py): in full beats a start of it,
a start of several is all of them, and nothing typed names nothing."""

from __future__ import annotations

import pytest

from db.typed_choice import unique_match

RISKS = ("low risk", "low", "high")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("low", ["low"]),  # in full, though also the start of 'low risk'
        ("low r", ["low risk"]),
        ("h", ["high"]),
        ("lo", ["low risk", "low"]),  # ambiguous: both, in the options' order
        ("x", []),
        ("", []),
    ],
)
def test_the_option_typed_in_full_beats_those_it_starts(typed: str, found: list[str]) -> None:
    assert unique_match(typed, RISKS) == found


def test_an_option_is_matched_by_any_of_its_forms_and_listed_once() -> None:
    labels = {"some_concerns": "some concerns", "serious": "serious", "no_info": "no information"}
    by_id_or_label = lambda key: (key, labels[key])  # noqa: E731
    assert unique_match("no information", labels, by_id_or_label) == ["no_info"]
    assert unique_match("some", labels, by_id_or_label) == ["some_concerns"]
    assert unique_match("s", labels, by_id_or_label) == ["some_concerns", "serious"]


def test_the_caller_normalises_typed_and_forms_alike() -> None:
    assert unique_match("LOW", RISKS) == []  # the helper compares as given
    assert unique_match("LOW".casefold(), RISKS, lambda o: (o.casefold(),)) == ["low"]
