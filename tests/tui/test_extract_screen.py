"""The extraction screen driven by its real keys; asserts on the events in the review file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from extraction.tui.extract_screen import SECTION_WIDTH, ExtractScreen
from tests.tui.pilots import piloting, screen_as
from tests.tui.snapshot_apps.extract_app import build


@pytest.fixture
async def pilot(tmp_path: Path) -> AsyncIterator[Pilot]:
    app = build(tmp_path / "review")
    async with app.run_test(size=(120, 40)) as p:
        await p.pause()
        yield p
    app.review.close()  # type: ignore[attr-defined]


def screen_of(pilot: Pilot) -> ExtractScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ExtractScreen)
    return screen


def text_of(pilot: Pilot, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


def events(pilot: Pilot) -> list[tuple]:
    db = pilot.app.review.db  # type: ignore[attr-defined]
    return db.execute(
        "SELECT reviewer, item, field, arm, outcome, timepoint, value, unit, factor, "
        "undoes IS NOT NULL FROM extraction_values ORDER BY id"
    ).fetchall()


async def type_into(pilot: Pilot, row: int, text: str) -> None:
    screen = screen_of(pilot)
    screen.query_one("#lines", DataTable).move_cursor(row=row)
    await pilot.press("enter")
    box = screen.query_one("#entry", Input)
    box.value = text
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def row_of(pilot: Pilot, label: str) -> int:
    return next(i for i, line in enumerate(screen_of(pilot).lines) if line.label == label)


async def test_a_study_extracted_with_the_keys_lands_in_the_tables(pilot: Pilot) -> None:
    assert "study 1 of 2" in text_of(pilot, "#bar")
    await type_into(pilot, row_of(pilot, "Design"), "1")
    await type_into(pilot, row_of(pilot, "+ add an arm"), "BM-MSC; MSC; 20")
    await type_into(pilot, row_of(pilot, "+ add an arm"), "SMT; standard care; 21")
    albumin = row_of(pilot, "1 month · BM-MSC")
    await type_into(pilot, albumin, "mean 3.1 sd 0.4 n 20 unit g/dL")
    line = screen_of(pilot).lines[albumin]
    assert line.derived == "mean 31 SD 4 n 20" and line.shown == "mean 3.1 sd 0.4 n 20 unit g/dL"
    assert [e[1:3] for e in events(pilot)] == [
        ("field", "design"),
        ("arm", ""),
        ("arm", ""),
        ("outcome", "final"),
    ]
    assert events(pilot)[0][6] == '"RCT"' and events(pilot)[-1][7:9] == ("g/dL", 10.0)


async def test_a_refused_value_says_why_as_you_type_and_is_not_saved(pilot: Pilot) -> None:
    await type_into(pilot, row_of(pilot, "+ add an arm"), "BM-MSC; MSC; 20")
    screen = screen_of(pilot)
    screen.query_one("#lines", DataTable).move_cursor(row=row_of(pilot, "1 month · BM-MSC"))
    await pilot.press("enter")
    screen.query_one("#entry", Input).value = "median 30 q1 31 q3 35 n 20"
    await pilot.pause()
    assert "q1 (31) is above median (30)" in text_of(pilot, "#problem")
    await pilot.press("enter")
    await pilot.pause()
    assert "not saved" in text_of(pilot, "#problem") and len(events(pilot)) == 1
    await pilot.press("escape")
    assert "cancelled" in text_of(pilot, "#status")


async def test_undo_done_and_next_study(pilot: Pilot) -> None:
    await type_into(pilot, row_of(pilot, "Country"), "China")
    await pilot.press("u")
    await pilot.pause()
    assert screen_of(pilot).lines[row_of(pilot, "Country")].shown == ""
    await pilot.press("d")
    await pilot.pause()
    assert "done ✓" in text_of(pilot, "#bar")
    await pilot.press("n")
    await pilot.pause()
    assert "study 2 of 2" in text_of(pilot, "#bar") and "in progress" in text_of(pilot, "#bar")
    assert [e[1] for e in events(pilot)] == ["field", "field", "done"]


async def test_a_long_outcome_name_leaves_room_for_the_values(tmp_path: Path) -> None:
    folder = tmp_path / "review"
    build(folder).review.close()  # type: ignore[attr-defined]
    toml = folder / "review.toml"
    long_name = "Serum albumin, change from baseline in grams per litre (example data: see notes)"
    toml.write_text(toml.read_text().replace('"Serum albumin"', f'"{long_name}"'))
    app = build(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_into(pilot, row_of(pilot, "+ add an arm"), "BM-MSC; MSC; 20")
        table = screen_of(pilot).query_one("#lines", DataTable)
        heads = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        shown = next(h for h in heads if h.startswith("Serum albumin"))
        assert shown.endswith("…") and len(shown) <= SECTION_WIDTH
        value_x = sum(c.get_render_width(table) for c in list(table.columns.values())[:2])
        assert value_x < 80  # the Value column starts well inside a 120-column terminal
        await pilot.press("j")
        assert text_of(pilot, "#detail").startswith(f"{long_name} · 1 month · BM-MSC")
    app.review.close()  # type: ignore[attr-defined]


async def test_a_keys_message_stays_until_the_cursor_moves(pilot: Pilot) -> None:
    hint = "Enter types a value · n/p change study · d done · ? help"
    await type_into(pilot, row_of(pilot, "Country"), "China")
    assert text_of(pilot, "#status") == "saved country"
    for key, said in (("u", "undone: country"), ("u", "nothing of this session to undo"),
                      ("d", "marked done"), ("d", "reopened: not done")):  # fmt: skip
        await pilot.press(key)
        await pilot.pause()
        assert text_of(pilot, "#status") == said
    await pilot.press("j")
    await pilot.pause()
    assert text_of(pilot, "#status") == hint


async def test_a_non_finite_number_is_refused_as_it_is_typed(pilot: Pilot) -> None:
    await type_into(pilot, row_of(pilot, "+ add an arm"), "BM-MSC; MSC; 20")
    await type_into(pilot, row_of(pilot, "1 month · BM-MSC"), "mean inf sd inf n 20")
    assert text_of(pilot, "#problem") == "not saved: mean must be a finite number, not 'inf'"
    assert [e[1] for e in events(pilot)] == ["arm"]


LONG_NOTE = "Table 2, second column; the SD from the figure on page 5, read with a ruler " * 2


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (220, 50)])
async def test_every_column_fits_and_the_detail_shows_the_line_whole(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = build(tmp_path / "review")
    async for pilot in piloting(app, size=size):
        screen = screen_as(pilot, ExtractScreen)
        await type_into(pilot, row_of(pilot, "+ add an arm"), "BM-MSC; MSC; 20")
        value = f'mean 3.1 sd 0.4 n 20 unit g/dL illustrative "{"made up " * 8}"'
        await type_into(pilot, row_of(pilot, "1 month · BM-MSC"), f"{value} note '{LONG_NOTE}'")
        table = screen.query_one("#lines", DataTable)
        widths = {str(c.label): c.get_render_width(table) for c in table.columns.values()}
        assert sum(widths.values()) <= size[0] - 2  # nothing needs scrolling sideways
        assert widths["Value"] >= min(widths.values())  # the value never gets the least room
        assert ("Where" in widths) == (size[0] >= 120)  # narrower: only in the detail
        await pilot.press("k")  # back to the outcome line just typed
        await pilot.pause()
        line = screen.lines[table.cursor_row]
        detail = text_of(pilot, "#detail").replace("\n", " ")
        assert line.shown in detail and line.derived in detail and LONG_NOTE.strip() in detail
        assert screen.query_one("#detail").region.bottom <= size[1] - 2  # above status, footer


async def test_a_unit_error_is_shown_whole(tmp_path: Path) -> None:
    async for pilot in piloting(build(tmp_path / "review"), size=(80, 24)):
        await type_into(pilot, row_of(pilot, "+ add an arm"), "BM-MSC; MSC; 20")
        await type_into(pilot, row_of(pilot, "1 month · BM-MSC"), "mean 3 sd 1 n 20 unit kg")
        problem = pilot.app.screen.query_one("#problem", Static)
        said = text_of(pilot, "#problem")
        assert said.startswith("not saved: ") and said.endswith("substance)")
        assert problem.region.height >= 2 and problem.region.width <= 80  # wrapped, not cut
