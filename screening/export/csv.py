"""Writing citations as a CSV sheet: one row per citation, safe to open in a spreadsheet.

The columns are the Citation's fields under their own names (title, authors, year, ...,
source_record_id), which our CSV reader maps back; lists (authors, keywords, MeSH terms,
publication types, URLs) are joined with "; ". ``extra_columns`` adds columns from each
citation's extra dict (e.g. "database", "publisher"), a list there joined the same way.
`export records` writes record_sheet_rows: each record's identity columns first (record id and
UUID, database, source file, duplicate cluster, canonical flag), so the sheet joins to the
decisions export; export/xlsx.py writes the same rows as a workbook.

Every text cell goes through extraction.sheets.safe_cell, so a title such as "=cmd|..."
cannot run as a formula (it is written with a leading "'", and reads back so). Rows end in
"\\n": the caller's file decides the line ending; it should be UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from extraction.sheets import safe_cell
from screening.citation import Citation
from screening.export.selection import ExportRecord
from screening.normalise import abstract_text
from screening.rows import row_citation

# the first columns of a records export: joins to export decisions' record_id and record_uuid
IDENTITY_COLUMNS = (
    "record_id",
    "record_uuid",
    "database",
    "source_file",
    "cluster_id",
    "canonical",
)
COLUMNS = (
    "title",
    "authors",
    "year",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "language",
    "publication_types",
    "record_type",
    "keywords",
    "mesh_terms",
    "urls",
    "abstract",
    "source_record_id",
)


def write_csv(
    citations: Iterable[Citation], out: TextIO, extra_columns: Iterable[str] | None = None
) -> int:
    """Write a header and one row per citation; return how many rows were written."""
    extras = list(extra_columns or [])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, *extras])
    count = 0
    for c in citations:
        cells = [_cell(getattr(c, name)) for name in COLUMNS]
        if not c.abstract and c.sections:
            cells[COLUMNS.index("abstract")] = _cell(abstract_text(c.sections))
        cells += [_cell(c.extra.get(name)) for name in extras]
        writer.writerow(cells)
        count += 1
    return count


def write_record_sheet(records: Iterable[ExportRecord], out: TextIO) -> int:
    """The records export as CSV: record_sheet_rows, header first; returns the records."""
    writer = csv.writer(out, lineterminator="\n")
    rows = record_sheet_rows(records)
    writer.writerow(next(rows))
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def record_sheet_rows(records: Iterable[ExportRecord]) -> Iterator[list[Any]]:
    """The header, then per record its identity (IDENTITY_COLUMNS: the record id, its UUID,
    its database, its source file, its duplicate cluster and whether it is the cluster's
    canonical record, 1 or 0) and the citation's columns, every cell made safe."""
    yield [*IDENTITY_COLUMNS, *COLUMNS]
    for record in records:
        row, c = record.row, row_citation(record.row)
        cells = [_cell(getattr(c, name)) for name in COLUMNS]
        if not c.abstract and c.sections:
            cells[COLUMNS.index("abstract")] = _cell(abstract_text(c.sections))
        identity = (row["id"], row["uuid"], row["database"], row["file_name"])
        yield [*map(_cell, identity), record.cluster_id, int(record.canonical), *cells]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value if v is not None)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    return safe_cell(value)
