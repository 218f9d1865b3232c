"""The risk-of-bias consensus screen driven by its real keys: taking a reviewer's judgement,
agreeing an answer so the algorithm suggests the judgement, the overall judgement by the rule
from the agreed domains, a justification required, undo, blinding, a changed answer reopening
a domain; asserts on the events in the review file and on what export and plots then read."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from extraction.rob import ledger
from extraction.rob.assessment import WHOLE
from extraction.rob.consensus import AGREED, RESOLVED, agreed
from extraction.rob.export import plot_table
from extraction.rob.ledger import Target
from extraction.rob.sensitivity import high_risk_studies
from extraction.tui.rob_consensus_screen import RobConsensusScreen
from tests.tui.pilots import piloting, screen_as
from tests.tui.snapshot_apps.rob_consensus_app import build
from tests.tui.test_extract_screen import text_of


@pytest.fixture
async def pilot(tmp_path: Path) -> AsyncIterator[Pilot]:
    async for running in piloting(build(tmp_path / "review")):
        yield running


shown_screen = partial(screen_as, kind=RobConsensusScreen)


def consensus_rows(pilot: Pilot) -> list[tuple]:
    db = pilot.app.review.db  # type: ignore[attr-defined]
    return db.execute(
        "SELECT reviewer, item, domain, question, answer, support, undoes IS NOT NULL"
        " FROM rob_answers WHERE role = 'consensus' ORDER BY id"
    ).fetchall()


def sides(pilot: Pilot) -> str:
    """The reviewers' sides as the terminal shows them, column beside column."""
    console = Console(width=116, file=io.StringIO(), record=True)
    console.print(shown_screen(pilot).query_one("#sides", Static).content)
    return console.export_text()


async def enter(pilot: Pilot, text: str | None = None) -> None:
    if text is not None:
        shown_screen(pilot).query_one("#entry", Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_take_a_side_then_the_overall_rule_and_export_reads_them(pilot: Pilot) -> None:
    bar = text_of(pilot, "#bar")
    assert "2 to settle" in bar and "1 blinded (not finished by all)" in bar
    assert "D1 · Bias arising from the randomization process" in text_of(pilot, "#title")
    first_line = sides(pilot).splitlines()[0]
    assert first_line.index("1. ana: Low") < first_line.index("2. ben: High")  # side by side
    await pilot.press("2")  # ben's judgement, with a justification to confirm or edit
    assert shown_screen(pilot).query_one("#entry", Input).value == "high: as ben"
    await enter(pilot, "high: as ben, the envelopes were not sealed")
    assert consensus_rows(pilot) == [
        ("cy", "judgement", "D1", "", "high", "as ben, the envelopes were not sealed", 0)
    ]
    assert "Overall judgement" in text_of(pilot, "#title")
    assert "Overall by the rule, from the agreed domains: High" in text_of(pilot, "#suggested")
    await pilot.press("s")
    await enter(pilot)  # "high: by the rule, from the agreed domains"
    assert consensus_rows(pilot)[-1][1:5] == ("overall", "", "", "high")
    assert "nothing to settle" in text_of(pilot, "#bar")
    app = pilot.app
    study = app.studies[0].uuid  # type: ignore[attr-defined]
    db, rob2 = app.review.db, app.settling.instrument  # type: ignore[attr-defined]
    states = agreed(db, rob2)[(study, "")]
    assert (states["D1"].state, states["D1"].value) == (RESOLVED, "high")
    assert (states[WHOLE].state, states[WHOLE].value) == (RESOLVED, "high")
    assert (states["D2"].state, states["D2"].value) == (AGREED, "low")
    table, _ = plot_table(db, rob2, {study: "Sirola 2023"})
    assert table.judgements == [["high", "low", "low", "low", "low"]]
    assert table.overall == ["high"]
    assert high_risk_studies(db, rob2).high == {study: "High"}  # analyse --exclude-high-risk


async def test_an_agreed_answer_drives_the_suggestion_and_undo_takes_it_back(
    pilot: Pilot,
) -> None:
    shown = text_of(pilot, "#suggested")
    assert "The agreed answers suggest: agree the answers that differ" in shown
    await pilot.press("down")  # 1.2: ana Y, ben N, each with their support and quote
    shown = sides(pilot)
    assert "support: central telephone randomisation" in shown
    assert "quote: p. 4: “sealed envelopes”" in shown
    assert "quote: p. 3: “allocation by telephone”" in shown  # stored as "p. 3": not doubled
    await pilot.press("n")  # agreed: No
    assert consensus_rows(pilot) == [("cy", "answer", "D1", "1.2", "N", None, 0)]
    assert "The agreed answers suggest: High" in text_of(pilot, "#suggested")
    table = shown_screen(pilot).query_one("#questions", DataTable)
    assert table.cursor_row == 1 and shown_screen(pilot).rows[1].agreed == "N"
    await pilot.press("u")
    assert consensus_rows(pilot)[-1][-1] == 1  # an undo event
    assert "agree the answers that differ" in text_of(pilot, "#suggested")
    await pilot.press("Y", "s")  # probably yes: the algorithm says low
    assert shown_screen(pilot).query_one("#entry", Input).value == "low: by the agreed answers"
    await enter(pilot)
    assert consensus_rows(pilot)[-1][1:6] == ("judgement", "D1", "", "low", "by the agreed answers")


async def test_a_judgement_needs_a_why_and_escape_saves_nothing(pilot: Pilot) -> None:
    await pilot.press("e")
    placeholder = shown_screen(pilot).query_one("#entry", Input).placeholder
    assert "(e.g. high: 1.2 is N, p. 4)" in placeholder  # RoB 2's words: ROBINS-I's differ
    await enter(pilot, "low")
    assert "not saved: a consensus is a judgement and why" in text_of(pilot, "#problem")
    assert shown_screen(pilot).typing and consensus_rows(pilot) == []
    await pilot.press("escape")
    assert "cancelled" in text_of(pilot, "#status") and not shown_screen(pilot).typing
    await pilot.press("right_square_bracket")  # to the overall judgement
    assert "Overall by the rule, from the agreed domains: settle every domain first" in (
        text_of(pilot, "#suggested")
    )
    await pilot.press("s")
    assert "no suggestion yet" in text_of(pilot, "#problem") and consensus_rows(pilot) == []


async def test_a_changed_answer_reopens_the_settled_domain(pilot: Pilot) -> None:
    await pilot.press("1")
    await enter(pilot)  # low: as ana
    assert "1 to settle" in text_of(pilot, "#bar")
    app = pilot.app
    study = app.studies[0].uuid  # type: ignore[attr-defined]
    db, rob2 = app.review.db, app.settling.instrument  # type: ignore[attr-defined]
    ledger.answer(db, Target(rob2, study, "", "ben"), "D1", "1.3", "Y")  # ben changes 1.3
    shown_screen(pilot).redraw()
    assert "2 to settle" in text_of(pilot, "#bar")


async def test_a_study_not_finished_by_both_stays_blinded(tmp_path: Path) -> None:
    first = build(tmp_path / "review")
    second = first.studies[1].uuid  # type: ignore[attr-defined]
    first.review.close()  # type: ignore[attr-defined]
    async for pilot in piloting(build(tmp_path / "review", study=second)):
        shown = text_of(pilot, "#empty")
        assert "nothing to settle" in shown and "blinded, finished by ana" in shown
        assert "ben" not in shown and "Low" not in shown
