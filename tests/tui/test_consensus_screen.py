"""The extraction consensus screen: an adjudicator takes one extractor's value or types the
agreed one; asserts on the consensus events and on what is left to settle."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Static

from extraction.tui.consensus_screen import ConsensusScreen
from extraction.values.cells import Cell
from extraction.values.consensus import open_conflicts, settle_conflict
from extraction.values.ledger import mark_done, set_value
from screening.cli.extraction_review import included_studies
from screening.tui.app import make_app
from tests.tui.snapshot_apps.extract_app import build


def conflicted(folder: Path):  # type: ignore[no-untyped-def]
    app = build(folder)  # the review, two included studies, the model form
    review = app.review  # type: ignore[attr-defined]
    db, form = review.db, review.protocol.form
    study = included_studies(review)[0]
    design = Cell.study_field(study.uuid, "design")
    country = Cell.study_field(study.uuid, "country")
    for who, said, where in (("ana", "RCT", "China"), ("ben", "non-randomised", "Iran")):
        set_value(db, form, who, design, said)
        set_value(db, form, who, country, where)
        mark_done(db, who, study.uuid)
    screen = ConsensusScreen(
        lambda: open_conflicts(db, form),
        {study.uuid: study.label},
        lambda state, typed, pick: settle_conflict(db, form, "cy", state, typed, pick),
    )
    return make_app(lambda: screen), review, study


async def test_take_a_value_then_type_one(tmp_path: Path) -> None:
    app, review, study = conflicted(tmp_path / "review")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert "2 values to settle" in str(screen.query_one("#bar", Static).render())
        assert screen.query_one("#cells", DataTable).row_count == 2
        await pilot.press("2")  # the first row (country, the form's first field): ben's value
        await pilot.pause()
        assert "1 value to settle" in str(screen.query_one("#bar", Static).render())
        await pilot.press("enter")
        screen.query_one("#entry", Input).value = "1"  # design: the form's first choice, typed
        await pilot.press("enter")
        await pilot.pause()
        assert "nothing to settle" in str(screen.query_one("#bar", Static).render())
    rows = review.db.execute(
        "SELECT field, value, reviewer, role FROM extraction_values "
        "WHERE role = 'consensus' ORDER BY id"
    ).fetchall()
    review.close()
    assert rows == [
        ("country", '"Iran"', "cy", "consensus"),
        ("design", '"RCT"', "cy", "consensus"),
    ]


def test_consensus_snapshot_120x30(snap_compare, tmp_path: Path) -> None:
    app, review, _ = conflicted(tmp_path / "review")
    try:
        assert snap_compare(app, terminal_size=(120, 30))
    finally:
        review.close()
