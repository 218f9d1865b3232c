"""XLSX workbooks: Embase.com's and Scopus's Excel exports, EPPI-Reviewer's, and teams' sheets.

The workbook is read with openpyxl in read-only mode (rows stream from the sheet's XML; the
workbook is never loaded whole) with the cached values of formulas, and its rows are mapped
exactly as a CSV's are (csv.citations_from_rows): the same column names, the same profiles
of known exports (Embase, PubMed, Scopus) and the same ``--column FIELD=COLUMN`` mappings.

- Sheet: a workbook with one sheet is read whole; with several, ``--sheet NAME`` says which,
  and without it the import is refused with the sheets' names.
- Above the header: Embase.com's search preamble (a "SEARCH QUERY" row, a dashed row) is
  skipped as in CSV, and so is a caption row (one filled cell, the table's name, as Apple
  Numbers writes it in the first row). Blank rows are skipped.
- Cells: text as it stands; whole numbers without ".0" (a year stored as 2014.0 reads
  "2014"); dates as ISO dates; empty cells as "".
- Line numbers in messages are the sheet's row numbers; raw is the row as a JSON object
  {header: cell}, as for CSV.
"""

from __future__ import annotations

import datetime
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import csv as csv_reader
from screening.importers import search_preamble
from screening.importers.textfile import SourceFile

NAME = "xlsx"
_ZIP = "PK\x03\x04"
# what a damaged archive raises on the way in: a member that does not inflate (zlib); an
# unknown zip version or compression method, or a member flagged as encrypted (zipfile raises
# RuntimeError, or a subclass of it, for each); a member whose XML is broken; an element with
# an attribute openpyxl does not know (TypeError from its deserialiser). Found by
# tests/test_importer_mutations.py
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    ElementTree.ParseError,
    TypeError,
)


def sniff(head: str) -> bool:
    """A zip archive holding a workbook (xl/ parts): XLSX, not another zipped format."""
    return head.startswith(_ZIP) and ("xl/" in head or "[Content_Types].xml" in head)


def read(
    source: SourceFile,
    columns: dict[str, str] | None = None,
    sheet: str | None = None,
    **options: object,
) -> Iterator[Citation]:
    """Stream one Citation per row of the sheet, mapped as a CSV row is."""
    workbook = _open(source)
    try:
        rows = _captions_dropped(_rows(source, _sheet(source, workbook, sheet)))
        yield from csv_reader.citations_from_rows(source, rows, columns)
    finally:
        workbook.close()


def search_query(source: SourceFile, sheet: str | None = None, **options: object) -> str | None:
    """The search an Embase.com workbook names in its first row, else None."""
    workbook = _open(source)
    try:
        first = next(_rows(source, _sheet(source, workbook, sheet)), (0, []))
        return search_preamble.query_of(first[1])
    finally:
        workbook.close()


def _open(source: SourceFile) -> Any:
    try:
        return openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, *_DAMAGED) as e:
        raise ParseError(source.path, f"is not a readable XLSX workbook ({e})") from None


def _sheet(source: SourceFile, workbook: Any, name: str | None) -> Any:
    names = list(workbook.sheetnames)
    if not names:
        raise ParseError(source.path, "is an XLSX workbook with no sheets")
    listed = ", ".join(repr(n) for n in names)
    if name is not None and name not in names:
        raise ParseError(source.path, f"has no sheet {name!r}; its sheets are {listed}")
    if name is None and len(names) > 1:
        raise ParseError(
            source.path,
            f"has {len(names)} sheets ({listed}); name the one to import with --sheet NAME",
        )
    return workbook[name or names[0]]


def _rows(source: SourceFile, worksheet: Any) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for every row with something in it."""
    number = 0
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_text(value) for value in values]
            if any(c.strip() for c in cells):
                yield number, cells
    except (ValueError, KeyError, *_DAMAGED) as e:
        raise ParseError(
            source.path, f"the sheet is broken after row {number} ({e})", line=number + 1
        ) from None


def _captions_dropped(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows without leading captions: rows of one filled cell that is no column name."""
    titles = csv_reader.FIELD_ALIASES["title"]
    for number, cells in rows:
        filled = [c.strip() for c in cells if c.strip()]
        if len(filled) == 1 and filled[0].lower() not in titles:
            continue
        yield number, cells
        yield from rows
        return


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
