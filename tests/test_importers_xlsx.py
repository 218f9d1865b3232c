"""XLSX workbooks read through the CSV importer's mapping, checked against the sheet's XML read
with zipfile and ElementTree, and against the same Embase export saved as CSV."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from db.errors import ParseError
from screening.citation import Citation
from screening.cli import cli
from screening.importers import csv as csv_reader
from screening.importers import detect_format, xlsx
from screening.importers.textfile import SourceFile
from screening.importing import import_file
from screening.normalise import normalise_doi, split_authors
from tests.conftest import FIXTURES

XLSX = FIXTURES / "xlsx"
LENS = XLSX / "cff_baseline.xlsx"
EMBASE = XLSX / "cff_baseline_embase.xlsx"
EPPI = XLSX / "cff_baseline_eppireviewer.xlsx"
EMBASE_CSV = FIXTURES / "csv" / "cff_baseline_embase_search_preamble.csv"
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read(path: Path, **options: object) -> list[Citation]:
    return list(xlsx.read(SourceFile.open(path), **options))


def by_column(path: Path) -> list[dict[str, str]]:
    """The first sheet's rows below its header, {column name: text}, straight from the
    workbook's XML (shared strings resolved by hand)."""
    with zipfile.ZipFile(path) as book:
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t"))
            for si in ET.fromstring(book.read("xl/sharedStrings.xml")).iterfind("m:si", _NS)
        ]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iterfind("m:sheetData/m:row", _NS):
        cells = {}
        for c in row.iterfind("m:c", _NS):
            column = "".join(ch for ch in c.get("r", "") if ch.isalpha())
            value = c.findtext("m:v", default="", namespaces=_NS)
            cells[column] = shared[int(value)] if c.get("t") == "s" else value
        rows.append(cells)
    header_at = next(i for i, r in enumerate(rows) if "Title" in r.values())
    names = rows[header_at]
    return [{names[col]: row.get(col, "") for col in names} for row in rows[header_at + 1 :]]


@pytest.mark.parametrize(("path", "count"), [(LENS, 100), (EMBASE, 10), (EPPI, 10)])
def test_each_workbook_is_detected_and_gives_every_row(path: Path, count: int) -> None:
    assert detect_format(SourceFile.open(path)) == "xlsx"
    assert len(read(path)) == count


def test_lens_sheet_below_a_caption_matches_its_xml() -> None:
    mapped = {"authors": "Author/s", "issue": "Issue Number"}  # Lens.org's own names
    records = read(LENS, columns=mapped)
    for ours, row in zip(records, by_column(LENS), strict=True):
        assert ours.title == " ".join(row["Title"].split())
        assert ours.authors == split_authors(row["Author/s"])
        assert ours.year == int(row["Publication Year"])
        assert ours.doi == normalise_doi(row["DOI"])
        assert ours.journal == (" ".join(row["Source Title"].split()) or None)
        assert ours.pmid == (row["PMID"] or None)
    first = records[0]
    assert first.title.startswith("The Value of Radiologic Interventions and 18 F-DOPA PET")
    assert first.authors[0] == "Björn A. Blomberg" and first.year == 2012
    assert (first.doi, first.pmid, first.volume, first.issue, first.pages) == (
        "10.1007/s11307-012-0572-0", "22752652", "15", "1", "97-105",
    )  # fmt: skip


def test_embase_workbook_reads_as_the_same_export_in_csv() -> None:
    workbook, sheet = read(EMBASE), list(csv_reader.read(SourceFile.open(EMBASE_CSV)))
    assert len(workbook) == len(sheet) == 10
    skip = {"raw", "line"}
    for ours, theirs in zip(workbook, sheet, strict=True):
        for name in set(Citation.__slots__) - skip:
            assert getattr(ours, name) == getattr(theirs, name), name
    assert workbook[0].extra["database"] == "Embase"
    assert workbook[0].title.startswith("Cellular structure of dinosaur scales")
    assert workbook[0].authors[0] == "Yang, Z."


def test_eppi_reviewer_ids_and_years() -> None:
    rows = by_column(EPPI)
    records = read(EPPI)
    assert [c.source_record_id for c in records] == [r["ID"] for r in rows]
    assert [c.year for c in records] == [int(r["Year"]) for r in rows]
    assert records[0].title.startswith("A juvenile bird with possible crown-group affinities")


def test_a_column_mapping_applies_to_workbooks() -> None:
    (first, *_) = read(EPPI, columns={"title": "ShortTitle"})
    assert first.title == "Brownstein (2024)"


@pytest.fixture
def two_sheets(tmp_path: Path) -> Path:
    """The EPPI-Reviewer rows in a workbook of two sheets (derived from the real export)."""
    source = openpyxl.load_workbook(EPPI, read_only=True)
    rows = list(source.active.iter_rows(values_only=True))
    source.close()
    book = openpyxl.Workbook()
    book.active.title = "notes"
    book.active.append(["written by the team"])
    data = book.create_sheet("included")
    for row in rows:
        data.append(row)
    path = tmp_path / "team.xlsx"
    book.save(path)
    return path


def test_several_sheets_need_sheet_and_name_them(two_sheets: Path) -> None:
    with pytest.raises(ParseError, match="has 2 sheets \\('notes', 'included'\\); name the one"):
        read(two_sheets)
    with pytest.raises(ParseError, match="has no sheet 'data'; its sheets are 'notes', 'included'"):
        read(two_sheets, sheet="data")
    assert len(read(two_sheets, sheet="included")) == 10


def test_import_sheet_option_and_the_embase_search(two_sheets: Path, review_path: Path) -> None:
    refused = CliRunner().invoke(cli, ["import", "--review", str(review_path), str(two_sheets)])
    assert refused.exit_code == 1 and "--sheet NAME" in refused.output
    done = CliRunner().invoke(
        cli,
        ["import", "--review", str(review_path), str(two_sheets), "--sheet", "included"]
        + ["--database", "Embase", "--encoding", "latin-1"],  # the sheet names no database
    )
    assert done.exit_code == 0, done.output
    assert "10 records added" in done.stdout
    assert "read as" not in done.stdout  # a workbook is not text: no encoding to report


def test_embase_workbook_keeps_its_search_as_the_source_query(review_db: object) -> None:
    summary = import_file(review_db, EMBASE)  # type: ignore[arg-type]
    source = review_db["sources"].get(summary.source_id)  # type: ignore[index]
    assert (summary.format, summary.added, summary.database) == ("xlsx", 10, "Embase")
    assert source["query"] == "dinosaur:ti"


def test_a_zip_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-a-workbook/>")
    with pytest.raises(ParseError, match="not a readable XLSX workbook"):
        read(path)


def test_a_sheet_cut_short_inside_the_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(EPPI) as original, zipfile.ZipFile(path, "w") as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            copy.writestr(info, data)
    with pytest.raises(ParseError, match="the sheet is broken after row"):
        read(path)


def test_a_workbook_cut_short_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    path.write_bytes(EPPI.read_bytes()[:5000])
    with pytest.raises(ParseError, match="not a readable XLSX workbook"):
        read(path)


def test_a_scopus_csv_saved_as_a_workbook_reads_the_same(tmp_path: Path) -> None:
    """The Scopus profile (EID as record id, database) applies to a sheet by its header."""
    scopus_csv = FIXTURES / "csv" / "litstudy_scopus.csv"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("scopus")
    with scopus_csv.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            sheet.append(row)
    path = tmp_path / "scopus.xlsx"
    book.save(path)
    from_csv = list(csv_reader.read(SourceFile.open(scopus_csv)))
    from_xlsx = read(path)
    assert len(from_xlsx) == len(from_csv) == 58
    for ours, theirs in zip(from_xlsx, from_csv, strict=True):
        assert (ours.title, ours.authors, ours.year, ours.doi, ours.journal, ours.abstract) == (
            theirs.title, theirs.authors, theirs.year, theirs.doi, theirs.journal, theirs.abstract
        )  # fmt: skip
        assert ours.source_record_id == theirs.source_record_id
        assert ours.extra["database"] == "Scopus"


def test_a_workbook_in_an_unknown_compression_method_is_refused(tmp_path: Path) -> None:
    # zipfile raises NotImplementedError (a RuntimeError) for a method it cannot inflate
    raw = bytearray(EPPI.read_bytes())
    for signature, at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # local, central headers
        start = raw.find(signature)
        while start != -1:
            raw[start + at : start + at + 2] = (99).to_bytes(2, "little")
            start = raw.find(signature, start + 4)
    path = tmp_path / "method99.xlsx"
    path.write_bytes(bytes(raw))
    with pytest.raises(ParseError, match="not a readable XLSX workbook"):
        read(path)
