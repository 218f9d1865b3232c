"""The screening screen driven by its real keys; asserts on the events in the review file."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input

from screening.decisions.session import ScreeningSession
from screening.tui.modals import ConfirmModal, HelpModal, PickerModal, TextModal
from screening.tui.screening_screen import PREPARE_AFTER, ScreeningScreen
from screening.tui.widgets.reason_picker import ReasonPicker
from screening.tui.widgets.record_card import RecordCard
from tests.other_process import committed_rows, write_lock_held
from tests.screening_fixtures import FIRST_TITLE, LONG_PMID, RCT_PMID
from tests.tui.snapshot_apps.screening_app import build

Prepare = Callable[[ScreeningSession], None] | None


def events(folder: Path) -> list[tuple]:
    """Committed decisions, read by a connection of its own."""
    return committed_rows(
        folder / "review.db",
        "SELECT record_id, reviewer, stage, verdict, reason, note, tags, batch IS NOT NULL "
        "FROM decisions ORDER BY id",
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "review"


def screen_of(pilot: Pilot) -> ScreeningScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ScreeningScreen)
    return screen


async def type_in(pilot: Pilot, key: str, text: str) -> None:
    """Open a text box with key, fill it in and press Enter (one press per letter is slow)."""
    await pilot.press(key)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")


def shown(pilot: Pilot, part: str) -> str:
    """A part of the record card as drawn: title, meta, decision, picos, abstract, terms."""
    card = pilot.app.screen.query_one(RecordCard)
    return card.parts[part].plain if part in card.parts else ""


def shown_title(pilot: Pilot) -> str:
    return shown(pilot, "title")


async def run(folder: Path, stage: str = "title-abstract", prepare: Prepare = None):
    app = build(folder, "ana", stage, prepare)
    return app, app.run_test(size=(120, 40))


@pytest.fixture
async def pilot(folder: Path) -> AsyncIterator[Pilot]:
    app, running = await run(folder)
    async with running as p:
        await p.pause()
        yield p
    app.session.db.close()  # type: ignore[attr-defined]


async def test_include_is_committed_and_moves_on(pilot: Pilot, folder: Path) -> None:
    assert shown_title(pilot) == FIRST_TITLE
    await pilot.press("i")
    assert events(folder) == [(1, "ana", "title-abstract", "include", None, None, None, 0)]
    assert screen_of(pilot).session.current_id == 2
    assert "Genetics. DNA test for breast cancer risk" in shown_title(pilot)
    progress = str(pilot.app.screen.query_one("#progress").render())
    assert "10%  1 of 10 decided · ✓ 1 included · ✗ 0 excluded · ? 0 maybe · 9 to go" in progress


async def test_garbage_collection_waits_until_the_next_record_is_prepared(folder: Path) -> None:
    """A key's redraw allocates and so set off collections inside the reviewer's wait; they
    wait now until the record that follows is prepared, in the reading time."""
    app, running = await run(folder)
    async with running as pilot:
        screen = screen_of(pilot)
        screen.action_decide("include")
        assert not gc.isenabled()  # drawn, not yet prepared
        await pilot.pause(PREPARE_AFTER * 4)
        assert gc.isenabled() and screen.session.current_id == 2
        screen.action_decide("exclude")
        assert not gc.isenabled()
    assert gc.isenabled()  # an app that ends mid-redraw leaves collection on
    app.session.db.close()  # type: ignore[attr-defined]


async def test_exclude_asks_for_reason_and_records_it(pilot: Pilot, folder: Path) -> None:
    picker = pilot.app.screen.query_one(ReasonPicker)
    await pilot.press("e")
    assert picker.is_open and "5 wrong study design" in str(picker.render())
    await pilot.press("5")
    assert not picker.is_open
    assert events(folder) == [
        (1, "ana", "title-abstract", "exclude", "wrong study design", None, None, 0)
    ]
    await pilot.press("e", "0")  # no reason: allowed at title/abstract by the protocol
    await pilot.press("e", "escape")  # cancelled: nothing written
    await pilot.press("8")  # a number key with no picker open does nothing
    await pilot.press("e", "i")  # changed its mind: the include wins
    assert [e[:5] for e in events(folder)[1:]] == [
        (2, "ana", "title-abstract", "exclude", None),
        (3, "ana", "title-abstract", "include", None),
    ]
    assert not picker.is_open


async def test_maybe_then_undo_then_include(pilot: Pilot, folder: Path) -> None:
    await pilot.press("m", "m", "u")
    session = screen_of(pilot).session
    assert session.current_id == 2 and session.decision(2) is None
    await pilot.press("i")
    assert [e[:4] for e in events(folder)] == [
        (1, "ana", "title-abstract", "maybe"),
        (2, "ana", "title-abstract", "maybe"),
        (2, "ana", "title-abstract", "undo"),
        (2, "ana", "title-abstract", "include"),
    ]


async def test_note_and_tags_are_saved_with_the_decision(pilot: Pilot, folder: Path) -> None:
    await pilot.press("n")
    assert isinstance(pilot.app.screen, TextModal)
    await pilot.press(*"dose?", "enter")  # typed for real once
    await type_in(pilot, "t", "rct, later")
    assert events(folder) == []  # undecided record: kept until the decision
    await pilot.press("i", "k")
    await type_in(pilot, "n", "dose 5 mg")
    assert [e[3:7] for e in events(folder)] == [
        ("include", None, "dose?", '["rct", "later"]'),
        ("include", None, "dose 5 mg", '["rct", "later"]'),
    ]


async def test_move_with_keys_and_jump_to_next_undecided(pilot: Pilot) -> None:
    session = screen_of(pilot).session
    await pilot.press("j", "down", "right")
    assert session.current_id == 4
    await pilot.press("k", "up")
    assert session.current_id == 2
    await pilot.press("i", "i", "k", "k", "k")  # records 2 and 3 decided, back to 1
    await pilot.press("g")
    assert session.current_id == 4  # past 2 and 3, decided


async def test_filters_by_decision_and_search(pilot: Pilot) -> None:
    session = screen_of(pilot).session
    await pilot.press("i", "e", "1", "m")
    await pilot.press("f")
    assert isinstance(pilot.app.screen, PickerModal)
    await pilot.press("4")  # Excluded (1)
    assert session.view == [2]
    await pilot.press("f", "3")  # Included
    assert session.view == [1] and session.current_id == 1
    await pilot.press("escape")
    assert len(session.view) == 10
    await type_in(pilot, "slash", "type:review")
    assert session.current().citation.pmid == LONG_PMID
    assert "filter: type:review (1 of 10)" in str(pilot.app.screen.query_one("#bar").render())
    await type_in(pilot, "slash", '"unclosed')
    status = pilot.app.screen.query_one("#status")
    assert "close the quotes" in str(status.render()) and status.has_class("error")


async def test_bulk_exclude_is_counted_confirmed_and_undone(pilot: Pilot, folder: Path) -> None:
    await pilot.press("b")  # no filter yet: refused
    assert "filtered list" in str(pilot.app.screen.query_one("#status").render())
    await type_in(pilot, "slash", "year:2008")
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PickerModal)
    await pilot.press("2")  # Exclude
    await pilot.pause()
    await pilot.press("5")  # wrong study design
    await pilot.pause()
    confirm = pilot.app.screen
    assert isinstance(confirm, ConfirmModal)
    assert "Exclude (wrong study design): 6 records matching year:2008" in confirm.message
    await pilot.press("y")
    await pilot.app.workers.wait_for_complete()
    rows = events(folder)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {r[3:5] + (r[7],) for r in rows} == {("exclude", "wrong study design", 1)}
    await pilot.press("u")
    assert [r[3] for r in events(folder)][6:] == ["undo"] * 6
    assert screen_of(pilot).session.counts().decided == 0


async def test_a_busy_review_file_fails_a_bulk_decision_and_keeps_the_note(
    pilot: Pilot, folder: Path
) -> None:
    session = screen_of(pilot).session
    await type_in(pilot, "n", "dose?")  # record 1, undecided: a draft until its decision
    await type_in(pilot, "slash", "year:2008")
    await pilot.press("b")
    await pilot.pause()
    await pilot.press("3")  # Maybe
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmModal)
    with write_lock_held(session.db, folder / "review.db"):
        await pilot.press("y")
        await pilot.app.workers.wait_for_complete()
    status = pilot.app.screen.query_one("#status")
    assert "review file is busy" in str(status.render()) and status.has_class("error")
    assert events(folder) == [] and session.record(1).note == "dose?"
    await pilot.press("i")  # the note still goes with the decision on record 1
    assert events(folder) == [(1, "ana", "title-abstract", "include", None, "dose?", None, 0)]


async def test_full_text_lists_own_title_abstract_includes(folder: Path) -> None:
    def title_abstract(session: ScreeningSession) -> None:
        for rid, verdict in [(7, "include"), (8, "maybe"), (9, "exclude")]:
            session.go_to(rid)
            session.decide(verdict)

    app, running = await run(folder, "full-text", title_abstract)
    async with running as pilot:
        await pilot.pause()
        session = screen_of(pilot).session
        assert session.pool == [7, 8]
        assert session.current().citation.pmid == RCT_PMID
        assert "Full text: https://doi.org/10.3290/j.qi.a30176" in shown(pilot, "meta")
        await pilot.press("e", "0")  # no "no reason" at full text
        assert pilot.app.screen.query_one(ReasonPicker).is_open
        assert "0 is not a reason here" in str(pilot.app.screen.query_one("#status").render())
        await pilot.press("1")
        await pilot.press("r")
        rows = [r for r in events(folder) if r[2] == "full-text"]
        assert [r[:5] for r in rows] == [
            (7, "ana", "full-text", "exclude", "wrong population"),
            (8, "ana", "full-text", "not-retrieved", None),
        ]
    app.session.db.close()  # type: ignore[attr-defined]


async def test_not_retrieved_is_not_a_title_abstract_key(pilot: Pilot, folder: Path) -> None:
    await pilot.press("r")
    assert events(folder) == []


async def test_highlight_toggle_help_palette_and_quit(pilot: Pilot) -> None:
    card = pilot.app.screen.query_one(RecordCard)
    assert shown(pilot, "picos").startswith("Population     ✓ humans")
    await pilot.press("h")
    assert card.highlight is False
    assert shown(pilot, "picos") == ""
    await pilot.press("question_mark")
    assert isinstance(pilot.app.screen, HelpModal)
    await pilot.press("escape", "ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    pilot.app.screen.query_one(Input).value = "next undecided"
    await pilot.pause(0.2)
    await pilot.press("enter")
    await pilot.pause()
    assert screen_of(pilot).session.current_id == 2
    commands = screen_of(pilot).palette_commands()
    titles = [t for t, _, _ in commands]
    for title in (
        "Include (i)",
        "Exclude, with a reason (e)",
        "Next record (j)",
        "Previous record (k)",
        "Search records (/)",
        "Bulk decision on the filtered list (b)",
        "Help (?)",
    ):
        assert title in titles
    assert not [c for c in commands if "j/k" in " ".join(c)]  # one key per command
    await pilot.press("q")
    assert pilot.app.return_code == 0 or not pilot.app.is_running


async def test_a_busy_review_file_is_a_message_and_the_decision_can_be_made_again(
    pilot: Pilot, folder: Path
) -> None:
    """Another process holding the write lock (an import's last step) must not stop the screen."""
    with write_lock_held(screen_of(pilot).session.db, folder / "review.db"):
        await pilot.press("i")
        status = pilot.app.screen.query_one("#status")
        assert "review file is busy" in str(status.render()) and status.has_class("error")
        assert screen_of(pilot).session.current_id == 1 and shown_title(pilot) == FIRST_TITLE
    await pilot.press("i")
    assert events(folder) == [(1, "ana", "title-abstract", "include", None, None, None, 0)]
    assert screen_of(pilot).session.current_id == 2


def status_of(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one("#status").render())


async def test_undo_takes_back_a_note_then_tags_and_says_which(pilot: Pilot, folder: Path) -> None:
    await pilot.press("m", "k")
    await type_in(pilot, "n", "dose?")
    await type_in(pilot, "t", "rct")
    assert status_of(pilot) == "Tags saved"
    await pilot.press("u")
    assert status_of(pilot) == "Undone: tags on #1"
    session = screen_of(pilot).session
    assert session.decision(1).verdict == "maybe" and session.decision(1).note == "dose?"
    await pilot.press("u")
    assert status_of(pilot) == "Undone: note on #1"
    assert session.decision(1).verdict == "maybe" and session.decision(1).note is None
    await pilot.press("u")
    assert status_of(pilot) == "Undone: maybe on #1" and session.decision(1) is None


async def test_quitting_with_an_unsaved_note_asks_first(pilot: Pilot, folder: Path) -> None:
    await type_in(pilot, "n", "dose?")  # record 1 is undecided: the note waits for a decision
    assert status_of(pilot) == "Note kept, not saved yet: it is saved when you decide #1"
    await pilot.press("q")
    confirm = pilot.app.screen
    assert isinstance(confirm, ConfirmModal)
    assert "the note or tags on 1 record (#1)" in confirm.message
    await pilot.press("n")
    assert pilot.app.is_running and status_of(pilot).startswith("Not quit")
    await pilot.press("ctrl+q")  # the app's own quit key asks too
    assert isinstance(pilot.app.screen, ConfirmModal)
    await pilot.press("escape", "i", "q")  # decided: the note is saved, nothing to ask
    assert events(folder) == [(1, "ana", "title-abstract", "include", None, "dose?", None, 0)]
    assert not isinstance(pilot.app.screen, ConfirmModal)
    assert pilot.app.return_code == 0 or not pilot.app.is_running


async def test_keys_on_a_filter_matching_nothing_say_so(pilot: Pilot) -> None:
    await type_in(pilot, "slash", "zzzzqq")
    for key in ("j", "k", "g", "n", "t"):
        await pilot.press(key)
        assert status_of(pilot) == "No record matches this filter. Esc clears it.", key
    await pilot.press("b")
    await pilot.app.workers.wait_for_complete()
    assert isinstance(pilot.app.screen, ScreeningScreen)  # no "Decide all 0 records" picker
    assert status_of(pilot).startswith("Nothing to decide: no record matches this filter")


@pytest.mark.parametrize("stage", ["title-abstract", "full-text"])
async def test_the_footer_at_80_columns_shows_whole_keys_search_and_filter(
    folder: Path, stage: str
) -> None:
    """Below ~100 columns the keys that do not fit leave the footer (help and the palette still
    list them) instead of running off the edge or being cut ("g Undeci")."""

    def title_abstract(session: ScreeningSession) -> None:
        for rid in (7, 8):
            session.go_to(rid)
            session.decide("include")

    app = build(folder, "ana", stage, title_abstract)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = {k.key: k for k in pilot.app.screen.query("FooterKey")}  # type: ignore[attr-defined]
        assert {"i", "e", "m", "slash", "f", "q", "question_mark"} <= set(keys)
        assert ("r" in keys) == (stage == "full-text")
        ends = sorted((k.region.x, k.region.right) for k in keys.values())
        assert ends[-1][1] <= 80
        assert all(end <= start for (_, end), (start, _) in zip(ends, ends[1:], strict=False))
        assert "n" not in keys and "j" not in keys  # n, t, j/k leave first
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        shown = {k.key for k in pilot.app.screen.query("FooterKey")}  # type: ignore[attr-defined]
        assert {"j", "n", "t", "g", "u", "slash", "f"} <= shown
    app.session.db.close()  # type: ignore[attr-defined]
