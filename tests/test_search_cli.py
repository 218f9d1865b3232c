"""The search language in `metasift records --search` and in the screen (its / box)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from screening.tui.screening_screen import ScreeningScreen
from tests.screening_fixtures import make_review
from tests.test_cli import invoke
from tests.tui.snapshot_apps.screening_app import build


@pytest.fixture(scope="module")
def review_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_review(tmp_path_factory.mktemp("search-cli") / "rev")


def listed_ids(output: str) -> list[int]:
    return [int(line.split()[0]) for line in output.splitlines()]


def test_records_search_takes_the_screens_language(review_file: Path) -> None:
    result = invoke("records", "--review", review_file, "--search", "title:cancer -type:news")
    assert result.exit_code == 0, result.output
    assert listed_ids(result.stdout) == [1, 5]
    phrase = invoke("records", "--review", review_file, "--search", '"fetal rats"')
    assert listed_ids(phrase.stdout) == [8]
    either = invoke("records", "--review", review_file, "--search", "(rats OR chlorhexidine)")
    assert listed_ids(either.stdout) == [4, 7, 8]


def test_records_says_when_nothing_matches(review_file: Path) -> None:
    result = invoke("records", "--review", review_file, "--search", '"no such phrase"')
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == "no records match\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--limit", "-5"), "-5 is not in the range"),
        (("--search", "%"), "no word to look for"),
        (("--search", '"unclosed'), "close the quotes"),
        (("--search", "(rats"), "not closed"),
        (("--search", "titel:acne"), "titel: is not a field; did you mean title:?"),
    ],
)
def test_bad_values_are_usage_errors(
    review_file: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke("records", "--review", review_file, *args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_limit_zero_lists_nothing_and_a_limit_cuts(review_file: Path) -> None:
    assert listed_ids(invoke("records", "--review", review_file, "--limit", "3").stdout) == [
        1,
        2,
        3,
    ]
    none = invoke("records", "--review", review_file, "--limit", "0")
    assert none.stdout == "" and none.stderr == ""
    huge = invoke("records", "--review", review_file, "--limit", str(10**20))
    assert huge.exit_code == 2 and "Invalid value for '--limit'" in huge.stderr


async def test_the_screen_searches_whole_words_with_or_and_parentheses(tmp_path: Path) -> None:
    app = build(tmp_path / "review", "ana", "title-abstract", None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ScreeningScreen)
        session = screen.session

        async def search(text: str) -> None:
            await pilot.press("slash")
            pilot.app.screen.query_one(Input).value = text
            await pilot.press("enter")

        await search("rat")
        assert session.view == [8]  # not 5 ("proliferation") nor any "ratio"
        await search("(rats OR chlorhexidine) -year:2013")
        assert session.view == [4, 8]
        bar = str(pilot.app.screen.query_one("#bar").render())
        assert "filter: (rats OR chlorhexidine) -year:2013 (2 of 10)" in bar
        await search("%")
        assert "no word to look for" in str(pilot.app.screen.query_one("#status").render())
        assert session.view == [4, 8]  # a refused search changes nothing
