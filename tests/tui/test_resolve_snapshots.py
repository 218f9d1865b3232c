"""How the resolve screen looks: a typical conflict (wide and 80x24), the justification box
open, and an empty queue. Review each SVG before --snapshot-update."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from screening.decisions.resolving import Adjudication
from tests.tui.snapshot_apps.resolve_app import build


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def test_resolve_typical_conflict_120x40(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build(tmp_path / "review"), terminal_size=(120, 40), run_before=settle)


def test_resolve_narrow_terminal_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(build(tmp_path / "review"), terminal_size=(80, 24), run_before=settle)


def test_resolve_justification_open(snap_compare, tmp_path: Path) -> None:
    async def exclude_with_a_reason(pilot: Pilot) -> None:
        await pilot.press("e", "1")
        await settle(pilot)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a blinking cursor would make the snapshot flaky

    app = build(tmp_path / "review")
    assert snap_compare(app, terminal_size=(120, 40), run_before=exclude_with_a_reason)


def test_resolve_empty_queue(snap_compare, tmp_path: Path) -> None:
    def resolve_all(adjudication: Adjudication) -> None:
        adjudication.resolve("include", None, "RCT")
        adjudication.resolve("maybe", None, "needs the full text")

    app = build(tmp_path / "review", prepare=resolve_all)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)
