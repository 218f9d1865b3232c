"""The doubtful-pairs screen driven by its real keys; asserts on the verdicts in the review file."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlite_utils import Database
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Static

from db.connection import open_review
from screening.dedup.pair_review import DedupReview
from screening.tui.app import make_app
from screening.tui.dedup_screen import LABELS, DedupScreen, PairTable
from tests.dedup_support import SAMPLE, make_review, verdicts
from tests.other_process import write_lock_held

pytest_plugins = ("tests.dedup_fixtures",)


def text_of(screen: DedupScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@asynccontextmanager
async def running(
    db: Database, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[Pilot, DedupScreen]]:
    """The pair screen for ana on db, at 120x40 unless size says otherwise."""
    review = DedupReview(db, "ana")
    app = make_app(lambda: DedupScreen(review), title="dedup")
    async with app.run_test(size=size) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, DedupScreen)
        yield pilot, screen


async def test_keys_decide_skip_and_undo(deduped_db: Database, deduped_path: Path) -> None:
    async with running(deduped_db) as (pilot, screen):
        review = screen.review
        first = review.items[0]
        assert "pair 1 of 3" in text_of(screen, "#bar")
        assert text_of(screen, "#why").startswith("Why doubtful: ")
        a, b = columns(table_lines(screen))[0]
        assert a.startswith(f"A #{first.record_a} · unnamed csv export (sample.csv)")
        assert b.startswith(f"B #{first.record_b} · unnamed csv export (sample.csv)")

        await pilot.press("n")
        assert verdicts(deduped_path) == [(first.record_a, first.record_b, "different", "ana", 0)]
        assert "1 decided this session · pair 1 of 2" in text_of(screen, "#bar")
        assert text_of(screen, "#status").startswith("Different: ")

        await pilot.press("u")
        assert verdicts(deduped_path)[-1][2:] == ("undo", "ana", 1)
        assert review.items[0] == first
        assert "pair 1 of 3" in text_of(screen, "#bar")

        await pilot.press("s")
        assert review.items[-1] == first
        for _ in range(10):  # "same" can bring two clusters' other doubtful pairs together
            if review.current() is None:
                break
            await pilot.press("y")
        assert [v[2] for v in verdicts(deduped_path)].count("same") >= 3
        assert review.current() is None
        assert "none left" in text_of(screen, "#bar")
        assert "No doubtful pairs left" in text_of(screen, "#empty")
        await pilot.press("y")  # nothing to decide: a message, not a crash
        assert "no doubtful pair left" in text_of(screen, "#status")


async def test_footer_shows_the_key_map(deduped_db: Database) -> None:
    async with running(deduped_db) as (pilot, screen):
        bindings = screen.active_bindings.values()
        shown = {b.binding.key: b.binding.description for b in bindings if b.binding.show}
        assert {
            "y": "Same",
            "n": "Different",
            "s": "Skip",
            "u": "Undo",
        }.items() <= shown.items()
        await pilot.press("q")
    assert pilot.app.return_code == 0


async def test_a_busy_review_file_is_a_message_and_the_pair_can_be_decided_again(
    deduped_db: Database, deduped_path: Path
) -> None:
    """Another process holding the write lock (a screening import) must not stop the screen."""
    async with running(deduped_db) as (pilot, screen):
        first = screen.review.items[0]
        with write_lock_held(deduped_db, deduped_path):
            await pilot.press("n")
            status = screen.query_one("#status", Static)
            assert "review file is busy" in text_of(screen, "#status")
            assert status.has_class("error")
            assert verdicts(deduped_path) == [] and "pair 1 of 3" in text_of(screen, "#bar")
        await pilot.press("n")
        assert verdicts(deduped_path) == [(first.record_a, first.record_b, "different", "ana", 0)]
        assert not screen.query_one("#status", Static).has_class("error")


def table_lines(screen: DedupScreen) -> list[str]:
    """The pair table as drawn, every line of it (scrolled out of view or not)."""
    body = screen.query_one("#pair-body", Static)
    return [strip.text for strip in body.render_lines(Region(0, 0, *body.size))]


def columns(lines: list[str]) -> list[tuple[str, str]]:
    """Each line cut at the divider into record A's text and record B's."""
    cut = [tuple(part.strip() for part in line.split("│")) for line in lines if "│" in line]
    return [(a, b) for a, b in cut]


def label_lines(lines: list[str], side: int) -> dict[str, int]:
    """The line each field's label sits on in one column (0: A, 1: B)."""
    found = {}
    for number, cells in enumerate(columns(lines)):
        label = cells[side].partition(":")[0]
        if label in LABELS.values() and label not in found:
            found[label] = number
    return found


async def test_both_columns_keep_each_field_on_the_same_line(deduped_db: Database) -> None:
    """At 80 columns the first pair's titles and authors wrap to different heights in A and
    B; every field must still face its match, and scrolling moves both columns."""
    async with running(deduped_db, size=(80, 24)) as (pilot, screen):
        lines = table_lines(screen)
        a, b = label_lines(lines, 0), label_lines(lines, 1)
        assert list(a) == list(LABELS.values()) and a == b
        # drawn apart, each column's text would put Year on a different line
        written = [sum(1 for cells in columns(lines)[: a["Year"]] if cells[s]) for s in (0, 1)]
        assert written[0] != written[1]
        table = screen.query_one(PairTable)
        assert table.max_scroll_y > 0  # taller than the screen at 80x24
        year = screen.query_one("#pair-body").region.y + a["Year"] - int(table.scroll_y)
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.scroll_y > 0
        moved = screen.query_one("#pair-body").region.y + a["Year"] - int(table.scroll_y)
        assert moved < year  # one table: both columns moved up by the same lines
        await pilot.press("n")  # the next pair starts at the top again
        assert table.scroll_y == 0
        assert label_lines(table_lines(screen), 0) == label_lines(table_lines(screen), 1)


@pytest.fixture
def three_alike(tmp_path: Path) -> Iterator[Database]:
    """Two conference abstracts of one study (sample records DIAB00619 and DIAB00632) and a
    third copy of the second in the first one's journal: each of the three pairs is doubtful."""
    rows = {r["record_id"]: r for r in csv.DictReader(SAMPLE.open(encoding="utf-8"))}
    first, second = rows["DIAB00619"], rows["DIAB00632"]
    third = {**second, "record_id": "COPY3", "journal": first["journal"], "pages": "A99"}
    path = tmp_path / "three.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, list(first))
        writer.writeheader()
        writer.writerows([first, second, third])
    db = open_review(make_review(tmp_path / "review", dedup=True, path=path))
    yield db
    db.close()


async def test_a_pair_settled_by_implication_is_named(three_alike: Database) -> None:
    async with running(three_alike) as (pilot, screen):
        review = screen.review
        assert [(i.record_a, i.record_b) for i in review.items] == [(1, 2), (1, 3), (2, 3)]
        await pilot.press("n", "s")  # 1 and 2 differ; 1/3 is skipped
        assert [(i.record_a, i.record_b) for i in review.items] == [(2, 3), (1, 3)]
        await pilot.press("y")  # 2 and 3 are one: so 1 and 3 differ, and 1/3 leaves unasked
        assert review.items == [] and "none left" in text_of(screen, "#bar")
        said = text_of(screen, "#status")
        assert said == "Same: #2 and #3 · also settled: #1/#3 different · u undoes"
        await pilot.press("s")
        assert text_of(screen, "#status") == "Nothing to skip: no doubtful pairs are left"
        await pilot.press("u")
        said = text_of(screen, "#status")
        assert said == "Undone: #2 and #3 are doubtful again; back in the list too: #1/#3"


async def test_same_on_a_pair_names_no_pair_it_only_folds_into_one(three_alike: Database) -> None:
    """After "same" on 1/2 the pairs 1/3 and 2/3 join the same two clusters: one stays to be
    asked, so neither is settled."""
    async with running(three_alike) as (pilot, screen):
        await pilot.press("y")
        assert len(screen.review.items) == 1
        assert text_of(screen, "#status") == "Same: #1 and #2 · u undoes"
        await pilot.press("s")  # the last pair: skipping would show it again at once
        assert text_of(screen, "#status").startswith("This is the last pair")
