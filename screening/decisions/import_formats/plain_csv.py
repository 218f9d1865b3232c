"""A plain CSV (or TSV) of decisions, for any tool without a reader of its own.

Columns, found by name whatever their case:

- an identifier: pmid, doi or title (at least one; each row is matched by the first it has,
  in that order);
- decision (or verdict): include, exclude or maybe (also included, excluded, yes, no, 1, 0,
  relevant, irrelevant, unsure), and at full text not-retrieved (or "not retrieved"); an
  empty cell or "undecided" skips the row;
- optional: reason (an exclusion reason), note, and time (ISO 8601, when it was decided).
"""

from __future__ import annotations

from pathlib import Path

from db.errors import ParseError
from screening.decisions.import_formats import (
    Export,
    ExportRow,
    Options,
    column,
    iso_time,
    table_rows,
    verdict_word,
)
from screening.normalise import clean, normalise_doi, normalise_pmid


def read(path: Path, options: Options) -> Export:
    header, rows = table_rows(path)
    ids = {name: column(header, name) for name in ("pmid", "doi", "title")}
    decision = column(header, "decision", "verdict")
    if decision is None or not any(ids.values()):
        raise ParseError(
            path,
            "a decisions CSV needs a decision column and a pmid, doi or title column; "
            f"its columns are: {', '.join(header)}",
            line=1,
        )
    reason, note, time = (column(header, name) for name in ("reason", "note", "time"))
    found, unexcluded = [], 0
    for n, (line, row) in enumerate(rows, start=1):
        verdict = verdict_word(path, line, row.get(decision) or "")
        unexcluded += bool(verdict != "exclude" and clean(row.get(reason or "")))
        found.append(
            ExportRow(
                n,
                clean(row.get(ids["title"] or "")),
                normalise_doi(row.get(ids["doi"] or "")),
                normalise_pmid(row.get(ids["pmid"] or "")),
                verdict,
                reason=clean(row.get(reason or "")) if verdict == "exclude" else None,
                note=clean(row.get(note or "")),
                created_at=iso_time(path, line, row.get(time or "")),
            )
        )
    notes = (
        [
            f"{unexcluded} row(s) gave a reason with a verdict other than exclude: left out (a "
            "reason says why a record is excluded; a note column keeps other text)"
        ]
        if unexcluded
        else []
    )
    return Export(found, notes=notes)
