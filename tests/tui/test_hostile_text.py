"""Screens on hostile record text and on a full disk (issue 11).

Record text holding terminal control codes (inserted straight into the database, as an older
review may hold it) is drawn escaped: the rendered screen holds no ESC nor any other control
character. A decision the disk has no room for is refused on the status line; the screen keeps
running and the record stays undecided.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database
from textual.app import App

from db.connection import open_review
from screening.dedup.pair_review import DedupReview
from screening.tui.app import make_app
from screening.tui.dedup_screen import DedupScreen
from screening.tui.screening_screen import ScreeningScreen
from tests.dedup_support import copy_template, templates
from tests.hostile_review import poison, raw_controls
from tests.other_process import committed_rows
from tests.resolve_fixtures import copy_conflicted
from tests.screening_fixtures import make_review
from tests.tui.snapshot_apps.resolve_app import build as resolve_app
from tests.tui.snapshot_apps.screening_app import build as screening_app


async def assert_drawn_escaped(app: App, db: Database) -> None:
    """The screen as drawn at 120x40 (its SVG export holds every character drawn) shows the
    hostile record with its codes as text and holds no control character; db closed after."""
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.export_screenshot()
    finally:
        db.close()
    assert raw_controls(screen) == set()
    assert "\\x1b]0;PWNED" in screen


async def test_screening_screen_draws_control_codes_escaped(tmp_path: Path) -> None:
    poison(make_review(tmp_path / "rev"))
    app = screening_app(tmp_path / "rev")
    await assert_drawn_escaped(app, app.session.db)  # type: ignore[attr-defined]


async def test_resolve_screen_draws_control_codes_escaped(tmp_path: Path) -> None:
    poison(copy_conflicted(tmp_path / "rev"), (7, 8))  # the two conflicts, notes included
    app = resolve_app(tmp_path / "rev")
    await assert_drawn_escaped(app, app.adjudication.db)  # type: ignore[attr-defined]


async def test_dedup_screen_draws_control_codes_escaped(tmp_path: Path) -> None:
    db_path = copy_template(templates()[True], tmp_path)
    poison(db_path, tuple(range(1, 1000)))  # every record of the sample
    db = open_review(db_path)
    await assert_drawn_escaped(make_app(lambda: DedupScreen(DedupReview(db, "ana"))), db)


def decisions(folder: Path) -> list[tuple]:
    return committed_rows(folder / "review.db", "SELECT record_id, verdict FROM decisions")


async def decide_on_a_full_disk(app: App, folder: Path, make_room: Callable[[], None]) -> None:
    """Include the first record with no room: refused, shown, nothing saved; then with room."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ScreeningScreen)
        first = screen.session.current_id
        await pilot.press("i")
        status = str(screen.status_line.render())
        assert status == (
            "Not saved, nothing changed: the disk is full; free some space, then retry"
        )
        assert pilot.app.is_running and pilot.app.screen is screen
        assert screen.session.current_id == first and decisions(folder) == []
        make_room()
        await pilot.press("i")
        assert decisions(folder) == [(first, "include")]


async def test_a_decision_the_disk_has_no_room_for_is_not_saved(tmp_path: Path) -> None:
    """The full disk simulated by PRAGMA max_page_count on the screen's connection (a real
    tmpfs needs root: tests/test_disks_mounted.py): the decision carries a 200 kB note, which
    needs new pages, so SQLite fails it with SQLITE_FULL as a full disk does."""
    app = screening_app(tmp_path / "rev")
    session = app.session  # type: ignore[attr-defined]
    session.set_note("n" * 200_000)
    pages = session.db.execute("PRAGMA page_count").fetchone()[0]
    session.db.execute(f"PRAGMA max_page_count = {pages}")

    def make_room() -> None:
        session.db.execute(f"PRAGMA max_page_count = {pages * 100}")

    try:
        await decide_on_a_full_disk(app, tmp_path / "rev", make_room)
    finally:
        session.db.close()
