"""Sheets written to and read from CSV and XLSX files.

Every text cell goes through safe_cell (a leading "'" on text a spreadsheet would run as a
formula); numbers, negative ones included, are written as numbers. XLSX (openpyxl): one
worksheet per sheet, the heading rows frozen, columns sized to their contents (at most 60
characters wide). CSV (UTF-8 with a BOM, so Excel reads accents): one file per sheet; with
several sheets, FILE's stem plus the sheet's name (extraction.csv -> extraction-studies.csv,
extraction-arms.csv, extraction-outcomes.csv).

Reading undoes the neutralisation (a "'" before a formula character is dropped) and gives
CSV cells as text: the loader turns them into numbers where the column holds numbers.

Example:
    >>> sheet_paths(Path("x.csv"), ["studies", "outcomes (ana)"])
    [PosixPath('x-studies.csv'), PosixPath('x-outcomes-ana.csv')]
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from db.errors import MetasiftError
from extraction.sheets.safety import FORMULA_START, safe_cell
from extraction.sheets.tables import Sheet

MAX_WIDTH = 60
# characters XML 1.0 cannot hold (openpyxl refuses them): shown as U+FFFD instead
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SLUG = re.compile(r"[^\w.-]+")


def sheet_paths(path: Path, names: list[str]) -> list[Path]:
    if len(names) == 1:
        return [path]
    slugs = (_SLUG.sub("-", name).strip("-") for name in names)
    return [path.with_name(f"{path.stem}-{slug}{path.suffix}") for slug in slugs]


def write_sheets(path: Path, sheets: list[Sheet], fmt: str) -> list[Path]:
    """Write the sheets; the files written."""
    if fmt == "xlsx":
        write_xlsx(path, sheets)
        return [path]
    paths = sheet_paths(path, [s.name for s in sheets])
    for sheet, target in zip(sheets, paths, strict=True):
        with target.open("w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out).writerows([[safe_cell(c) for c in row] for row in sheet.rows])
    return paths


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    from openpyxl import Workbook  # imported when a workbook is written
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)  # streams rows: 2.4 s, not 6.7 s, for 14,400 rows
    for sheet in sheets:
        ws = book.create_sheet(_title(sheet.name))
        rows = [[_xlsx_cell(c) for c in row] for row in sheet.rows]
        for index, width in enumerate(_widths(rows), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = f"A{sheet.frozen + 1}"
        for row in rows:
            ws.append(row)
    book.save(path)


def _title(name: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


def _xlsx_cell(value: Any) -> Any:
    value = safe_cell(value)
    return _ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def _widths(rows: list[list[Any]]) -> list[float]:
    """Each column's width: its longest cell plus 2, from 8 to MAX_WIDTH characters."""
    longest: dict[int, int] = {}
    for row in rows:
        for index, value in enumerate(row):
            if value is not None:
                longest[index] = max(longest.get(index, 0), len(str(value)))
    count = max((len(row) for row in rows), default=0)
    return [min(MAX_WIDTH, max(8, longest.get(i, 0) + 2)) for i in range(count)]


def read_sheets(path: Path) -> list[Sheet]:
    """The sheets of an XLSX workbook, or the one sheet of a CSV file (named for the file)."""
    if not path.exists():
        raise MetasiftError(f"{path}: no such file")
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    if path.suffix.lower() != ".csv":
        raise MetasiftError(f"{path}: a sheet is an .xlsx or .csv file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = [[unsafe(c) if c != "" else None for c in row] for row in csv.reader(f)]
    except (UnicodeDecodeError, csv.Error) as e:
        raise MetasiftError(f"{path}: cannot read it as UTF-8 CSV ({e})") from e
    return [Sheet(path.stem, rows)]


def _read_xlsx(path: Path) -> list[Sheet]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as e:
        raise MetasiftError(f"{path}: cannot read it as an XLSX workbook ({e})") from e
    sheets = []
    for ws in book.worksheets:
        rows = [[unsafe(c) for c in row] for row in ws.iter_rows(values_only=True)]
        sheets.append(Sheet(ws.title, rows))
    book.close()
    return sheets


def unsafe(value: Any) -> Any:
    """A cell as it was before safe_cell: "'=1+1" -> "=1+1"; anything else unchanged.

    Example:
        >>> unsafe("'=1+1"), unsafe("'quoted"), unsafe(-2)
        ('=1+1', "'quoted", -2)
    """
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:] if safe_cell(value[1:]) == value else value
    return value
