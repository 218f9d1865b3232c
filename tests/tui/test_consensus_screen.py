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
from tests.tui.pilots import piloting, screen_as
from tests.tui.snapshot_apps.extract_app import build
from tests.tui.test_extract_screen import text_of


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
    app = make_app(lambda: screen)
    app.review = review  # type: ignore[attr-defined]  # closed by piloting
    return app, review, study


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


def consensus_events(review) -> list[tuple]:  # type: ignore[no-untyped-def]
    return review.db.execute(
        "SELECT field, value, undoes IS NOT NULL FROM extraction_values "
        "WHERE role = 'consensus' ORDER BY id"
    ).fetchall()


async def test_a_taken_value_is_said_and_u_takes_it_back(tmp_path: Path) -> None:
    app, review, study = conflicted(tmp_path / "review")
    async for pilot in piloting(app, size=(120, 30)):
        screen = screen_as(pilot, ConsensusScreen)
        await pilot.press("2")
        await pilot.pause()
        said = text_of(pilot, "#status")
        assert said == f"{study.label}: settled country with ben's value: Iran · u undoes"
        await pilot.press("u")
        await pilot.pause()
        assert text_of(pilot, "#status") == f"undone: {study.label}, country is back to settle"
        assert "2 values to settle" in text_of(pilot, "#bar")
        current = screen.current()
        assert current is not None and current.cell.field == "country"  # the cursor on it
        assert consensus_events(review) == [("country", '"Iran"', 0), ("country", None, 1)]
        await pilot.press("u")
        assert text_of(pilot, "#status") == "nothing of this session to undo"
        assert len(consensus_events(review)) == 2


LONG = "Shanghai, Beijing and Guangzhou (three centres; the paper's Table 1 lists them) "


async def test_each_extractors_value_is_readable_whole_at_80_columns(tmp_path: Path) -> None:
    app, review, study = conflicted(tmp_path / "review")
    form = review.protocol.form
    country = Cell.study_field(study.uuid, "country")
    set_value(review.db, form, "ana", country, LONG + "ana's reading", note="Methods, p. 2")
    set_value(review.db, form, "ben", country, LONG + "ben's reading", note="Table 1")
    async for pilot in piloting(app, size=(80, 24)):
        table = pilot.app.screen.query_one("#cells", DataTable)
        widths = [c.get_render_width(table) for c in table.columns.values()]
        assert sum(widths) <= 80 - 2  # nothing needs scrolling sideways
        detail = text_of(pilot, "#values").replace("\n", " ")
        assert f"1. ana: {LONG}ana's reading" in detail and "where: Methods, p. 2" in detail
        assert f"2. ben: {LONG}ben's reading" in detail and "where: Table 1" in detail
        await pilot.press("j")  # design: both cite nothing
        await pilot.pause()
        lines = text_of(pilot, "#values").splitlines()
        assert lines[1:] == ["1. ana: RCT", "2. ben: non-randomised"]


def test_consensus_snapshot_80x24(snap_compare, tmp_path: Path) -> None:
    app, review, _ = conflicted(tmp_path / "review")
    try:
        assert snap_compare(app, terminal_size=(80, 24))
    finally:
        review.close()
