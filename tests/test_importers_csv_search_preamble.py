"""Embase.com CSV with the search it ran written above the header."""

from __future__ import annotations

import csv
from pathlib import Path

from screening.importers import csv as csv_reader
from screening.importers import detect_format
from screening.importers.textfile import SourceFile
from screening.importing import import_file
from screening.normalise import split_authors
from tests.conftest import FIXTURES

PREAMBLE = FIXTURES / "csv" / "cff_baseline_embase_search_preamble.csv"


def test_detected_and_every_row_read_below_the_search() -> None:
    source = SourceFile.open(PREAMBLE)
    assert csv_reader.sniff(source.head()) and detect_format(source) == "csv"
    records = list(csv_reader.read(source))
    with PREAMBLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f.readlines()[3:]))  # the header is line 4
    assert len(records) == len(rows) == 10
    for ours, row in zip(records, rows, strict=True):
        assert ours.title == " ".join(row["Title"].split())
        assert ours.authors == split_authors(row["Author Names"])
        assert ours.year == int(row["Publication Year"])
        assert ours.doi == row["DOI"].lower()
        assert ours.journal == row["Source title"]
        assert ours.extra["database"] == "Embase"


def test_first_record_reads_whole() -> None:
    first = next(csv_reader.read(SourceFile.open(PREAMBLE)))
    assert first.title.startswith("Cellular structure of dinosaur scales reveals retention")
    assert first.authors == ["Yang, Z.", "Jiang, B.", "Xu, J.", "McNamara, M.E."]
    assert first.line == 5


def test_the_search_is_kept_as_the_sources_query(review_db: object) -> None:
    summary = import_file(review_db, PREAMBLE)  # type: ignore[arg-type]
    source = review_db["sources"].get(summary.source_id)  # type: ignore[index]
    assert (summary.added, summary.database, source["query"]) == (10, "Embase", "dinosaur:ti")


def test_a_file_without_a_preamble_has_no_query(tmp_path: Path) -> None:
    path = FIXTURES / "csv" / "asreview_embase.csv"
    assert csv_reader.search_query(SourceFile.open(path)) is None
