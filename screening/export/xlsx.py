"""Writing the records export as an XLSX workbook: the CSV's rows (export/csv.py
record_sheet_rows), one sheet, formulas neutralised the same way (extraction.sheets.safe_cell).

openpyxl's write-only mode streams the rows to a temporary file, so 100,000 records do not sit
in memory as cells. openpyxl stores a text starting with "=" as a formula, so safe_cell's
leading "'" matters here too; it refuses control characters, which are shown as escapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from screening.control_chars import visible
from screening.export.csv import record_sheet_rows
from screening.export.selection import ExportRecord

SHEET_TITLE = "records"
_CELL_LIMIT = 32767  # Excel refuses a longer cell: a longer abstract is cut, and says so
_CUT = " [cut: Excel holds 32,767 characters per cell]"


def write_xlsx(records: Iterable[ExportRecord], out: BinaryIO) -> int:
    """Write the records as a workbook to out (a binary file); return how many."""
    from openpyxl import Workbook  # heavy: only when an XLSX is asked for

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    count = -1
    for row in record_sheet_rows(records):
        sheet.append([_fitted(cell) for cell in row])
        count += 1
    book.save(out)
    return count


def _fitted(cell: object) -> object:
    """A cell openpyxl accepts: control characters (which it refuses) shown as escapes, and
    no longer than Excel's limit."""
    if not isinstance(cell, str):
        return cell
    cell = visible(cell)
    return cell[: _CELL_LIMIT - len(_CUT)] + _CUT if len(cell) > _CELL_LIMIT else cell
