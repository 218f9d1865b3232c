"""`metasift dedup`, `dedup --export`, `dedup split` and `dedup review` (App factory patched)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from db.connection import open_review
from screening.cli import cli
from screening.cli import dedup as dedup_cli
from screening.dedup.pair_review import DedupReview
from screening.review import init_review
from screening.tui.dedup_screen import DedupScreen
from tests.dedup_support import import_csv, record_id

pytest_plugins = ("tests.dedup_fixtures",)


def invoke(*args: Any, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def test_dedup_reports_what_it_found_and_runs_again_incrementally(sample_path: Path) -> None:
    result = invoke("dedup", "--review", sample_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("284 records: ") and "pairs compared" in lines[0]
    assert lines[1] == (
        "66 clusters of duplicates; duplicates removed: 130 automatically, 0 by a person"
    )
    assert lines[2] == "3 doubtful pairs left for a person: run `metasift dedup review`"
    again = invoke("dedup", "--review", sample_path)
    assert again.stdout.startswith("284 records, 0 new: 0 pairs compared")


def test_export_writes_one_row_per_record(deduped_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "clusters.csv"
    result = invoke("dedup", "--review", deduped_path, "--export", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"284 records written to {out}"
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len(rows) == 284
    by_id = {row["source_record_id"]: row for row in rows}
    rainmakers = [by_id[r] for r in ("DW00392", "DW03597", "DW03921", "DW05229")]
    assert len({row["cluster_id"] for row in rainmakers}) == 1
    assert [row["canonical"] for row in rainmakers].count("yes") == 1
    assert by_id["DW03597"]["decided_by"] == "rule" and by_id["DW03597"]["rule"] == "doi"
    assert by_id["DW05229"]["rule"] == "title-locator" and by_id["DW05229"]["score"] == "1.0"
    assert by_id["DW05229"]["title"] == "Rainmakers: Why Bad Weather Means Good Productivity"


def test_export_neutralises_formulas(tmp_path: Path) -> None:
    sheet = tmp_path / "mine.csv"
    sheet.write_text(
        'record_id,title,entry_type\nX1,"=HYPERLINK(""http://x.org"")",article\n', "utf-8"
    )
    db_path = init_review(tmp_path / "review")
    db = open_review(db_path)
    import_csv(db, sheet)
    db.close()
    out = tmp_path / "clusters.csv"
    assert invoke("dedup", "--review", db_path, "--export", out).exit_code == 0
    (row,) = csv.DictReader(out.open(encoding="utf-8", newline=""))
    assert row["title"] == '\'=HYPERLINK("http://x.org")'


def test_split_takes_a_record_out(deduped_path: Path) -> None:
    db = open_review(deduped_path)
    taken = record_id(db, "DW05229")
    db.close()
    result = invoke("dedup", "split", taken, taken, "--review", deduped_path, "--reviewer", "ana")
    assert result.exit_code == 0, result.output  # named twice, split once
    assert result.stdout == (
        f"#{taken} taken out of 1 cluster; 0 screening decision flags for a second look\n"
    )
    again = invoke("dedup", "split", taken, "--review", deduped_path, "--reviewer", "ana")
    assert again.exit_code == 1
    assert f"record #{taken} is not in a cluster" in again.stderr


def test_review_needs_a_terminal(deduped_path: Path) -> None:
    result = invoke("dedup", "review", "--review", deduped_path, "--reviewer", "ana")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: metasift dedup review needs a terminal")


class FakeApp:
    return_code = 0

    def __init__(self, factory: Any, title: str) -> None:
        self.screen = factory()
        self.title = title
        self.ran = False

    def run(self) -> None:
        self.ran = True


def test_review_opens_the_screen_on_the_queue(
    deduped_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps: list[FakeApp] = []

    def make_app(factory: Any, title: str = "metasift") -> FakeApp:
        apps.append(FakeApp(factory, title))
        return apps[-1]

    monkeypatch.setattr(dedup_cli, "has_terminal", lambda: True)
    monkeypatch.setattr("screening.tui.app.make_app", make_app)
    result = invoke("dedup", "review", "--review", deduped_path, env={"METASIFT_REVIEWER": "bo"})
    assert result.exit_code == 0, result.output
    (app,) = apps
    assert app.ran and app.title == "metasift · duplicates · Deduplication sample"
    assert isinstance(app.screen, DedupScreen)
    review: DedupReview = app.screen.review
    assert review.reviewer == "bo" and len(review.items) == 3
