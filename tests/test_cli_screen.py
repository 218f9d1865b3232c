"""`metasift screen` (with the App factory patched: no TUI runs here) and `export decisions`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening.cli import cli, screen
from screening.decisions.session import ScreeningSession
from screening.review import load_review
from tests.screening_fixtures import RCT_PMID, make_review


@pytest.fixture
def review_file(tmp_path: Path) -> Path:
    return make_review(tmp_path / "rev")


class FakeApp:
    return_code = 0

    def __init__(self, factory: Any, title: str) -> None:
        self.screen = factory()
        self.title = title
        self.ran = False

    def run(self) -> None:
        self.ran = True


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[FakeApp]:
    apps: list[FakeApp] = []

    def make_app(factory: Any, title: str = "metasift") -> FakeApp:
        apps.append(FakeApp(factory, title))
        return apps[-1]

    monkeypatch.setattr(screen, "has_terminal", lambda: True)
    monkeypatch.setattr("screening.tui.app.make_app", make_app)
    monkeypatch.delenv("METASIFT_REVIEWER", raising=False)
    return apps


def invoke(*args: Any, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def test_without_a_terminal_it_exits_1_with_a_message(review_file: Path) -> None:
    result = invoke("screen", "--review", review_file, "--reviewer", "ana")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: metasift screen needs a terminal")
    assert result.stdout == ""


def test_opens_the_screen_for_the_reviewer_and_stage(review_file, launched) -> None:
    result = invoke("screen", "--review", review_file, "--reviewer", "ben", "--stage", "full-text")
    assert result.exit_code == 0, result.output
    (app,) = launched
    assert app.ran and app.title == "metasift · Chlorhexidine for postoperative sensitivity"
    session: ScreeningSession = app.screen.session
    assert (session.reviewer, session.stage) == ("ben", "full-text")


def test_reviewer_comes_from_the_environment(review_file, launched) -> None:
    result = invoke("screen", "--review", review_file, env={"METASIFT_REVIEWER": "ana"})
    assert result.exit_code == 0, result.output
    assert launched[0].screen.session.reviewer == "ana"
    assert launched[0].screen.session.stage == "title-abstract"


def test_the_protocols_only_reviewer_is_the_default(tmp_path, launched) -> None:
    only = make_review(tmp_path / "solo", reviewers=("cara",))
    assert invoke("screen", "--review", only).exit_code == 0
    assert launched[0].screen.session.reviewer == "cara"


def test_reviewer_is_required_when_the_protocol_lists_several(review_file, launched) -> None:
    result = invoke("screen", "--review", review_file)
    assert result.exit_code == 1
    assert "Pass --reviewer NAME or set METASIFT_REVIEWER (review.toml lists ana, ben)" in (
        result.stderr
    )
    typo = invoke("screen", "--review", review_file, "--reviewer", "anna")
    assert typo.exit_code == 1 and "'anna' is not one of review.toml's reviewers" in typo.stderr
    assert launched == []


def test_a_stage_the_protocol_lacks_is_refused(tmp_path, launched) -> None:
    path = make_review(tmp_path / "ta")
    toml = path.with_name("review.toml")
    toml.write_text(toml.read_text().replace('"title-abstract", "full-text"', '"title-abstract"'))
    result = invoke("screen", "--review", path, "--reviewer", "ana", "--stage", "full-text")
    assert result.exit_code == 1
    assert "stage 'full-text' is not in review.toml's stages (title-abstract)" in result.stderr


def decide_some(review_file: Path) -> None:
    with load_review(review_file) as review:
        ana = ScreeningSession(review.db, review.protocol, "ana")
        ana.decide("include")
        ana.set_note("=HYPERLINK(evil)")
        ana.set_tags(["rct", "dental"])
        ana.decide("exclude", "wrong population")
        ana.undo()
        ana.go_to(7)
        ana.decide("include")
        # one decision per record (the default): ben's list leaves out what ana settled
        ScreeningSession(review.db, review.protocol, "ben").decide("maybe")  # record 2


def test_export_decisions_csv_one_row_per_event(review_file, tmp_path) -> None:
    decide_some(review_file)
    out = tmp_path / "decisions.csv"
    result = invoke(
        "export", "decisions", "--review", review_file, "--format", "csv", "-o", out,
        "--reviewer", "ana",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == f"5 decisions written to {out}\n"
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["record_id"], r["reviewer"], r["verdict"]) for r in rows] == [
        ("1", "ana", "include"),
        ("2", "ana", "exclude"),
        ("2", "ana", "undo"),
        ("7", "ana", "include"),
        ("2", "ben", "maybe"),
    ]
    excluded = rows[1]
    assert excluded["reason"] == "wrong population" and excluded["current"] == "0"
    assert excluded["note"] == "'=HYPERLINK(evil)"  # a spreadsheet must not run it
    assert excluded["tags"] == "rct; dental"
    assert rows[2]["undoes"] == excluded["uuid"]
    assert rows[3]["pmid"] == RCT_PMID and rows[3]["doi"] == "10.3290/j.qi.a30176"
    assert rows[3]["title"].startswith("Randomized clinical evaluation of the effect")
    assert rows[3]["stage"] == "title-abstract" and rows[3]["current"] == "1"
    assert rows[3]["time"].endswith("+00:00")


def test_export_decisions_json_for_one_reviewer_current_only(review_file) -> None:
    decide_some(review_file)
    result = invoke(
        "export", "decisions", "--review", review_file, "--format", "json", "-o", "-",
        "--reviewer", "ana", "--mine", "--current",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["record_id"], r["verdict"], r["current"]) for r in rows] == [
        (1, "include", True),
        (7, "include", True),
    ]
    assert rows[0]["tags"] == [] and rows[0]["note"] is None


def test_export_decisions_is_blinded_until_a_record_has_its_decisions(review_file) -> None:
    toml = review_file.with_name("review.toml")
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "[screening]\n", "[screening]\ndecisions_required = { title-abstract = 2 }\n", 1
        ),
        encoding="utf-8",
    )
    with load_review(review_file) as review:
        ScreeningSession(review.db, review.protocol, "ana").decide("include")  # record 1
        ben = ScreeningSession(review.db, review.protocol, "ben")
        ben.go_to(2)
        ben.decide("exclude", "wrong population")  # record 2: ana has not decided it
        ben.go_to(1)
        ben.decide("include")  # record 1 now has both decisions

    def seen(who: str) -> list[tuple]:
        result = invoke(
            "export", "decisions", "--review", review_file, "--format", "json", "-o", "-",
            "--reviewer", who,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return sorted((r["record_id"], r["reviewer"]) for r in json.loads(result.stdout))

    assert seen("ana") == [(1, "ana"), (1, "ben")]  # ben's verdict on 2 stays hidden
    assert seen("ben") == [(1, "ana"), (1, "ben"), (2, "ben")]
    refused = invoke("export", "decisions", "--review", review_file, "--format", "csv",
                     "-o", "-", "--reviewer", "zed")  # fmt: skip
    assert refused.exit_code == 1 and "'zed' is not one of review.toml's" in refused.stderr


def test_an_extraction_screen_that_crashed_exits_non_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    # Textual prints the traceback and sets return_code; rob and extract exited 0 regardless
    from screening.cli.extraction_review import run_screen

    crashed = FakeApp(lambda: None, "metasift")
    crashed.return_code = 1
    monkeypatch.setattr("screening.tui.app.make_app", lambda factory, title: crashed)
    with pytest.raises(SystemExit) as exited:
        run_screen(lambda: None, "metasift · risk of bias")
    assert exited.value.code == 1 and crashed.ran
