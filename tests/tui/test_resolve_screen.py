"""The resolve screen driven by its real keys; asserts on the resolutions in the review file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from screening.decisions.resolving import ResolveError
from screening.review import load_review
from screening.tui.justification import JustificationModal
from screening.tui.modals import HelpModal, ReasonModal
from screening.tui.resolve_screen import ResolveScreen
from screening.tui.widgets.ballots import ConflictCard
from tests.other_process import committed_rows
from tests.resolve_fixtures import LATER, Cast, copy_conflicted, screen, ticking
from tests.tui.snapshot_apps.resolve_app import build


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "review"


@pytest.fixture
async def pilot(folder: Path) -> AsyncIterator[Pilot]:
    app = build(folder)
    async with app.run_test(size=(120, 40)) as p:
        await p.pause()
        yield p
    app.adjudication.db.close()  # type: ignore[attr-defined]


def resolutions(folder: Path) -> list[tuple]:
    return committed_rows(
        folder / "review.db",
        "SELECT record_id, adjudicator, verdict, reason, justification, undoes IS NOT NULL "
        "FROM resolutions ORDER BY id",
    )


def screen_of(pilot: Pilot) -> ResolveScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ResolveScreen)
    return screen


def text_of(pilot: Pilot, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def justify(pilot: Pilot, text: str) -> None:
    assert isinstance(pilot.app.screen, JustificationModal)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")


async def test_include_asks_a_justification_then_saves_and_undo_brings_it_back(
    pilot, folder
) -> None:
    assert "conflict 1 of 2" in text_of(pilot, "#bar")
    assert screen_of(pilot).query_one(ConflictCard).parts["title"].plain.startswith("Randomized")
    await pilot.press("i")
    assert resolutions(folder) == []  # nothing until the justification is given
    await justify(pilot, "RCT; ages to check in the full text")
    why = "RCT; ages to check in the full text"
    assert resolutions(folder) == [(7, "cleo", "include", None, why, 0)]
    assert "conflict 1 of 1" in text_of(pilot, "#bar")
    assert screen_of(pilot).view.record.id == 8
    assert "Resolved #7" in text_of(pilot, "#status")
    await pilot.press("u")
    assert [row[2] for row in resolutions(folder)] == ["include", "undo"]
    assert screen_of(pilot).view.record.id == 7 and "conflict 1 of 2" in text_of(pilot, "#bar")
    await pilot.press("u")
    assert "Nothing to undo" in text_of(pilot, "#status")


async def test_exclude_picks_a_reason_then_the_empty_queue_says_so(pilot, folder) -> None:
    await pilot.press("j", "e")
    assert isinstance(pilot.app.screen, ReasonModal)
    await pilot.press("1")
    await justify(pilot, "fetal rats")
    assert resolutions(folder) == [(8, "cleo", "exclude", "wrong population", "fetal rats", 0)]
    await pilot.press("m")
    await justify(pilot, "look at the full text")
    assert "No conflicts to resolve at title/abstract" in text_of(pilot, "#empty")
    assert "no conflicts left" in text_of(pilot, "#bar")
    await pilot.press("i")  # nothing left to settle: no box opens, nothing is written
    assert isinstance(pilot.app.screen, ResolveScreen) and len(resolutions(folder)) == 2


async def test_the_justification_is_required(pilot, folder) -> None:
    await pilot.press("m")
    await justify(pilot, "   ")
    assert isinstance(pilot.app.screen, JustificationModal)  # still open, and says why
    assert "required" in text_of(pilot, ".hint")
    await pilot.press("escape")
    assert isinstance(pilot.app.screen, ResolveScreen)
    assert resolutions(folder) == []
    assert "Cancelled" in text_of(pilot, "#status")


async def test_the_disagreement_reads_in_the_tables_column_order(pilot) -> None:
    """The table puts reviewers in name order; the words followed the order the votes were
    cast, so 'exclude against include' stood above ana's Included, ben's Excluded."""
    from dataclasses import replace

    from screening.tui.resolve_screen import why_text

    screen = screen_of(pilot)
    assert screen.view is not None and [b.reviewer for b in screen.view.ballots] == ["ana", "ben"]
    cast_by_ben_first = replace(screen.view, ballots=screen.view.ballots[::-1])
    said = why_text(cast_by_ben_first, screen.adjudication).plain
    assert said.startswith("Disagree: include against exclude")


async def test_moving_and_keys_the_stage_does_not_allow(pilot) -> None:
    await pilot.press("j", "j")
    assert screen_of(pilot).view.record.id == 8
    assert "Last conflict" in text_of(pilot, "#status")
    await pilot.press("k")
    assert screen_of(pilot).view.record.id == 7
    await pilot.press("r")  # not retrieved is a full-text verdict
    assert isinstance(pilot.app.screen, ResolveScreen)
    await pilot.press("question_mark")
    assert isinstance(pilot.app.screen, HelpModal)


def full_text_conflict(folder: Path, ana: str) -> None:
    """Record 1 sent on to full text by both; there ana's verdict against ben's exclude."""
    with load_review(copy_conflicted(folder)) as review:
        clock = ticking(LATER)
        screen(review, "ana", {1: "include"}, clock)
        screen(review, "ben", {1: "include"}, clock)
        screen(review, "ana", {1: ana}, clock, stage="full-text")
        screen(review, "ben", {1: Cast("exclude", "wrong outcome")}, clock, stage="full-text")


async def test_full_text_offers_not_retrieved_and_opens_the_report(folder) -> None:
    full_text_conflict(folder, "not-retrieved")
    app = build(folder, stage="full-text")
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        assert opened == ["https://doi.org/10.1126/science.1165395"]
        await pilot.press("r")
        await justify(pilot, "asked the authors twice")
    app.adjudication.db.close()  # type: ignore[attr-defined]
    assert resolutions(folder) == [(1, "cleo", "not-retrieved", None, "asked the authors twice", 0)]


async def test_full_text_offers_no_maybe_and_its_help_says_why(folder) -> None:
    """At full text a resolution must settle the report: a maybe there would leave it settled
    yet neither included nor excluded."""
    full_text_conflict(folder, "include")
    app = build(folder, stage="full-text")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        resolve = screen_of(pilot)
        assert text_of(pilot, "#status").startswith("i e r settle")
        shown = {b.binding.key for b in resolve.active_bindings.values() if b.binding.show}
        assert "m" not in shown and "r" in shown
        await pilot.press("m")
        assert isinstance(pilot.app.screen, ResolveScreen)  # no justification box opens
        with pytest.raises(ResolveError, match="not maybe"):
            resolve.adjudication.resolve("maybe", None, "unsure")
        assert "At full text there is no maybe" in resolve.HELP
    app.adjudication.db.close()  # type: ignore[attr-defined]
    assert resolutions(folder) == []
