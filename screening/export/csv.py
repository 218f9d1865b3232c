"""Writing citations as a CSV sheet: one row per citation, safe to open in a spreadsheet.

The columns are the Citation's fields under their own names (title, authors, year, ...,
source_record_id), which our CSV reader maps back; lists (authors, keywords, MeSH terms,
publication types, URLs) are joined with "; ". ``extra_columns`` adds columns from each
citation's extra dict (e.g. "database", "publisher"), a list there joined the same way.

Every text cell goes through extraction.sheets.safe_cell, so a title such as "=cmd|..."
cannot run as a formula (it is written with a leading "'", and reads back so). Rows end in
"\\n": the caller's file decides the line ending; it should be UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from extraction.sheets import safe_cell
from screening.citation import Citation
from screening.normalise import abstract_text

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


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value if v is not None)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    return safe_cell(value)
