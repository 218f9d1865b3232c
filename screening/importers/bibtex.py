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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
    text: str  # from "@" to the closing brace, verbatim

    @property
    def body(self) -> str:
        return self.text[_START.match(self.text).end() : -1]  # type: ignore[union-attr]


def _where(source: SourceFile, entry: _Entry) -> Fail:
    """Errors inside the entry name the line they are on."""

    def fail(message: str, offset: int) -> ParseError:
        head = _START.match(entry.text).end()  # type: ignore[union-attr]
        line = entry.line + entry.text.count("\n", 0, head + offset)
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
                entry = _Entry(match.group(1).lower(), number, "")
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


def _citation(entry: _Entry, key: str | None, fields: dict[str, list[str]]) -> Citation:
    def raw(name: str) -> str | None:
        values = fields.get(name)
        return values[0] if values else None

    def text(*names: str) -> str | None:
        for name in names:
            value = raw(name)
            if value is not None and (converted := clean(latex_to_text(value))):
                return converted
        return None

    kind = _RECORD_TYPES.get(entry.kind)
    abstract, sections = abstract_parts(latex_to_text(raw("abstract") or ""))
    author_keywords = split_keywords(text("author_keywords"))
    keywords = split_keywords(text("keywords"))
    urls = clean_list(
        u for name in ("url", "urls") for v in fields.get(name, []) for u in verbatim(v).split()
    )
    journal = text("journal", "journaltitle") or (text("booktitle") if kind in _CONTAINED else None)
    pmid = normalise_pmid(text("pmid"))
    if pmid is None and (text("eprinttype") or "").lower() == "pubmed":
        pmid = normalise_pmid(text("eprint"))
    extra = _extra(entry, key, text, raw, keywords if author_keywords else [])
    return Citation(
        raw=entry.text,
        line=entry.line,
        title=text("title"),
        abstract=abstract,
        sections=sections,
        authors=_names(raw("author")),
        year=parse_year(text("year", "date")),
        journal=journal,
        journal_abbrev=text("abbrev_source_title", "journal_abbrev", "shortjournal", "journal-iso"),
        volume=text("volume"),
        issue=text("number", "issue"),
        pages=clean(latex_to_text(raw("pages") or "", pages=True)) or _article_number(text),
        doi=normalise_doi(verbatim(raw("doi") or "")),
        pmid=pmid,
        pmcid=normalise_pmcid(text("pmcid")),
        issn=normalise_issn(text("issn")),
        language=normalise_language(text("language", "langid")),
        publication_types=split_keywords(text("document_type", "type", "pubtype")),
        mesh_terms=split_keywords(text("mesh")),
        keywords=author_keywords or keywords,
        urls=urls,
        record_type=kind,
        source_record_id=_scopus_eid(raw("eid"), urls) or key,
        extra=extra,
    )


def _extra(
    entry: _Entry,
    key: str | None,
    text: Callable[..., str | None],
    raw: Callable[[str], str | None],
    index: list[str],
) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "bibtex_key": key,
        "database": text("source"),
        "index_keywords": index,
        "publisher": text("publisher"),
        "isbn": text("isbn"),
        "editors": _names(raw("editor")),
    }
    if _RECORD_TYPES.get(entry.kind) in _CONTAINED and not text("journal", "journaltitle"):
        extra["booktitle"] = text("booktitle")
    return {k: v for k, v in extra.items() if v}


def _article_number(text: Callable[..., str | None]) -> str | None:
    """Scopus's art_number, or biblatex's eid unless it is a Scopus EID."""
    eid = text("eid")
    return text("art_number") or (eid if eid and not _EID.search(eid) else None)


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
    return clean_list(names)


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
