"""The doubtful-pairs screen driven by its real keys; asserts on the verdicts in the review file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlite_utils import Database
from textual.pilot import Pilot
from textual.widgets import Static

from screening.dedup.pair_review import DedupReview
from screening.tui.app import make_app
from screening.tui.dedup_screen import DedupScreen, PairCard
from tests.dedup_support import verdicts
from tests.other_process import write_lock_held

pytest_plugins = ("tests.dedup_fixtures",)


def text_of(screen: DedupScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@asynccontextmanager
async def running(db: Database) -> AsyncIterator[tuple[Pilot, DedupScreen]]:
    """The pair screen for ana on db, at 120x40."""
    review = DedupReview(db, "ana")
    app = make_app(lambda: DedupScreen(review), title="dedup")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, DedupScreen)
        yield pilot, screen


async def test_keys_decide_skip_and_undo(deduped_db: Database, deduped_path: Path) -> None:
    async with running(deduped_db) as (pilot, screen):
        review = screen.review
        first = review.items[0]
        assert "pair 1 of 4" in text_of(screen, "#bar")
        assert text_of(screen, "#why").startswith("Why doubtful: ")
        left = str(screen.query_one("#left .body", Static).render())
        assert f"#{first.record_a} · unnamed csv export (sample.csv)" in left
        assert screen.query_one("#right", PairCard).border_title == "B"

        await pilot.press("n")
        assert verdicts(deduped_path) == [(first.record_a, first.record_b, "different", "ana", 0)]
        assert "1 decided this session · pair 1 of 3" in text_of(screen, "#bar")
        assert text_of(screen, "#status").startswith("Different: ")

        await pilot.press("u")
        assert verdicts(deduped_path)[-1][2:] == ("undo", "ana", 1)
        assert review.items[0] == first
        assert "pair 1 of 4" in text_of(screen, "#bar")

        await pilot.press("s")
        assert review.items[-1] == first
        for _ in range(10):  # "same" can bring two clusters' other doubtful pairs together
            if review.current() is None:
                break
            await pilot.press("y")
        assert [v[2] for v in verdicts(deduped_path)].count("same") >= 4
        assert review.current() is None
        assert "none left" in text_of(screen, "#bar")
        assert "No doubtful pairs left" in text_of(screen, "#empty")
        await pilot.press("y")  # nothing to decide: a message, not a crash
        assert "no doubtful pair left" in text_of(screen, "#status")


async def test_footer_shows_the_key_map(deduped_db: Database) -> None:
    async with running(deduped_db) as (pilot, screen):
        bindings = screen.active_bindings.values()
        shown = {b.binding.key: b.binding.description for b in bindings if b.binding.show}
        assert {
            "y": "Same",
            "n": "Different",
            "s": "Skip",
            "u": "Undo",
        }.items() <= shown.items()
        await pilot.press("q")
    assert pilot.app.return_code == 0


async def test_a_busy_review_file_is_a_message_and_the_pair_can_be_decided_again(
    deduped_db: Database, deduped_path: Path
) -> None:
    """Another process holding the write lock (a screening import) must not stop the screen."""
    async with running(deduped_db) as (pilot, screen):
        first = screen.review.items[0]
        with write_lock_held(deduped_db, deduped_path):
            await pilot.press("n")
            status = screen.query_one("#status", Static)
            assert "review file is busy" in text_of(screen, "#status")
            assert status.has_class("error")
            assert verdicts(deduped_path) == [] and "pair 1 of 4" in text_of(screen, "#bar")
        await pilot.press("n")
        assert verdicts(deduped_path) == [(first.record_a, first.record_b, "different", "ana", 0)]
        assert not screen.query_one("#status", Static).has_class("error")
