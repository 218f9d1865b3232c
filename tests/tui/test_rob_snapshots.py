"""How the risk-of-bias screen looks: domain 2 half answered, with questions skipped, a live
suggestion and a traffic-light grid. Review each SVG before --snapshot-update."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.tui.snapshot_apps.rob_app import build


def test_rob_domain_two_with_skipped_questions_120x40(snap_compare, tmp_path: Path) -> None:
    app = build(tmp_path / "review")

    async def answer(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("right_square_bracket", "y", "Y", "N")  # D1 low
        await pilot.press("right_square_bracket", "n", "N", "n", "i")  # D2: 2.3-2.5 skipped
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=answer)
