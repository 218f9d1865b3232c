"""The risk-of-bias screen driven by its real keys: answering, skipping what does not apply,
the live suggestion, support and quote, an override that needs a justification, done and
blinding, consensus, undo; asserts on the events in the review file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Input

from extraction.rob import ledger
from extraction.rob.consensus import settle
from extraction.rob.form import RobForm
from extraction.rob.ledger import Target
from extraction.tui.rob_screen import NOTHING_TO_DO, RobScreen
from screening.review import load_review
from screening.tui.app import MetasiftApp
from tests.merge_support import record_ids
from tests.test_extraction_review import decide
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
    assert "+" in text_of(pilot, "#grid-rows").splitlines()[0]  # the grid shows D2 low


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


def answer_all(form: RobForm, who: str, answers: dict[str, str] = ALL_LOW) -> None:
    """who answers every domain of the first study (as ALL_LOW, or as given)."""
    for domain, pairs in answers.items():
        for pair in pairs.split(","):
            question, given = pair.split("=")
            target = Target(form.instrument, form.studies[0].uuid, "", who)
            ledger.answer(form.db, target, domain, question, given)


async def test_done_lifts_blinding_and_shows_the_consensus(pilot: Pilot) -> None:
    form: RobForm = pilot.app.form  # type: ignore[attr-defined]
    db, study = form.db, form.studies[0]
    answer_all(form, "ana")
    answer_all(form, "ben", {**ALL_LOW, "D1": "1.1=Y,1.2=N,1.3=N"})
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
    assert (
        "y Yes (Y) · shift+y Probably yes (PY) · shift+n Probably no (PN) · n No (N)"
        " · i No information (NI)"
    ) in card
    await pilot.press("n", "N")  # 2.3 to 2.5 no longer apply: the card goes to 2.6
    card = text_of(pilot, "#card")
    assert card.startswith("Question 3 of 4 · 3 skipped") and "2.6  Was an appropriate" in card
    assert "D2 suggested: answer the questions" in text_of(pilot, "#judgement")
    await pilot.press("k")  # back past the skipped ones
    card = text_of(pilot, "#card")
    assert "2.2  Were carers" in card and "Your answer: Probably no (PN)" in card
    await pilot.press("j", "Y")  # 2.6 probably yes: 2.7 does not apply, the domain is done
    assert "D2 suggested: Low" in text_of(pilot, "#judgement")  # live, as in the whole view
    assert "every question that applies is answered" in text_of(pilot, "#status")
    assert [a[3:5] for a in answers(pilot)] == [("2.1", "N"), ("2.2", "PN"), ("2.6", "PY")]
    await pilot.press("t")
    assert screen.query_one("#lines").display and not screen.query_one("#card").display


def drawn(pilot: Pilot, selector: str) -> str:
    """What a widget shows on the terminal, its lines joined by one space: what its size cuts
    off is missing."""
    widget = pilot.app.screen.query_one(selector)
    lines = [strip.text for strip in widget.render_lines(Region(0, 0, *widget.size))]
    return " ".join(" ".join(lines).split())


async def test_every_key_without_a_study_says_so_and_writes_nothing(tmp_path: Path) -> None:
    app = build(tmp_path / "review")
    app.form.studies.clear()  # type: ignore[attr-defined]  # nothing included at full text yet
    async for pilot in piloting(app, size=(80, 24)):
        for key in ("s", "c", "o", "O", "d", "t", "j", "right_square_bracket", "greater_than_sign",
                    "y", "N", "enter"):  # fmt: skip
            await pilot.press(key)
            assert screen_of(pilot).typing is None, key
            assert text_of(pilot, "#problem") == NOTHING_TO_DO, key
        assert pilot.app.is_running and answers(pilot) == []
        await pilot.press("u")
        assert "nothing of this session to undo" in text_of(pilot, "#status")


async def test_done_is_refused_until_every_domain_has_a_judgement(pilot: Pilot) -> None:
    form: RobForm = pilot.app.form  # type: ignore[attr-defined]
    await pilot.press("right_square_bracket", "y", "d")  # D1: 1.1 Yes, then done
    assert text_of(pilot, "#problem") == (
        "not done: 5 domains have no judgement yet: D1 D2 D3 D4 D5 "
        "(answer their questions, or o sets one)"
    )
    assert not form.assessment().done and "in progress" in text_of(pilot, "#bar")
    answer_all(form, "ana", {d: pairs for d, pairs in ALL_LOW.items() if d != "D3"})
    await pilot.press("d")
    assert "1 domain has no judgement yet: D3 (answer its questions" in text_of(pilot, "#problem")
    answer_all(form, "ana")
    await pilot.press("d")
    assert form.assessment().done and "done ✓" in text_of(pilot, "#bar")


async def test_a_change_after_done_says_whether_the_study_stays_done(pilot: Pilot) -> None:
    form: RobForm = pilot.app.form  # type: ignore[attr-defined]
    answer_all(form, "ana")
    await pilot.press("d", "right_square_bracket", "y")  # 1.1 Yes again: D1 is still judged
    assert "1.1: Yes (Y)" in text_of(pilot, "#status")
    assert "the study stays done: rob compare and consensus see" in text_of(pilot, "#status")
    assert form.assessment().done
    await pilot.press("right_square_bracket")  # D2: 2.1 Yes makes 2.3 ask, unanswered
    await pilot.press("y")
    status = text_of(pilot, "#status")
    assert "no longer done: 1 domain has no judgement yet: D2" in status
    assert "d marks it done again" in status
    assert not form.assessment().done and "in progress" in text_of(pilot, "#bar")
    await pilot.press("u")  # one undo takes back the answer and the reopening
    assert form.assessment().done and form.lines()[0].answer == "N"


async def test_answer_keys_show_the_instruments_words_and_abbreviations(pilot: Pilot) -> None:
    await pilot.press("right_square_bracket", "right_square_bracket")  # D2
    detail = text_of(pilot, "#detail")
    assert "your answer: not answered · keys: y Yes (Y) · shift+y Probably yes (PY) · " in detail
    assert "shift+n Probably no (PN) · n No (N) · i No information (NI)" in detail
    await pilot.press("n")
    assert text_of(pilot, "#status").startswith("2.1: No (N)")
    await pilot.press("N")
    assert text_of(pilot, "#status").startswith("2.2: Probably no (PN)")
    table = screen_of(pilot).query_one("#lines", DataTable)
    assert [str(table.get_row_at(row)[2]) for row in (0, 1)] == ["No", "Probably no"]
    assert [a[3:5] for a in answers(pilot)] == [("2.1", "N"), ("2.2", "PN")]
    table.move_cursor(row=1)
    await pilot.pause()
    assert "your answer: Probably no (PN)" in text_of(pilot, "#detail")


async def test_preliminary_keys_text_and_choices_are_shown_whole(tmp_path: Path) -> None:
    async for pilot in piloting(build(tmp_path / "review"), size=(80, 24)):
        screen = screen_of(pilot)
        assert "effect_of_interest" in drawn(pilot, "#lines")  # not cut to "effe…"
        await type_in(pilot, "s", "CLUSTER")  # a start of a choice, in any case
        assert answers(pilot)[-1][3:5] == ("design", "cluster-randomized parallel-group")
        assert text_of(pilot, "#status") == "design: saved as cluster-randomized parallel-group"
        await type_in(pilot, "s", "indiv")  # starts two choices: refused, naming both
        problem = drawn(pilot, "#problem")
        assert "individually-randomized parallel-group; individually randomized" in problem
        assert "cross-over): type more of it" in problem and screen.typing is not None
        screen.query_one("#entry", Input).value = "stepped wedge"
        await pilot.press("enter")
        await pilot.pause()
        problem = drawn(pilot, "#problem")
        assert "cluster-randomized parallel-group; individually randomized cross-over (a" in problem
        await pilot.press("escape")
        await type_in(pilot, "s", "individually-randomized par")
        shown = drawn(pilot, "#detail")
        assert "your answer: individually-randomized parallel-group · s types one of:" in shown
        assert "individually randomized cross-over (a unique start will do)" in shown


async def test_a_quote_typed_with_its_page_word_shows_it_once(pilot: Pilot) -> None:
    await pilot.press("right_square_bracket", "y")
    screen_of(pilot).query_one("#lines", DataTable).move_cursor(row=0)
    await type_in(pilot, "c", "p. 3 | allocation by sealed envelopes")
    assert answers(pilot)[-1][6:8] == ("allocation by sealed envelopes", "3")
    assert screen_of(pilot).lines[0].quote == "p. 3: allocation by sealed envelopes"
    assert "quote (c): p. 3: allocation by sealed envelopes" in text_of(pilot, "#detail")


async def test_robins_i_override_prompt_offers_its_own_judgements(tmp_path: Path) -> None:
    async for pilot in piloting(build(tmp_path / "review", instrument="robins-i")):
        await pilot.press("o")
        prompt = text_of(pilot, "#status")
        assert "(Low, Moderate, Serious, Critical, No information)" in prompt
        assert "e.g. critical: why" in prompt and "high" not in prompt
        await type_in(pilot, "o", "high: test")  # not a ROBINS-I judgement: the problem says so
        assert "type e.g. 'critical: why'" in text_of(pilot, "#problem")
        screen_of(pilot).query_one("#entry", Input).value = "critical: no adjustment for age"
        await pilot.press("enter")
        await pilot.pause()
        assert answers(pilot)[-1][1:6] == (
            "judgement",
            "D1",
            "",
            "critical",
            "no adjustment for age",
        )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_footer_shows_every_key_it_lists_whole(size: tuple[int, int], tmp_path: Path) -> None:
    async for pilot in piloting(build(tmp_path / "review"), size=size):
        footer = pilot.app.screen.query_one(Footer)
        keys = {getattr(k, "key", None): k for k in footer.query("FooterKey")}
        wanted = ["s", "right_square_bracket", "greater_than_sign", "o", "t", "d", "u", "q"]
        assert set(wanted + ["question_mark"]) <= set(keys)
        for key, shown in keys.items():  # each key drawn in full on the last line
            region = shown.region
            assert region.right <= size[0] and region.y == size[1] - 1, (key, region)
            assert pilot.app.screen.get_widget_at(region.right - 1, region.y)[0] is shown, key


def with_six_studies(folder: Path) -> MetasiftApp:
    """The rob app on its review with four more reports included at full text: six studies,
    more than the grid has rows for at 80x24."""
    build(folder).review.close()  # type: ignore[attr-defined]  # the review, two studies
    with load_review(folder) as review:
        for rid in record_ids(review.db)[2:6]:
            decide(review.db, rid, "title-abstract", "include")
            decide(review.db, rid, "full-text", "include")
    return build(folder)


def grid_on_screen(pilot: Pilot) -> list[str]:
    """The grid's lines as the terminal shows them: a row scrolled or cut off is missing."""
    screen = pilot.app.screen
    region = screen.query_one("#grid").region
    lines = []
    for y in range(region.y, region.bottom):
        widget, at = screen.get_widget_at(region.x + 2, y)
        line = widget.render_lines(Region(0, y - at.y, at.width, 1))[0]
        lines.append(line.text.strip())
    return lines


def current_row_shown(pilot: Pilot) -> bool:
    form: RobForm = pilot.app.form  # type: ignore[attr-defined]
    current = f"▸ {form.study.label[:21]}"
    return any(line.startswith(current) for line in grid_on_screen(pilot))


async def test_the_grid_keeps_the_current_study_in_view_at_80x24(tmp_path: Path) -> None:
    async for pilot in piloting(with_six_studies(tmp_path / "review"), size=(80, 24)):
        form: RobForm = pilot.app.form  # type: ignore[attr-defined]
        assert len(form.studies) == 6 and len(grid_on_screen(pilot)) < 8  # not all rows fit
        for key in ["greater_than_sign"] * 6 + ["less_than_sign"]:  # on past the last, back
            await pilot.press(key)
            await pilot.pause()
            assert current_row_shown(pilot), (form.at, grid_on_screen(pilot))
            assert grid_on_screen(pilot)[1].startswith("Study   ")  # the heading stays put
        rows = pilot.app.screen.query_one("GridRows")  # scrolled the least that shows it
        assert form.at == 5 and rows.scroll_offset.y == 6 - rows.scrollable_content_region.height


async def test_the_grid_opens_on_the_study_asked_for_in_view(tmp_path: Path) -> None:
    app = with_six_studies(tmp_path / "review")
    app.form.at = 4  # type: ignore[attr-defined]  # as rob --study opens it
    async for pilot in piloting(app, size=(80, 24)):
        assert current_row_shown(pilot), grid_on_screen(pilot)


async def test_the_grid_shows_every_study_when_it_has_room(tmp_path: Path) -> None:
    async for pilot in piloting(with_six_studies(tmp_path / "review"), size=(120, 40)):
        form: RobForm = pilot.app.form  # type: ignore[attr-defined]
        await pilot.press(*["greater_than_sign"] * 5)
        await pilot.pause()
        shown = grid_on_screen(pilot)
        assert [line.removeprefix("▸ ").split("  ")[0] for line in shown[2:8]] == [
            s.label[:21] for s in form.studies
        ]  # from the first: nothing scrolled
