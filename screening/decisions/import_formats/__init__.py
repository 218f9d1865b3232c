"""Other screening tools' exports, read into one shape: a row's identifiers and its verdict.

One module per tool (asreview, rayyan, covidence, plain_csv), each with
``read(path, options) -> Export``. A reader raises ParseError naming the file and line of
anything it cannot read, and for a file that is not that tool's export at all (a Covidence
CSV given as Rayyan's), so nothing is imported from a file misread.

Rows are numbered from 1 in file order (a CSV row, an RIS record, an ASReview result):
that number, with the file's SHA-256, is what makes an imported event's UUID, so the
same file imported twice adds nothing.
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import reader
from screening.importers.textfile import SourceFile

TOOLS = ("asreview", "rayyan", "covidence", "csv")
_MODULES = {
    "asreview": "asreview",
    "rayyan": "rayyan",
    "covidence": "covidence",
    "csv": "plain_csv",
}
VERDICT_WORDS = {
    "include": "include", "included": "include", "yes": "include", "relevant": "include",
    "1": "include", "exclude": "exclude", "excluded": "exclude", "no": "exclude",
    "irrelevant": "exclude", "0": "exclude", "maybe": "maybe", "unsure": "maybe",
    "not-retrieved": "not-retrieved", "not retrieved": "not-retrieved",
    "not_retrieved": "not-retrieved",  # full text only: the import checks the stage
}  # fmt: skip
UNDECIDED_WORDS = frozenset({"", "undecided", "not seen", "not_seen", "-1"})


@dataclass(frozen=True)
class ExportRow:
    """One row of an export: how to find its record, and what the reviewer decided."""

    row: int
    title: str | None
    doi: str | None = None
    pmid: str | None = None
    verdict: str | None = None  # include, exclude, maybe; None: undecided, skipped
    reason: str | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str | None = None  # the tool's own time of the decision, when it keeps one


@dataclass
class Export:
    """What a reader found: the rows, whose decisions they are, and the stage the file implies."""

    rows: list[ExportRow]
    person: str | None = None  # the reviewer's name in the export, when it names one
    stage: str | None = None  # e.g. Covidence's "included" list is a full-text outcome
    notes: list[str] = field(default_factory=list)  # things the reader wants the user to know


@dataclass(frozen=True)
class Options:
    person: str | None = None  # --name-in-file: whose decisions, in a file holding several
    reviewer: str | None = None  # the metasift reviewer, whose own name a file may use
    verdict: str | None = None  # --verdict: for a list export without a verdict column


def read_export(tool: str, path: Path, options: Options) -> Export:
    if tool not in _MODULES:
        raise ValueError(f"unknown tool {tool!r}; choose from {', '.join(TOOLS)}")
    module = importlib.import_module(f"{__name__}.{_MODULES[tool]}")
    export: Export = module.read(Path(path), options)
    return export


def verdict_word(path: Path, line: int, value: str) -> str | None:
    """include / exclude / maybe for a cell, None for an undecided one; else a ParseError."""
    word = value.strip().casefold()
    if word in UNDECIDED_WORDS:
        return None
    if word in VERDICT_WORDS:
        return VERDICT_WORDS[word]
    known = ", ".join(sorted({*VERDICT_WORDS, "undecided"}))
    raise ParseError(path, f"{value!r} is not a decision (use one of: {known})", line=line)


def iso_time(path: Path, line: int, value: str | None) -> str | None:
    """A tool's timestamp as metasift's clock writes it (UTC, milliseconds), so that events
    sort by time whatever wrote them; a time without a zone is taken as UTC."""
    if not value or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ParseError(path, f"{value!r} is not an ISO 8601 time", line=line) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def table_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header of a CSV/TSV file and its rows as {header: cell} with each row's first line.

    The delimiter is whichever of comma, semicolon and tab the header holds most of.
    """
    source = SourceFile.open(path)
    with path.open("rb") as raw:
        magic = raw.read(4)
    if magic == b"PK\x03\x04":  # a zip: a workbook, or a project cut short
        what = (
            "an ASReview project that cannot be opened (cut short? export it again)"
            if path.suffix.lower() == ".asreview"
            else "a zip file, not CSV text (an Excel workbook? save it as CSV)"
        )
        raise ParseError(path, what)
    first = source.head().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    text = io.TextIOWrapper(source.binary(), encoding=source.encoding, newline="")
    cells = csv.reader(text, delimiter=delimiter, strict=True)
    header = [h.lstrip("\ufeff").strip() for h in _next_row(path, cells, 1) or []]
    if not header:
        raise ParseError(path, "no header row", line=1)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with text:
            line = cells.line_num + 1
            while (row := _next_row(path, cells, line)) is not None:
                if any(c.strip() for c in row):
                    yield line, dict(zip(header, row, strict=False))
                line = cells.line_num + 1

    return header, rows()


def _next_row(path: Path, cells: Iterator[list[str]], line: int) -> list[str] | None:
    try:
        return next(cells, None)
    except csv.Error as e:
        raise ParseError(path, f"malformed CSV: {e} (a quote not closed?)", line=line) from None
    except UnicodeDecodeError as e:
        raise ParseError(path, f"not text ({e.reason}): is it a CSV file?", line=line) from None


def column(header: list[str], *names: str) -> str | None:
    """The first header matching one of names, case-insensitively."""
    folded = {h.casefold(): h for h in reversed(header)}
    return next((folded[n.casefold()] for n in names if n.casefold() in folded), None)


def ris_records(path: Path) -> Iterator[Citation]:
    """The RIS records of a file, through metasift's own RIS reader (its errors carry lines)."""
    records: Iterator[Citation] = reader("ris").read(SourceFile.open(path))
    return records


def ris_notes(citation: Citation) -> list[str]:
    """The N1 (notes) values of an RIS record, from its raw text."""
    return [line[6:].strip() for line in citation.raw.splitlines() if line.startswith("N1  -")]
