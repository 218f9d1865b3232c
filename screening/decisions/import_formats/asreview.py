"""ASReview LAB: its project file (.asreview), or the dataset it exports (CSV, TSV or RIS).

The project file is what ASReview LAB's "Export project" writes, a zip holding the dataset
and the labels (the real ones in tests/fixtures/decisions/ come from ASReview's own test
suite, in two layouts): results.db (top level, or reviews/<id>/results.db in older files)
has a results table with record_id, label (1 relevant, 0 irrelevant), time (Unix seconds)
and note; the record table (in results.db, or in data_store.db in older files) has each
record_id's title and doi.

The exported dataset, as ASReview's documentation ("Variables in the exported dataset")
describes it: asreview_label (1, 0, or empty when not seen; `included` before version 2),
asreview_time and asreview_note columns beside the imported data; in RIS, an N1 note
ASReview_relevant, ASReview_irrelevant or ASReview_not_seen. No real exported dataset was
found in public repositories; this reader follows the documentation, and only the project
file is tested against real files. Excel exports are not read: save them as CSV.

Relevant is read as include and irrelevant as exclude: ASReview has no maybe, and no
exclusion reasons.
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from db.errors import ParseError
from screening.decisions.import_formats import (
    Export,
    ExportRow,
    Options,
    column,
    iso_time,
    ris_notes,
    ris_records,
    table_rows,
)
from screening.importers.textfile import SourceFile
from screening.normalise import clean, normalise_doi, normalise_pmid

_LABELS = {"1": "include", "0": "exclude"}
_RIS_LABELS = {"ASReview_relevant": "include", "ASReview_irrelevant": "exclude"}


def read(path: Path, options: Options) -> Export:
    if zipfile.is_zipfile(path):
        return Export(_project(path))
    head = SourceFile.open(path).head()
    if head.lstrip().startswith("TY  -"):
        return Export(_ris(path))
    return Export(_table(path))


def _project(path: Path) -> list[ExportRow]:
    with zipfile.ZipFile(path) as project, tempfile.TemporaryDirectory() as tmp:
        results = _member(path, project, "results.db")
        names = project.namelist()
        store = "data_store.db" if "data_store.db" in names else results
        db = sqlite3.connect(project.extract(results, tmp))
        try:
            db.execute("ATTACH DATABASE ? AS store", [project.extract(store, tmp)])
            rows = db.execute(
                "SELECT r.label, r.time, r.note, d.title, d.doi FROM results r "
                "LEFT JOIN store.record d ON d.record_id = r.record_id ORDER BY r.record_id"
            ).fetchall()
        except sqlite3.DatabaseError as e:
            raise ParseError(path, f"not an ASReview project file this reader knows ({e})") from e
        finally:
            db.close()
    return [
        ExportRow(
            n,
            clean(title),
            normalise_doi(doi),
            verdict=_LABELS.get(str(label)),
            note=clean(note),
            created_at=_unix_time(when),
        )
        for n, (label, when, note, title, doi) in enumerate(rows, start=1)
    ]


def _member(path: Path, project: zipfile.ZipFile, name: str) -> str:
    """results.db at the top of the project, else the one review's under reviews/."""
    names = project.namelist()
    if name in names:
        return name
    found = [n for n in names if n.startswith("reviews/") and n.endswith(f"/{name}")]
    if len(found) != 1:
        raise ParseError(path, f"a zip without one {name}: not an ASReview project file")
    return found[0]


def _unix_time(value: float | None) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="milliseconds")


def _ris(path: Path) -> list[ExportRow]:
    rows = []
    for n, record in enumerate(ris_records(path), start=1):
        labels = [_RIS_LABELS[w] for note in ris_notes(record) for w in _words(note)]
        rows.append(ExportRow(n, record.title, record.doi, record.pmid, next(iter(labels), None)))
    if not any(row.verdict for row in rows):
        raise ParseError(path, "no ASReview_relevant or ASReview_irrelevant note", line=1)
    return rows


def _words(note: str) -> list[str]:
    return [w for w in note.replace(".", " ").split() if w in _RIS_LABELS]


def _table(path: Path) -> list[ExportRow]:
    header, lines = table_rows(path)
    label = column(header, "asreview_label", "included", "label_included")
    if label is None:
        raise ParseError(path, "no asreview_label or included column: an ASReview export?", line=1)
    title, doi = column(header, "title", "primary_title"), column(header, "doi")
    pmid, time = column(header, "pmid", "pubmed_id"), column(header, "asreview_time")
    notes = [h for h in header if h == "asreview_note" or h.startswith("exported_notes")]
    return [
        ExportRow(
            n,
            clean(row.get(title or "")),
            normalise_doi(row.get(doi or "")),
            normalise_pmid(row.get(pmid or "")),
            _LABELS.get((row.get(label) or "").strip().removesuffix(".0")),
            note=clean(" ".join(row.get(h) or "" for h in notes)),
            created_at=iso_time(path, line, row.get(time or "")),
        )
        for n, (line, row) in enumerate(lines, start=1)
    ]
