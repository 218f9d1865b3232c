"""How the risk-of-bias screens look: domain 2 half answered, with questions skipped, a live
suggestion and a traffic-light grid; the same form one question at a time; the consensus
screen with both reviewers' sides. Review each SVG before --snapshot-update."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.tui.snapshot_apps import rob_consensus_app
from tests.tui.snapshot_apps.rob_app import build


def test_rob_domain_two_with_skipped_questions_120x40(snap_compare, tmp_path: Path) -> None:
    app = build(tmp_path / "review")

    async def answer(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("right_square_bracket", "y", "Y", "N")  # D1 low
        await pilot.press("right_square_bracket", "n", "N", "n", "i")  # D2: 2.3-2.5 skipped
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=answer)


def test_rob_one_question_at_a_time_120x40(snap_compare, tmp_path: Path) -> None:
    app = build(tmp_path / "review")

    async def answer(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("right_square_bracket", "y", "Y", "N")  # D1 low
        await pilot.press("right_square_bracket", "t", "n", "N")  # D2: on to 2.6, 3 skipped
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=answer)


def test_rob_consensus_sides_of_a_question_120x40(snap_compare, tmp_path: Path) -> None:
    app = rob_consensus_app.build(tmp_path / "review")

    async def to_the_question_they_differ_on(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("down")  # 1.2: each side's answer, support and quote
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(120, 40), run_before=to_the_question_they_differ_on)
    finally:
        app.review.close()  # type: ignore[attr-defined]


def test_rob_consensus_taking_a_side_80x24(snap_compare, tmp_path: Path) -> None:
    app = rob_consensus_app.build(tmp_path / "review")

    async def take(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("2")  # the entry opens on "high: as ben"
        for entry in pilot.app.screen.query("Input"):
            entry.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=take)
    finally:
        app.review.close()  # type: ignore[attr-defined]
