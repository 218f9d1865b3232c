from __future__ import annotations

import csv
import io
from pathlib import Path

from screening.citation import Citation
from screening.export.csv import COLUMNS, write_csv
from screening.importers import csv as csv_reader
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

SCOPUS = FIXTURES / "csv" / "litstudy_scopus.csv"
PUBMED = FIXTURES / "csv" / "colrev_pubmed_fitbit.csv"


def read(path: Path) -> list[Citation]:
    return list(csv_reader.read(SourceFile.open(path)))


def written(citations: list[Citation], **options: object) -> str:
    out = io.StringIO()
    assert write_csv(citations, out, **options) == len(citations)
    return out.getvalue()


def test_scopus_and_pubmed_records_read_back_through_the_generic_reader(tmp_path: Path) -> None:
    original = read(SCOPUS) + read(PUBMED)
    path = tmp_path / "records.csv"
    path.write_text(written(original), encoding="utf-8")
    again = read(path)
    assert len(again) == len(original) == 68
    for before, after in zip(original, again, strict=True):
        assert (after.title, after.authors, after.year) == (
            before.title,
            before.authors,
            before.year,
        )
        assert (after.doi, after.journal, after.pmid, after.pmcid) == (
            before.doi,
            before.journal,
            before.pmid,
            before.pmcid,
        )
        assert (after.keywords, after.source_record_id, after.abstract) == (
            before.keywords,
            before.source_record_id,
            before.abstract,
        )
    assert again[0].authors[8] == "Kalé, L."
    assert again[0].extra == {}  # the generic reader: no database, no index keywords


def test_header_lists_joined_and_extra_columns() -> None:
    citation = Citation(
        raw="",
        line=0,
        title="A title",
        authors=["Smith, J.", "Doe, A."],
        year=2019,
        keywords=["knee", "pain"],
        extra={"database": "Embase", "emtree_major": ["knee pain", "exercise"]},
    )
    rows = list(
        csv.reader(io.StringIO(written([citation], extra_columns=["database", "emtree_major"])))
    )
    assert rows[0] == [*COLUMNS, "database", "emtree_major"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["authors"] == "Smith, J.; Doe, A."
    assert row["keywords"] == "knee; pain"
    assert row["year"] == "2019"
    assert (row["database"], row["emtree_major"]) == ("Embase", "knee pain; exercise")
    assert row["doi"] == ""


def test_formula_like_cells_are_neutralised_but_numbers_are_not() -> None:
    citation = Citation(
        raw="",
        line=0,
        title='=HYPERLINK("http://evil.example","click")',
        authors=["@Smith, J.", "-Doe, A."],
        volume="-1",
        issue="+2",
        pages="-3.5",
        journal="+Journal",
    )
    out = written([citation])
    rows = list(csv.reader(io.StringIO(out)))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["authors"] == "'@Smith, J.; -Doe, A."
    assert row["journal"] == "'+Journal"
    assert (row["volume"], row["issue"], row["pages"]) == ("-1", "+2", "-3.5")
