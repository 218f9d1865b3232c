"""The risk-of-bias screen driven by its real keys: answering, skipping what does not apply,
the live suggestion, support and quote, an override that needs a justification, done and
blinding, consensus, undo; asserts on the events in the review file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from extraction.rob import ledger
from extraction.rob.consensus import settle
from extraction.rob.form import RobForm
from extraction.rob.ledger import Target
from extraction.tui.rob_screen import RobScreen
from tests.test_rob_answers import ALL_LOW
from tests.tui.pilots import piloting, screen_as
from tests.tui.snapshot_apps.rob_app import build
from tests.tui.test_extract_screen import text_of


@pytest.fixture
async def pilot(tmp_path: Path) -> AsyncIterator[Pilot]:
    async for running in piloting(build(tmp_path / "review")):
        yield running


def screen_of(pilot: Pilot) -> RobScreen:
    return screen_as(pilot, RobScreen)


def answers(pilot: Pilot) -> list[tuple]:
    db = pilot.app.review.db  # type: ignore[attr-defined]
    return db.execute(
        "SELECT reviewer, item, domain, question, answer, support, quote, page, undoes IS NOT NULL"
        " FROM rob_answers ORDER BY id"
    ).fetchall()


async def type_in(pilot: Pilot, key: str, text: str) -> None:
    await pilot.press(key)
    screen_of(pilot).query_one("#entry", Input).value = text
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_answering_skips_what_does_not_apply_and_suggests_live(pilot: Pilot) -> None:
    assert "study 1 of 2" in text_of(pilot, "#bar") and "Preliminary" in text_of(pilot, "#domain")
    await pilot.press("right_square_bracket", "right_square_bracket")  # to D2
    assert text_of(pilot, "#domain").startswith("D2 · Bias due to deviations")
    await pilot.press("n", "N")  # 2.1 No, 2.2 Probably no: 2.3 to 2.5 do not apply
    table = screen_of(pilot).query_one("#lines", DataTable)
    assert screen_of(pilot).lines[table.cursor_row].key == "2.6"  # skipped to the next open one
    assert [line.answer for line in screen_of(pilot).lines[2:5]] == ["NA"] * 3
    assert "D2 suggested: answer the questions" in text_of(pilot, "#judgement")
    await pilot.press("Y")  # 2.6 probably yes
    assert "D2 suggested: Low" in text_of(pilot, "#judgement")
    assert [a[2:5] for a in answers(pilot)] == [
        ("D2:assignment", "2.1", "N"),
        ("D2:assignment", "2.2", "PN"),
        ("D2:assignment", "2.6", "PY"),
    ]
    assert "+" in text_of(pilot, "#grid").splitlines()[1]  # the grid shows D2 low


async def test_support_quote_and_an_override_with_its_justification(pilot: Pilot) -> None:
    await pilot.press("right_square_bracket", "y")  # D1: 1.1 Yes
    screen_of(pilot).query_one("#lines", DataTable).move_cursor(row=0)
    await type_in(pilot, "s", "computer-generated list")
    await type_in(pilot, "c", "4 | a computer-generated random list")
    assert answers(pilot)[-1][4:8] == (
        "Y",
        "computer-generated list",
        "a computer-generated random list",
        "4",
    )
    await type_in(pilot, "o", "high")  # no justification: refused, the input stays open
    assert "needs a justification" in text_of(pilot, "#problem")
    assert screen_of(pilot).typing == ("override", "D1")
    screen_of(pilot).query_one("#entry", Input).value = "high: sequence by birth date, p. 3"
    await pilot.press("enter")
    await pilot.pause()
    assert answers(pilot)[-1][1:6] == (
        "judgement",
        "D1",
        "",
        "high",
        "sequence by birth date, p. 3",
    )
    assert "set by you: High" in text_of(pilot, "#judgement")
    await pilot.press("u")  # undo the override
    assert "set by you" not in text_of(pilot, "#judgement") and answers(pilot)[-1][8] == 1


async def test_done_lifts_blinding_and_shows_the_consensus(pilot: Pilot) -> None:
    form: RobForm = pilot.app.form  # type: ignore[attr-defined]
    db, study = form.db, form.studies[0]
    for who, d1 in (("ana", ALL_LOW["D1"]), ("ben", "1.1=Y,1.2=N,1.3=N")):
        for pair in d1.split(","):
            question, given = pair.split("=")
            ledger.answer(db, Target(form.instrument, study.uuid, "", who), "D1", question, given)
    ledger.mark_done(db, Target(form.instrument, study.uuid, "", "ben"))
    await pilot.press("right_square_bracket")
    assert "hidden until both reviewers are done" in text_of(pilot, "#judgement")
    await pilot.press("d")
    shown = text_of(pilot, "#judgement")
    assert "D1: ana: Low, ben: High · conflict (metasift rob consensus settles it)" in shown
    await pilot.press("equals_sign")  # no longer a key of the form: consensus has its screen
    assert screen_of(pilot).typing is None
    settle(db, form.instrument, "cy", (study.uuid, ""), "D1", "high", "1.2 is N: not sealed")
    await pilot.press("d", "d")  # reopen and finish again: the form redraws
    assert "D1: ana: Low, ben: High · resolved → High" in text_of(pilot, "#judgement")
    assert answers(pilot)[-3][:5] == ("cy", "judgement", "D1", "", "high")


async def test_next_study_and_escape_cancel(pilot: Pilot) -> None:
    await pilot.press("greater_than_sign")
    assert "study 2 of 2" in text_of(pilot, "#bar")
    await pilot.press("right_square_bracket", "c")
    await pilot.press("escape")
    assert "cancelled" in text_of(pilot, "#status") and screen_of(pilot).typing is None
    await pilot.press("a")  # 1.1 does not take NA: said, not saved
    assert "1.1=NA is not allowed" in text_of(pilot, "#problem") and answers(pilot) == []


async def test_the_effect_of_interest_picks_domain_two_variant(pilot: Pilot) -> None:
    screen = screen_of(pilot)
    row = next(i for i, line in enumerate(screen.lines) if line.key == "effect_of_interest")
    screen.query_one("#lines", DataTable).move_cursor(row=row)
    await type_in(pilot, "s", "adhering")
    assert answers(pilot)[-1][1:5] == ("preliminary", "", "effect_of_interest", "adhering")
    await pilot.press("right_square_bracket", "right_square_bracket")
    assert "(effect of adhering)" in text_of(pilot, "#domain")
    assert screen.lines[3].text.startswith("[If applicable] Were there failures")
    await type_in(pilot, "s", "")  # on a question page, s edits support: 2.1 is unanswered
    assert "answer 2.1 first" in text_of(pilot, "#problem")


async def test_one_question_at_a_time_skips_what_does_not_apply(pilot: Pilot) -> None:
    screen = screen_of(pilot)
    await pilot.press("right_square_bracket", "right_square_bracket", "t")  # D2, one at a time
    assert screen.query_one("#card").display and not screen.query_one("#lines").display
    assert "one question at a time" in text_of(pilot, "#bar")
    card = text_of(pilot, "#card")
    assert card.startswith("Question 1 of 7") and "2.1  Were participants aware" in card
    assert "y Yes   Y Probably yes   N Probably no   n No   i No information" in card
    await pilot.press("n", "N")  # 2.3 to 2.5 no longer apply: the card goes to 2.6
    card = text_of(pilot, "#card")
    assert card.startswith("Question 3 of 4 · 3 skipped") and "2.6  Was an appropriate" in card
    assert "D2 suggested: answer the questions" in text_of(pilot, "#judgement")
    await pilot.press("k")  # back past the skipped ones
    assert "2.2  Were carers" in text_of(pilot, "#card") and "Your answer: PN" in text_of(
        pilot, "#card"
    )
    await pilot.press("j", "Y")  # 2.6 probably yes: 2.7 does not apply, the domain is done
    assert "D2 suggested: Low" in text_of(pilot, "#judgement")  # live, as in the whole view
    assert "every question that applies is answered" in text_of(pilot, "#status")
    assert [a[3:5] for a in answers(pilot)] == [("2.1", "N"), ("2.2", "PN"), ("2.6", "PY")]
    await pilot.press("t")
    assert screen.query_one("#lines").display and not screen.query_one("#card").display
