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


def consensus_snapshot(snap_compare, folder: Path, size: tuple[int, int], before=None,
                       study: int = 0) -> bool:  # type: ignore[no-untyped-def]  # fmt: skip
    """The consensus screen on its review (only the study-th study when study > 0)."""
    app = rob_consensus_app.build(folder)
    if study:
        only = app.studies[study].uuid  # type: ignore[attr-defined]
        app.review.close()  # type: ignore[attr-defined]
        app = rob_consensus_app.build(folder, study=only)
    try:
        return bool(snap_compare(app, terminal_size=size, run_before=before))
    finally:
        app.review.close()  # type: ignore[attr-defined]


def test_rob_consensus_sides_of_a_question_120x40(snap_compare, tmp_path: Path) -> None:
    async def to_the_question_they_differ_on(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("down")  # 1.2: each side's answer, support and quote
        await pilot.pause()

    folder = tmp_path / "review"
    assert consensus_snapshot(snap_compare, folder, (120, 40), to_the_question_they_differ_on)


def test_rob_consensus_taking_a_side_80x24(snap_compare, tmp_path: Path) -> None:
    async def take(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("2")  # the entry opens on "high: as ben"
        for entry in pilot.app.screen.query("Input"):
            entry.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    assert consensus_snapshot(snap_compare, tmp_path / "review", (80, 24), take)


def test_rob_consensus_nothing_to_settle_yet_80x24(snap_compare, tmp_path: Path) -> None:
    # the second study: ben has not finished it, so it stays blinded
    assert consensus_snapshot(snap_compare, tmp_path / "review", (80, 24), study=1)


def test_rob_narrow_terminal_80x24(snap_compare, tmp_path: Path) -> None:
    # every footer key whole, the table as wide as the terminal, the question's line wrapped
    app = build(tmp_path / "review")

    async def answer(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("right_square_bracket", "right_square_bracket", "n", "N")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=answer)


def test_rob_nothing_to_assess_80x24(snap_compare, tmp_path: Path) -> None:
    app = build(tmp_path / "review")
    app.form.studies.clear()  # type: ignore[attr-defined]  # nothing included at full text

    async def press_d(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("d")  # says there is no study; nothing else happens
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=press_d)
