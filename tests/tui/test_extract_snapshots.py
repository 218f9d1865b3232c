"""How the extraction screen looks: a study with its arms and an outcome in two units.
Review each SVG before --snapshot-update."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from extraction.values.cells import Cell
from extraction.values.ledger import set_value
from screening.tui.app import MetasiftApp
from tests.tui.snapshot_apps.extract_app import build


def filled_app(folder: Path) -> MetasiftApp:
    """The review's first study with a design, two arms and albumin in two units."""
    app = build(folder)
    screen_factory = app._first_screen  # fill the first study before the screen opens

    def filled():  # type: ignore[no-untyped-def]
        screen = screen_factory()
        study, sheet = screen.sheets[0]
        db, form = sheet.db, sheet.form
        set_value(db, form, "ana", Cell.study_field(study.uuid, "design"), "RCT")
        for arm, value in (("a1", "BM-MSC; MSC; 20"), ("a2", "SMT; standard care; 21")):
            sheet.enter(Cell.arm_of(study.uuid, arm), value)
        albumin = Cell.outcome_of(study.uuid, "a1", "albumin", "1 month")
        sheet.enter(albumin, "median 3.0 q1 2.8 q3 3.4 n 20 unit g/dL note 'Table 2'")
        sheet.enter(albumin._replace(arm="a2"), "mean 30.2 se 0.9 n 21")
        return screen

    app._first_screen = filled
    return app


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.press("j", "j", "j", "j", "j", "j", "j")
    await pilot.pause()


def test_extract_a_study_with_arms_and_values_120x40(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(filled_app(tmp_path / "review"), terminal_size=(120, 40), run_before=settle)


def test_extract_narrow_80x24(snap_compare, tmp_path: Path) -> None:
    """At 80 columns the Where column gives way (the detail shows the note)."""
    assert snap_compare(filled_app(tmp_path / "review"), terminal_size=(80, 24), run_before=settle)
