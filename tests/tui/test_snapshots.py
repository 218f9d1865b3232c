"""How the screens look. Screening: typical, narrow, a long abstract, highlighting off, the
reason picker open, and the full-text stage. Doubtful pairs: typical, narrow, narrow scrolled,
help open, none left. Review each SVG before --snapshot-update."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from db.dedup import DIFFERENT
from screening.decisions.session import ScreeningSession
from screening.dedup.pair_review import DedupReview
from tests.screening_fixtures import LONG_PMID
from tests.tui.snapshot_apps import dedup_app
from tests.tui.snapshot_apps.screening_app import build

LONG_RECORD = 10  # GeneReviews chapter: a 6,700-character structured abstract


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "review"


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def go_to_long_record(pilot: Pilot) -> None:
    screen = pilot.app.screen
    screen.session.go_to(LONG_RECORD)  # type: ignore[attr-defined]
    assert screen.session.current().citation.pmid == LONG_PMID  # type: ignore[attr-defined]
    screen.show_record()  # type: ignore[attr-defined]
    await settle(pilot)


def test_typical_record_120x40(snap_compare, folder: Path) -> None:
    assert snap_compare(build(folder), terminal_size=(120, 40), run_before=settle)


def test_narrow_terminal_80x24(snap_compare, folder: Path) -> None:
    assert snap_compare(build(folder), terminal_size=(80, 24), run_before=settle)


def test_long_abstract_with_section_labels(snap_compare, folder: Path) -> None:
    assert snap_compare(build(folder), terminal_size=(120, 40), run_before=go_to_long_record)


def test_long_abstract_highlighting_off(snap_compare, folder: Path) -> None:
    async def off(pilot: Pilot) -> None:
        await go_to_long_record(pilot)
        await pilot.press("h")
        await settle(pilot)

    assert snap_compare(build(folder), terminal_size=(120, 40), run_before=off)


def test_reason_picker_open(snap_compare, folder: Path) -> None:
    assert snap_compare(build(folder), press=["i", "e"], terminal_size=(120, 40))


def test_full_text_stage(snap_compare, folder: Path) -> None:
    def title_abstract(session: ScreeningSession) -> None:
        for rid, verdict in [(7, "include"), (8, "maybe"), (9, "exclude")]:
            session.go_to(rid)
            session.decide(verdict)

    app = build(folder, stage="full-text", prepare=title_abstract)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


def test_dedup_typical_pair_120x40(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(dedup_app.build(tmp_path), terminal_size=(120, 40), run_before=settle)


def test_dedup_narrow_terminal_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(dedup_app.build(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_dedup_scrolled_80x24(snap_compare, tmp_path: Path) -> None:
    """Scrolled a page down: both records moved together, each field still beside its match."""

    async def page_down(pilot: Pilot) -> None:
        await pilot.press("pagedown")
        await settle(pilot)

    assert snap_compare(dedup_app.build(tmp_path), terminal_size=(80, 24), run_before=page_down)


def test_dedup_help_open(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(dedup_app.build(tmp_path), press=["?"], terminal_size=(120, 40))


def test_dedup_no_pairs_left(snap_compare, tmp_path: Path) -> None:
    def decide_all(review: DedupReview) -> None:
        while review.items:
            review.decide(DIFFERENT)

    app = dedup_app.build(tmp_path, prepare=decide_all)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)
