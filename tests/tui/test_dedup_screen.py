"""The doubtful-pairs screen driven by its real keys; asserts on the verdicts in the review file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import Static

from db.connection import open_review
from screening.dedup.pair_review import DedupReview
from screening.tui.app import make_app
from screening.tui.dedup_screen import DedupScreen, PairCard

pytest_plugins = ("tests.dedup_fixtures",)


def verdicts(db_path: Path) -> list[tuple]:
    """Committed pair verdicts, read by a connection of its own."""
    with sqlite3.connect(db_path) as other:
        return other.execute(
            "SELECT record_a, record_b, verdict, reviewer, undoes IS NOT NULL "
            "FROM dedup_decisions ORDER BY id"
        ).fetchall()


def text_of(screen: DedupScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_keys_decide_skip_and_undo(deduped_path: Path) -> None:
    db = open_review(deduped_path)
    review = DedupReview(db, "ana")
    first = review.items[0]
    app = make_app(lambda: DedupScreen(review), title="dedup")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = pilot.app.screen
            assert isinstance(screen, DedupScreen)
            assert "pair 1 of 4" in text_of(screen, "#bar")
            assert text_of(screen, "#why").startswith("Why doubtful: ")
            left = str(screen.query_one("#left .body", Static).render())
            assert f"#{first.record_a} · unnamed csv export (sample.csv)" in left
            assert screen.query_one("#right", PairCard).border_title == "B"

            await pilot.press("n")
            assert verdicts(deduped_path) == [
                (first.record_a, first.record_b, "different", "ana", 0)
            ]
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
    finally:
        db.close()


async def test_footer_shows_the_key_map(deduped_path: Path) -> None:
    db = open_review(deduped_path)
    app = make_app(lambda: DedupScreen(DedupReview(db, "ana")), title="dedup")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            bindings = pilot.app.screen.active_bindings.values()
            shown = {b.binding.key: b.binding.description for b in bindings if b.binding.show}
            assert {
                "y": "Same",
                "n": "Different",
                "s": "Skip",
                "u": "Undo",
            }.items() <= shown.items()
            await pilot.press("q")
        assert app.return_code == 0
    finally:
        db.close()
