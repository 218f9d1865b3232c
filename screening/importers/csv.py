"""CSV exports: Embase.com, PubMed ("Save > CSV"), Scopus, and any sheet with a title column.

The file is read with Python's csv module over the decoded text, so quoted cells may hold
commas, quotes and line breaks (Embase puts blank lines inside abstracts). The delimiter
(comma, semicolon or tab) is the one that splits the header line into the most columns.

Columns are found by their header, case-insensitively, through FIELD_ALIASES ("Title",
"Source title", "PubMed ID", ...); ``read(source, columns={"title": "Headline"})`` (the
CLI's ``--column title=Headline``) names a column for a field and wins over the aliases.
A ``record_id`` or ``id`` column is the source's own record id (source_record_id). Known
exports get a little more from screening.importers.csv_profiles: Embase's "Source" cell and
OpenURL link, PubMed's "Citation" cell, Scopus's EID and its extra "Funding Text" cells.

raw is the row as a JSON object {header: cell}: a CSV line means nothing without its
header, and a row can span several lines. line is the row's first line. Lines may end in
CRLF, LF or a lone CR (old Mac exports).

A CSV file has no end marker, so a file cut short mostly reads as a shorter whole file. Two
cuts show, and in both the whole rows are imported and the import warns with the line where
the file was cut, leaving the cut row out: the file ends without a line break inside a
quoted cell (with a line break, the quote is a stray one: an error), or it ends without one
in a last row that has fewer cells than the header while every row before it had them all
(exports that drop trailing empty cells do so on many rows, so they are not mistaken for a
cut).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import csv_profiles, search_preamble
from screening.importers.textfile import SourceFile
from screening.normalise import (
    abstract_parts,
    clean,
    clean_list,
    expand_pages,
    join_pages,
    normalise_doi,
    normalise_issn,
    normalise_language,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
    record_type,
    split_authors,
    split_keywords,
)

NAME = "csv"

# field -> header names that hold it (lower case), first match wins
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "primary_title", "article title", "document title", "ti"),
    "abstract": ("abstract", "abstract note", "ab"),
    "authors": ("authors", "author", "author names", "author(s)", "au"),
    "year": ("year", "publication_year", "publication year", "pubyear", "py", "date"),
    "journal": (
        "journal", "journal/book", "source title", "secondary_title", "journal title",
        "publication title", "journal_name", "so", "t2",
    ),
    "journal_abbrev": (
        "journal_abbrev", "abbreviated source title", "journal abbreviation", "j2", "ji",
    ),
    "volume": ("volume", "vl", "vol"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page", "pg"),
    "page_start": ("page start", "start page", "bp", "sp"),
    "page_end": ("page end", "end page", "ep"),
    "article_number": ("art. no.", "article number", "ar"),
    "doi": ("doi", "do"),
    "pmid": ("pmid", "pubmed id", "pubmed_id", "pm"),
    "pmcid": ("pmcid",),
    "issn": ("issn", "sn"),
    "language": ("language", "language of original document", "la"),
    "keywords": ("keywords", "keyword", "author keywords", "kw", "de"),
    "mesh_terms": ("mesh_terms", "mesh terms", "mesh", "mh"),
    "urls": ("urls", "url", "link", "ur"),
    "publication_types": (
        "publication_types", "publication type", "document type", "pt", "type",
    ),
    "record_type": ("record_type",),
    "source_record_id": ("source_record_id", "record_id", "id", "eid", "accession number"),
    "publisher": ("publisher", "pb"),
    "index_keywords": ("index keywords",),
    "original_title": ("original title",),
}  # fmt: skip
_EXTRA_FIELDS = ("publisher", "index_keywords", "original_title")
_DELIMITERS = (",", ";", "\t")
_FIELD_LIMIT = 1 << 24  # Scopus "References" cells pass the csv module's default 128 KiB
_LINE_END = re.compile(r"\r\n|\r|\n")


def sniff(head: str) -> bool:
    """A delimited header of two or more columns, one of them a title column (below the
    search an Embase.com export starts with)."""
    cells = _split_header(_header_line(head))
    titles = FIELD_ALIASES["title"]
    return len(cells) >= 2 and any(c.strip().lower() in titles for c in cells)


def read(
    source: SourceFile, columns: dict[str, str] | None = None, **options: object
) -> Iterator[Citation]:
    """Stream one Citation per row; ParseError for a row that does not fit the header."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    delimiter = _delimiter(_header_line(source.head()))
    with io.TextIOWrapper(source.binary(), encoding=source.encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        whole = partial(_whole_rows, source, reader)
        yield from citations_from_rows(source, _rows(source, reader), columns, whole)


def search_query(source: SourceFile, **options: object) -> str | None:
    """The search an Embase.com export names above its header, else None."""
    first = _LINE_END.split(source.head(), maxsplit=1)[0]
    return search_preamble.query_of(_split(first.lstrip("\ufeff"), ","))


def citations_from_rows(
    source: SourceFile,
    rows: Iterator[tuple[int, list[str]]],
    columns: dict[str, str] | None,
    whole: Callable[[Iterator[tuple[int, list[str]]], int], Iterator[tuple[int, list[str]]]]
    | None = None,
) -> Iterator[Citation]:
    """One Citation per row after the header (the first row past any search preamble),
    for CSV and XLSX alike; rows are (line or row number, cells). whole(rows, header width)
    leaves out a last row cut short (CSV's _whole_rows)."""
    rows = search_preamble.skip_preamble(rows)
    header = next(rows, (0, None))[1]
    if header is None:
        return
    if whole is not None:
        rows = whole(rows, len(header))
    header = [h.lstrip("\ufeff").strip() for h in header]
    fields = _columns(source, header, columns or {})
    profile = csv_profiles.detect(header)
    for number, cells in rows:
        row_header = _fit(source, number, header, cells, profile.widen)
        named = _named(row_header, cells)
        citation = _citation(named, fields, number)
        profile.adjust(named, citation)
        yield citation


def _rows(source: SourceFile, reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) for every row that is not blank, csv errors as ParseErrors."""
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            if str(e) == "unexpected end of data" and not source.ends_with_line_break():
                where = f"inside a quoted cell of the row from line {start}"
                source.warn(_cut(where), line=reader.line_num)
                return
            raise ParseError(
                source.path, f"malformed CSV: {e} (a quote not closed?)", line=start
            ) from None
        if any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def _whole_rows(
    source: SourceFile, reader: Any, rows: Iterator[tuple[int, list[str]]], width: int
) -> Iterator[tuple[int, list[str]]]:
    """The rows, the last one held back until it is known not to be cut short: no line
    break after it, and fewer cells than the header after rows that all had them."""
    last: tuple[int, list[str]] | None = None
    earlier = full = 0
    for row in rows:
        if last is not None:
            earlier += 1
            full += len(last[1]) >= width
            yield last
        last = row
    if last is None:
        return
    short = len(last[1]) < width and earlier and full == earlier
    if short and not source.ends_with_line_break():
        found = f"in the row from line {last[0]} ({len(last[1])} of {width} cells)"
        source.warn(_cut(found), line=reader.line_num)
        return
    yield last


def _cut(where: str) -> str:
    return f"the file ends {where}: the export was cut short; that row was left out"


def _header_line(head: str) -> str:
    """The header's line, whatever the line ends (lone CRs included)."""
    return search_preamble.header_line(_LINE_END.sub("\n", head))


def _split_header(line: str) -> list[str]:
    return _split(line, _delimiter(line))


def _delimiter(line: str) -> str:
    """The delimiter that splits the header into the most columns (comma on a tie)."""
    counts = {d: len(_split(line, d)) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: counts[d])


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a stray line-end character (U+2028, ...) in the header
        return []


def _columns(source: SourceFile, header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """field -> the header name that holds it."""
    names: dict[str, str] = {}
    for name in header:
        names.setdefault(name.lower(), name)
    fields = {}
    for field, aliases in FIELD_ALIASES.items():
        found = next((names[a] for a in aliases if a in names), None)
        if found is not None:
            fields[field] = found
    listed = "; ".join(repr(h) for h in header)
    for field, column in mapping.items():
        if field not in FIELD_ALIASES:
            raise ParseError(
                source.path, f"cannot map {field!r}; fields are: {', '.join(FIELD_ALIASES)}"
            )
        if column.lower() not in names:
            raise ParseError(
                source.path, f"no column {column!r} for {field}; columns are: {listed}", line=1
            )
        fields[field] = names[column.lower()]
    if "title" not in fields:
        raise ParseError(
            source.path,
            f"no title column; columns are: {listed}; map one with --column title=NAME",
            line=1,
        )
    return fields


def _fit(
    source: SourceFile,
    number: int,
    header: list[str],
    cells: list[str],
    widen: Callable[[list[str], list[str]], list[str] | None],
) -> list[str]:
    """The header for this row: short rows are fine, long ones only if nothing is lost."""
    if len(cells) <= len(header):
        return header
    if not any(c.strip() for c in cells[len(header) :]):
        return header  # trailing empty cells, as spreadsheets write them
    widened = widen(header, cells)
    if widened is not None:
        return widened
    raise ParseError(
        source.path,
        f"this row has {len(cells)} cells but the header has {len(header)} columns "
        "(an unquoted delimiter inside a cell?)",
        line=number,
    )


def _named(header: list[str], cells: list[str]) -> dict[str, str]:
    """{header: cell}; a repeated header gets " (2)", " (3)" ...; missing cells are ""."""
    named: dict[str, str] = {}
    for i, name in enumerate(header):
        key, n = name, 1
        while key in named:
            n += 1
            key = f"{name} ({n})"
        named[key] = cells[i] if i < len(cells) else ""
    return named


def _citation(named: dict[str, str], fields: dict[str, str], line: int) -> Citation:
    def cell(field: str) -> str | None:
        column = fields.get(field)
        return named.get(column) if column else None

    def text(field: str) -> str | None:
        return clean(cell(field))

    abstract, sections = abstract_parts(cell("abstract"))
    publication_types = split_keywords(cell("publication_types"))
    extra: dict[str, Any] = {name: text(name) for name in _EXTRA_FIELDS}
    extra["index_keywords"] = split_keywords(cell("index_keywords"))
    return Citation(
        raw=json.dumps(named, ensure_ascii=False),
        line=line,
        title=text("title"),
        abstract=abstract,
        sections=sections,
        authors=split_authors(cell("authors")),
        year=parse_year(text("year")),
        journal=text("journal"),
        journal_abbrev=text("journal_abbrev"),
        volume=text("volume"),
        issue=text("issue"),
        pages=expand_pages(text("pages"))
        or join_pages(cell("page_start"), cell("page_end"))
        or text("article_number"),
        doi=normalise_doi(text("doi")),
        pmid=normalise_pmid(text("pmid")),
        pmcid=normalise_pmcid(text("pmcid")),
        issn=normalise_issn(text("issn")),
        language=normalise_language(text("language")),
        publication_types=publication_types,
        mesh_terms=split_keywords(cell("mesh_terms")),
        keywords=split_keywords(cell("keywords")),
        urls=clean_list((cell("urls") or "").replace(";", " ").split()),
        record_type=text("record_type") or record_type(publication_types),
        source_record_id=text("source_record_id"),
        extra={k: v for k, v in extra.items() if v},
    )
