"""`metasift resolve` (with the App factory patched: no TUI runs here) and `metasift conflicts`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.decisions.resolving import Adjudication
from tests import test_cli_screen
from tests.resolve_fixtures import copy_conflicted

launched = test_cli_screen.launched  # the fixture: a terminal, and a fake App that records
invoke = test_cli_screen.invoke


@pytest.fixture
def review_file(tmp_path: Path) -> Path:
    return copy_conflicted(tmp_path / "rev")


def test_without_a_terminal_it_exits_1_with_a_message(review_file: Path) -> None:
    result = invoke("resolve", "--review", review_file, "--reviewer", "cleo")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: metasift resolve needs a terminal")


def test_opens_the_screen_for_the_protocols_only_adjudicator(review_file, launched) -> None:
    result = invoke("resolve", "--review", review_file)
    assert result.exit_code == 0, result.output
    (app,) = launched
    adjudication: Adjudication = app.screen.adjudication
    assert app.ran and (adjudication.adjudicator, adjudication.stage) == ("cleo", "title-abstract")
    assert [s.record_id for s in adjudication.items] == [7, 8]


def test_only_adjudicators_may_resolve(review_file, launched) -> None:
    result = invoke("resolve", "--review", review_file, "--reviewer", "ana")
    assert result.exit_code == 1
    assert "'ana' is not one of review.toml's adjudicators (cleo)" in result.stderr
    assert launched == []


def test_conflicts_json_lists_each_record_with_its_votes(review_file) -> None:
    result = invoke(
        "conflicts", "--review", review_file, "--json", env={"METASIFT_REVIEWER": "cleo"}
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["stage"], out["adjudicator"], out["hidden"]) == ("title-abstract", "cleo", 0)
    assert [c["record_id"] for c in out["conflicts"]] == [7, 8]
    votes = out["conflicts"][0]["votes"]
    assert [(v["reviewer"], v["verdict"], v["reason"], v["tags"]) for v in votes] == [
        ("ana", "include", None, ["rct"]),
        ("ben", "exclude", "wrong population", ["ages", "ask authors"]),
    ]
    assert out["conflicts"][1]["title"].startswith("Effects of prenatal vitamins A, E, and C")


def test_conflicts_as_text_and_refused_to_screeners(review_file) -> None:
    result = invoke("conflicts", "--review", review_file, "--reviewer", "cleo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "title-abstract: 2 conflicts for cleo"
    assert lines[2] == "          ana: include  (RCT, 2% chlorhexidine against control)"
    blinded = invoke("conflicts", "--review", review_file, "--reviewer", "ben")
    assert blinded.exit_code == 1 and "adjudicators" in blinded.stderr
