"""Importing an export file into a review: one source, all its records, or nothing at all.

Each record keeps its own database (db.records): the one it names, else the one the user
gave (--database), else the one its format implies, else the one the file's other records
agree on. The source is named for all of them ("Embase, PubMed" for a mixed file) unless the
user named it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from db.clock import utc_now
from db.errors import ParseError
from db.fts import index_new_records
from db.records import NewRecord, RecordFields, Staging
from db.sources import insert_source, source_by_sha256
from screening.citation import Citation
from screening.control_chars import visible
from screening.importers import detect_format, reader
from screening.importers.textfile import SourceFile
from screening.record_checks import SKIPPED, without_controls, worth_keeping
from screening.rows import citation_fields

# (records read, bytes read, bytes in the file)
Progress = Callable[[int, int, int], None]
# asked (file, format) for the database of a file that names none, before it lands: returns
# the name, or raises MetasiftError to refuse the file
NameDatabase = Callable[[Path, str], str]
BATCH = 2000
HANDOVER = 0.15  # s: longer than SQLite's longest busy-handler sleep (0.1 s) between tries
_T = TypeVar("_T")

# The database a format implies when its records do not say (an RIS DB tag, an Ovid DB field,
# a Web of Science UT prefix).
DEFAULT_DATABASE = {
    "pubmed-xml": "PubMed",
    "medline": "PubMed",
    "wos": "Web of Science",
    "wos-tab": "Web of Science",
    "ovid": "Embase (Ovid)",
}


@dataclass
class ImportSummary:
    path: Path
    format: str
    encoding: str
    database: str
    added: int
    source_id: int
    already_imported: bool = False
    skipped: int = 0  # records with neither a title nor an identifier
    # "file: line N: ..." for what was skipped or cut (the first KEPT_WARNINGS of them)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stage_fields(
    staging: Staging,
    records: Iterable[tuple[RecordFields, str]],
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Stage (rows.citation_fields, raw) pairs in batches, numbering them on from the staged."""
    batch: list[NewRecord] = []
    for position, (fields, raw) in enumerate(records, start=staging.count + 1):
        batch.append(NewRecord(fields, position, raw))
        if len(batch) >= BATCH:
            staging.add(batch)
            batch.clear()
            if on_batch:
                on_batch(staging.count)
    staging.add(batch)


def import_file(
    db: Database,
    path: Path | str,
    *,
    database: str | None = None,
    fmt: str = "auto",
    encoding: str | None = None,
    columns: dict[str, str] | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    name_database: NameDatabase | None = None,
) -> ImportSummary:
    """Import one file as one source. Raises ParseError (one line) and changes nothing on bad
    input; what it went past (records left out, a file cut short) is in the summary's
    warnings. name_database, if given, is asked for the database of a file whose records
    name none and whose format implies none, before anything lands."""
    try:
        return _import(
            db, Path(path), database, fmt, encoding, columns, sheet, progress, name_database
        )
    except ParseError as e:
        raise one_line(e) from None


def _import(
    db: Database,
    path: Path,
    database: str | None,
    fmt: str,
    encoding: str | None,
    columns: dict[str, str] | None,
    sheet: str | None,
    progress: Progress | None,
    name_database: NameDatabase | None = None,
) -> ImportSummary:
    source = SourceFile.open(path, encoding)
    sha256 = file_sha256(path)
    existing = source_by_sha256(db, sha256)
    if existing:
        return _already_imported(path, existing)
    fmt = detect_format(source) if fmt == "auto" else fitting_format(source, fmt)
    total = path.stat().st_size

    def report(n: int) -> None:
        if progress:
            progress(n, source.bytes_read(), total)

    staging = Staging(db)
    try:
        options = _reader_options(fmt, columns, sheet)
        skipped = _stage_file(staging, source, fmt, options, report)
        named = staging.databases()
        name, fallback = _database_names(named, fmt, database)
        if name_database and None in named and fallback == unnamed(fmt):
            name, fallback = _database_names(named, fmt, name_database(path, fmt))
        query = _search_query(source, fmt, options)
        source_id = _land(db, staging, source, fmt, (name, fallback), sha256, query)
        if progress:
            progress(staging.count, total, total)
        summary = ImportSummary(path, fmt, source.encoding, name, staging.count, source_id)
        summary.skipped, summary.warnings = skipped, [str(w) for w in source.warnings]
        summary.warning_count = source.warning_count
        return summary
    finally:
        staging.drop()


def unnamed(fmt: str) -> str:
    """The database of records whose file does not say it and whose format implies none."""
    return f"unnamed {fmt} export"


def file_format(path: Path | str, fmt: str = "auto", encoding: str | None = None) -> str:
    """The format a file would be imported as (ParseError, one line, if none fits)."""
    try:
        source = SourceFile.open(Path(path), encoding)
        return detect_format(source) if fmt == "auto" else fitting_format(source, fmt)
    except ParseError as e:
        raise one_line(e) from None


def fitting_format(source: SourceFile, fmt: str) -> str:
    """The format the user forced, unless the file is plainly another one. --format is for
    files detection cannot name; reading one format's records as another's would merge or
    mangle them (a MEDLINE file read as Ovid is one record)."""
    if reader(fmt).sniff(source.head()):
        return fmt
    try:
        detected = detect_format(source)
    except ParseError:
        return fmt  # nothing recognises it: the user's word stands
    raise ParseError(
        source.path,
        f"this is a {detected} file, not {fmt}: leave out --format (or use --format "
        f"{detected}); nothing was imported",
        line=1,
    )


def one_line(error: ParseError) -> ParseError:
    """The error as one line a terminal shows safely: a parser's message may end in a newline
    or quote the file's control characters."""
    message = visible(" ".join(error.message.split()))
    if message == error.message:
        return error
    return ParseError(error.path, message, line=error.line, record=error.record)


def _already_imported(path: Path, source: dict[str, Any]) -> ImportSummary:
    """The summary of a file whose very bytes an earlier import brought in: nothing added."""
    return ImportSummary(
        path,
        source["format"],
        source["encoding"],
        source["database"],
        0,
        source["id"],
        already_imported=True,
    )


def _stage_file(
    staging: Staging,
    source: SourceFile,
    fmt: str,
    options: dict[str, Any],
    on_batch: Callable[[int], None],
) -> int:
    """Stage every record of the file worth keeping; returns how many were left out.
    Raises ParseError on a file with no records to keep."""
    module = reader(fmt)
    if hasattr(module, "read_fields"):  # built on every core, staged as they come
        pairs = module.read_fields(source, **options)
    else:
        pairs = _citation_fields(module.read(source, **options))
    checked = _RecordChecks(source)
    stage_fields(staging, checked.kept(_checked(pairs, source)), on_batch)
    if not staging.count:
        said = source.warnings[0] if source.warnings else None
        raise ParseError(
            source.path,
            f"no records found in this {fmt} file"
            + (f" ({said.message}, line {said.line})" if said else ""),
        )
    return checked.skipped


def _citation_fields(citations: Iterable[Citation]) -> Iterator[tuple[RecordFields, str]]:
    """(rows.citation_fields, raw) for each citation."""
    for citation in citations:
        yield citation_fields(citation), citation.raw


class _RecordChecks:
    """Every record through record_checks: control characters out, and the records with
    neither a title nor an identifier left out with a warning naming their line."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.skipped = 0

    def kept(
        self, records: Iterable[tuple[RecordFields, str]]
    ) -> Iterator[tuple[RecordFields, str]]:
        for fields, raw in records:
            fields = without_controls(fields)
            if worth_keeping(fields):
                yield fields, raw
            else:
                self.skipped += 1
                self.source.warn(SKIPPED, line=fields.line)


def _reader_options(fmt: str, columns: dict[str, str] | None, sheet: str | None) -> dict[str, Any]:
    """--column for the tabular formats, --sheet for workbooks."""
    options: dict[str, Any] = {"columns": columns} if fmt in ("csv", "xlsx") and columns else {}
    if fmt == "xlsx" and sheet:
        options["sheet"] = sheet
    return options


def _search_query(source: SourceFile, fmt: str, options: dict[str, Any]) -> str | None:
    """The search the file itself names (Embase.com writes it above the header), if any."""
    module = reader(fmt)
    return module.search_query(source, **options) if hasattr(module, "search_query") else None


def _database_names(named: list[str | None], fmt: str, given: str | None) -> tuple[str, str]:
    """(the source's database, the database of its records that name none), from the
    databases the staged records name (None for those that name none): the user's name, else
    the format's, else the one database the others name, else "unnamed <format> export"."""
    databases = [name for name in named if name]
    fallback = given or DEFAULT_DATABASE.get(fmt)
    if fallback is None:
        fallback = databases[0] if len(databases) == 1 else unnamed(fmt)
    if given:
        return given, given
    if None in named and fallback not in databases:
        databases.append(fallback)
    return ", ".join(databases), fallback


def _land(
    db: Database,
    staging: Staging,
    source: SourceFile,
    fmt: str,
    names: tuple[str, str],
    sha256: str,
    query: str | None = None,
) -> int:
    """Insert the source (names: its database, and its records' when they name none) and
    copy its staged records under it, in one transaction; then index them for search, in
    short transactions of their own (db/fts.py), so the one atomic step does not grow."""
    landing = time.monotonic()
    with db.atomic():
        source_id = insert_source(
            db,
            {
                "kind": "file",
                "database": names[0],
                "file_name": source.path.name,
                "sha256": sha256,
                "format": fmt,
                "encoding": source.encoding,
                "imported_at": utc_now(),
                "record_count": staging.count,
                "query": query,
            },
        )
        staging.commit_into(source_id, names[1])
    if time.monotonic() - landing > HANDOVER:  # a writer may have waited: let it go first
        time.sleep(HANDOVER)
    index_new_records(db)
    return source_id


def _checked(items: Iterator[_T], source: SourceFile) -> Iterator[_T]:
    """Turn a decoding failure half-way through a file into a ParseError naming the file."""
    try:
        yield from items
    except UnicodeDecodeError as e:
        raise ParseError(
            source.path,
            f"cannot be read as {source.encoding} ({e.reason}); "
            "re-export it as UTF-8 or pass --encoding",
            line=source.line_of_bad_bytes(),
        ) from None
