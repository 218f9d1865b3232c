"""The studies `metasift analyse` pools, from the review itself: the table `export sheet --for
metafor` writes (extraction.sheets.analysis.metafor_sheet), built in memory and read by the
same rules as `metasift pool` reads the file (extraction.pooling.table), so both pool the
same numbers. A row's line is its line in that sheet's CSV (the header is line 1)."""

from __future__ import annotations

from collections.abc import Collection

from extraction.pooling.table import Selection, Studies, studies_from_rows
from extraction.sheets.tables import Sheet

SOURCE = "the review's metafor sheet"


def sheet_rows(
    sheet: Sheet, left_out: Collection[str] = ()
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows as text by column (as a CSV reader gives them), without the
    rows of the studies (by UUID, the study_id column) in left_out."""
    header = [str(h) for h in sheet.rows[0]]
    rows = []
    for line, row in enumerate(sheet.rows[1:], start=2):
        cells = dict(zip(header, (_text(value) for value in row), strict=True))
        if cells.get("study_id") not in left_out:
            rows.append((line, cells))
    return header, rows


def _text(value: object) -> str:
    """A cell as CSV would hold it: repr of a float keeps every digit."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def review_studies(
    sheet: Sheet, continuous: bool, selection: Selection, left_out: Collection[str] = ()
) -> Studies:
    """The studies to pool: the selection's rows of the sheet, without those left out."""
    header, rows = sheet_rows(sheet, left_out)
    return studies_from_rows(SOURCE, header, rows, continuous, selection)


def default_measure(sheet: Sheet, outcome: str | None) -> str:
    """MD for an outcome with means, RR for one with events (RevMan's defaults' measures)."""
    header, rows = sheet_rows(sheet)
    chosen = [row for _, row in rows if outcome is None or row.get("outcome") == outcome]
    return "MD" if any(row.get("m1i") for row in chosen) else "RR"
