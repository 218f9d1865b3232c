"""BibTeX (.bib) files: Scopus, Zotero, JabRef, Mendeley and hand-kept ones.

A hand-written reader, streamed entry by entry: the file is scanned line by line for
``@type{`` (or ``@type(``), the entry is gathered until its braces balance, then parsed:
``key, name = value, ...`` where a value is ``{...}`` with nested braces, ``"..."``, a
number or a macro, joined with ``#``. ``@string`` macros (and the standard ``jan``..``dec``)
are expanded; ``@comment`` and ``@preamble`` are skipped, as is any text between entries
(lines starting with "%" there are comments even when they quote an entry).
Values are LaTeX: screening.importers.latex turns them into Unicode text.

Mapping to Citation:
- authors split on " and " outside braces; "Given Surname" becomes "Surname, Given",
  a braced name ("{World Health Organization}") is kept whole;
- keywords are author_keywords (Scopus) or keywords; when both exist, keywords holds
  Scopus's index terms and goes to extra["index_keywords"] (as WoS's Keywords Plus do);
- journal is journal (or journaltitle), else booktitle for papers in a book or proceedings;
- pages falls back on the article number (Scopus's art_number, biblatex's eid); every dash
  run in pages becomes "-";
- record_type comes from the entry type (inproceedings -> "conference paper" ...);
- source_record_id is the Scopus EID (an eid field or the eid= in a Scopus URL) when there
  is one. The citation key is only the exporting program's label, so it is kept in
  extra["bibtex_key"] and is the source_record_id only when nothing better exists;
- extra["database"] is the source field ("Scopus"), so the import names the database.

raw is the entry from its "@" to its closing brace; line is the line of the "@".

A file cut short: an entry's braces are its end marker, so a file that ends inside an entry
is refused with the entry's line ("never closed"); a cut between two entries cannot be seen.

Why not bibtexparser 2.1.0 with pylatexenc 2.11 (benchmarks/library_readers.py: this module's
mapping on top of both, on the Scopus fixture, the malformed inputs of the tests, and 10,000
entries made by repeating the fixture's three under distinct keys). The library reading lost
data a review needs and was slower:
- 70 of 72 Citation fields equal on the fixture, and only after working around the library
  refusing Li2020 (funding_details twice: a DuplicateFieldKeyBlock, whose values keep their
  braces). pylatexenc reads Scopus's unescaped "%" as a LaTeX comment, cutting Cao2020's
  abstract at "85.58" (593 characters lost), and drops the unescaped "&" in Li2020's;
- "#" concatenation is left as written: "jnl # Reviews" (bibtexparser issue #396);
- of the four malformed inputs, an entry never closed and a missing "}" are reported at the
  same line; one "}" too many and a missing "," pass silently, the latter with a wrong title
  ("One year = 2019") and no year;
- 10,000 entries (30.9 MB): ours 2.4 s, the library 59.5 s (24x); apart, its syntax was 4x
  slower and pylatexenc 150x;
- it reads the whole file into memory, where every importer here streams.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from db.errors import ParseError
from screening.citation import Citation
from screening.importers.bibtex_syntax import MONTHS, Fail, parse_entry
from screening.importers.latex import latex_to_text, verbatim
from screening.importers.textfile import SourceFile
from screening.normalise import (
    abstract_parts,
    author_list,
    clean,
    clean_list,
    normalise_doi,
    normalise_issn,
    normalise_language,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
    split_keywords,
    surname_first,
)

NAME = "bibtex"

_START = re.compile(r"@\s*([A-Za-z][\w-]*)\s*([{(])")
_ENTRY_LINE = re.compile(r"\s*@\s*[A-Za-z][\w-]*\s*[{(]")
_BRACES = {"{": re.compile(r"[\\{}]"), "(": re.compile(r'[\\{}()"]')}
_OTHER_FORMAT = re.compile(r"[A-Z][A-Z0-9]{1,3}\s*-|<|\w+\t")
_SKIPPED = {"comment", "preamble"}
_EID = re.compile(r"2-s2\.0-\d+")
_RECORD_TYPES = {
    "article": "article",
    "book": "book",
    "booklet": "book",
    "inbook": "book chapter",
    "incollection": "book chapter",
    "inproceedings": "conference paper",
    "conference": "conference paper",
    "proceedings": "conference proceedings",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "unpublished": "unpublished",
    "online": "web page",
    "electronic": "web page",
}
_CONTAINED = {"book chapter", "conference paper"}  # their booktitle is the "journal"


def sniff(head: str) -> bool:
    """The first line that is not blank or a % comment opens an entry: "@article{".

    A few lines of free text may come first (Mendeley writes a notice), as long as they do
    not look like another format's tags.
    """
    seen = 0
    for line in head.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        if _ENTRY_LINE.match(stripped):
            return True
        seen += 1
        if seen > 5 or _OTHER_FORMAT.match(stripped):
            return False
    return False


def read(source: SourceFile, **options: object) -> Iterator[Citation]:
    """Stream one Citation per entry; ParseError for an entry whose braces never close."""
    macros = dict(MONTHS)
    for entry in _entries(source):
        if entry.kind in _SKIPPED:
            continue
        parsed = parse_entry(entry.body, entry.kind, macros, _where(source, entry))
        if entry.kind == "string":
            macros.update(parsed.fields_first())
            continue
        yield _citation(entry, parsed.key, parsed.fields)


@dataclass
class _Entry:
    kind: str  # the entry type, lower case
    line: int  # the line of its "@"
    head: int  # the length of its opening, "@type{"
    text: str = ""  # from "@" to the closing brace, verbatim

    @property
    def body(self) -> str:
        return self.text[self.head : -1]


def _where(source: SourceFile, entry: _Entry) -> Fail:
    """Errors inside the entry name the line they are on."""

    def fail(message: str, offset: int) -> ParseError:
        line = entry.line + entry.text.count("\n", 0, entry.head + offset)
        return ParseError(source.path, message, line=line)

    return fail


class _Scanner:
    """Finds where an entry ends: its opening brace (or parenthesis) balanced again."""

    def __init__(self, opener: str) -> None:
        self.closer = "}" if opener == "{" else ")"
        self.tokens = _BRACES[opener]
        self.depth = 0
        self.quoted = False

    def feed(self, line: str, pos: int) -> int | None:
        """The index just past the closing delimiter, or None if the entry goes on."""
        while match := self.tokens.search(line, pos):
            token = match.group(0)
            pos = match.end() + (token == "\\")  # \{ and \} do not count
            if token == "{":
                self.depth += 1
            elif token == "}":
                if self.depth == 0 and self.closer == "}":
                    return match.end()
                self.depth -= 1
            elif self.depth == 0 and self.closer == ")":  # quotes matter only at top level
                if token == '"':
                    self.quoted = not self.quoted
                elif token == ")" and not self.quoted:
                    return match.end()
        return None


def _entries(source: SourceFile) -> Iterator[_Entry]:
    entry: _Entry | None = None
    scanner: _Scanner | None = None
    parts: list[str] = []
    for number, line in source.lines():
        pos = 0
        if entry is None and line.lstrip().startswith("%"):
            continue  # a comment line between entries, even if it quotes an entry
        if entry and "@" in line and entry.kind != "comment" and _ENTRY_LINE.match(line):
            raise ParseError(
                source.path,
                f"this @{entry.kind} entry is not closed before the entry on line {number} "
                "(a '}' missing?)",
                line=entry.line,
            )
        while True:
            if entry is None or scanner is None:
                match = _START.search(line, pos)
                _check_outside(source, number, line[pos : match.start() if match else None])
                if match is None:
                    break
                entry = _Entry(match.group(1).lower(), number, match.end() - match.start())
                scanner = _Scanner(match.group(2))
                parts = [line[match.start() : match.end()]]
                pos = match.end()
            end = scanner.feed(line, pos)
            if end is None:
                parts.append(line[pos:] + "\n")
                break
            parts.append(line[pos:end])
            entry.text = "".join(parts)
            yield entry
            entry, scanner, pos = None, None, end
    if entry is not None:
        raise ParseError(
            source.path,
            f"this @{entry.kind} entry is never closed: its braces do not balance",
            line=entry.line,
        )


def _check_outside(source: SourceFile, number: int, text: str) -> None:
    """Text between entries is a comment, but a '}' there means an entry closed too early."""
    if "}" in text.replace("\\}", ""):
        raise ParseError(
            source.path,
            "a '}' outside any entry: the entry before it has one '}' too many",
            line=number,
        )


class _Fields:
    """An entry's fields, as written (LaTeX) or as clean Unicode text."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def raw(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def text(self, *names: str) -> str | None:
        """The first of these fields that has text."""
        for name in names:
            value = self.raw(name)
            if value is not None and (converted := clean(latex_to_text(value))):
                return converted
        return None

    def urls(self) -> list[str]:
        values = self.fields.get("url", []) + self.fields.get("urls", [])
        return clean_list(url for value in values for url in verbatim(value).split())


def _citation(entry: _Entry, key: str | None, fields: dict[str, list[str]]) -> Citation:
    values = _Fields(fields)
    text, raw = values.text, values.raw
    kind = _RECORD_TYPES.get(entry.kind)
    abstract, sections = abstract_parts(latex_to_text(raw("abstract") or ""))
    author_keywords = split_keywords(text("author_keywords"))
    keywords = split_keywords(text("keywords"))
    urls = values.urls()
    return Citation(
        raw=entry.text,
        line=entry.line,
        title=text("title"),
        abstract=abstract,
        sections=sections,
        authors=_names(raw("author")),
        year=parse_year(text("year", "date")),
        journal=text("journal", "journaltitle") or _booktitle(values, kind),
        journal_abbrev=text("abbrev_source_title", "journal_abbrev", "shortjournal", "journal-iso"),
        volume=text("volume"),
        issue=text("number", "issue"),
        pages=clean(latex_to_text(raw("pages") or "", pages=True)) or _article_number(values),
        doi=normalise_doi(verbatim(raw("doi") or "")),
        pmid=_pmid(values),
        pmcid=normalise_pmcid(text("pmcid")),
        issn=normalise_issn(text("issn")),
        language=normalise_language(text("language", "langid")),
        publication_types=split_keywords(text("document_type", "type", "pubtype")),
        mesh_terms=split_keywords(text("mesh")),
        keywords=author_keywords or keywords,
        urls=urls,
        record_type=kind,
        source_record_id=_scopus_eid(raw("eid"), urls) or key,
        extra=_extra(values, kind, key, keywords if author_keywords else []),
    )


def _booktitle(values: _Fields, kind: str | None) -> str | None:
    """A paper in a book or proceedings: its booktitle stands for the journal."""
    return values.text("booktitle") if kind in _CONTAINED else None


def _pmid(values: _Fields) -> str | None:
    """A pmid field, or biblatex's eprint with eprinttype = pubmed."""
    pmid = normalise_pmid(values.text("pmid"))
    if pmid is None and (values.text("eprinttype") or "").lower() == "pubmed":
        pmid = normalise_pmid(values.text("eprint"))
    return pmid


def _extra(values: _Fields, kind: str | None, key: str | None, index: list[str]) -> dict[str, Any]:
    text = values.text
    extra: dict[str, Any] = {
        "bibtex_key": key,
        "database": text("source"),
        "index_keywords": index,
        "publisher": text("publisher"),
        "isbn": text("isbn"),
        "editors": _names(values.raw("editor")),
    }
    if kind in _CONTAINED and not text("journal", "journaltitle"):
        extra["booktitle"] = text("booktitle")
    return {k: v for k, v in extra.items() if v}


def _article_number(values: _Fields) -> str | None:
    """Scopus's art_number, or biblatex's eid unless it is a Scopus EID."""
    eid = values.text("eid")
    return values.text("art_number") or (eid if eid and not _EID.search(eid) else None)


def _scopus_eid(eid: str | None, urls: list[str]) -> str | None:
    """Scopus's record id, "2-s2.0-85079532227", from an eid field or a Scopus record URL."""
    if eid and (found := _EID.search(eid)):
        return found.group(0)
    for url in urls:
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith("scopus.com"):
            found_ids = parse_qs(parts.query).get("eid")
            if found_ids:
                return found_ids[0]
    return None


def _names(value: str | None) -> list[str]:
    """BibTeX's "A and B and others": split outside braces, each name Surname-first."""
    if not value:
        return []
    names = []
    for part in _split_and(value):
        stripped = part.strip()
        if stripped.lower() == "others":
            continue
        if stripped.startswith("{") and stripped.endswith("}") and _one_group(stripped):
            names.append(latex_to_text(stripped))  # a corporate name, kept as written
        else:
            names.append(_surname_given(latex_to_text(stripped)))
    return author_list(names)


def _surname_given(name: str) -> str:
    """ "von Last, Jr, First" -> "von Last, First, Jr"; "First Last" -> "Last, First"."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 3:
        return f"{parts[0]}, {parts[2]}, {parts[1]}"
    return surname_first(name, given_first=True)


def _split_and(value: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"\\.|[{}]|\s+and\s+", value, flags=re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token[0].isspace():
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    return parts


def _one_group(value: str) -> bool:
    """Is "{...}" one brace group (not "{A} and {B}"-like "{A} {B}")?"""
    depth = 0
    for i, ch in enumerate(value):
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and i < len(value) - 1:
            return False
    return True
