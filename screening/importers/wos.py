"""Web of Science plain text ("Other reference software" / "Plain text" export, .txt or .ciw).

The file opens with ``FN`` and ``VR`` header lines; each record is a run of lines with a
two-character tag at column 0, a space and the value, continued on lines indented by three
spaces, and closed by ``ER``; ``EF`` ends the file. Several exports pasted together (FN/VR/EF
again between records) read as one.

``citation_from_tags`` maps WoS field tags to a Citation; the tab-delimited reader (wos_tab.py)
uses it too, so both exports agree field for field. Keywords Plus (``ID``) are WoS-made terms
taken from the titles of cited papers, not the authors' keywords, so they go to
``extra["keywords_plus"]`` and ``keywords`` holds only the author keywords (``DE``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from db.errors import ParseError
from screening.citation import Citation, Section
from screening.importers.tagged import starred_headings
from screening.importers.textfile import SourceFile
from screening.normalise import (
    author_list,
    clean,
    clean_list,
    join_pages,
    normalise_doi,
    normalise_language,
    normalise_pmid,
    paragraphs_abstract,
    parse_year,
)

NAME = "wos"

_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?$")
_FILE_TAGS = frozenset({"FN", "VR", "EF"})
# Name tags: each continuation line is another person (or group); in the tab-delimited export
# the same names are separated by "; ".
_NAME_TAGS = ("AF", "AU", "CA")
# MH separates headings by ". " (a heading's qualifiers by " / " and "; ")
_MESH_SPLIT = re.compile(r"\.\s+(?=\*?[A-Z])|\.$")
_RECORD_TYPES = {"J": "article", "B": "book", "S": "book series", "P": "patent"}
# A structured-abstract label opening a paragraph: "Methodology/Principal Findings: ..."
_PARAGRAPH_LABEL = re.compile(r"([A-Z][A-Za-z]*(?:[ /&-][A-Za-z]+){0,4}):\s+(\S.*)")


def sniff(head: str) -> bool:
    """An FN line followed by a VR line, or a file that opens with a "PT J"-style record."""
    lines = [line.rstrip("\r") for line in head.lstrip("\ufeff").split("\n", 4)[:4]]
    lines = [line for line in lines if line.strip()]
    if len(lines) < 2:
        return False
    if lines[0].startswith("FN ") and lines[1].startswith("VR "):
        return True
    return re.fullmatch(r"PT [A-Z]", lines[0]) is not None and _TAG.match(lines[1]) is not None


@dataclass
class _Record:
    """The lines of one record as they are read."""

    start: int
    raw: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    last: str = ""

    def add(self, tag: str, value: str) -> None:
        self.tags.setdefault(tag, []).append(value)
        self.last = tag

    def citation(self) -> Citation:
        return citation_from_tags(self.tags, raw="\n".join(self.raw), line=self.start)


def read(source: SourceFile, **options: object) -> Iterator[Citation]:
    """Stream the records; ParseError for a record without ER or a line that fits no pattern."""
    record: _Record | None = None
    for number, line in source.lines():
        if number == 1:
            line = line.lstrip("\ufeff")
        text = line.rstrip()
        if record is None:
            record = _open_record(source, number, line, text)
            continue
        record.raw.append(line)
        if text == "ER":
            yield record.citation()
            record = None
        elif line.startswith("   "):
            if text:
                record.tags[record.last].append(text.strip())
        elif text:
            _add_tag_line(source, record, number, text)
    if record is not None:
        raise ParseError(
            source.path,
            "the record starting here is not closed by ER before the end of the file",
            line=record.start,
        )


def _open_record(source: SourceFile, number: int, line: str, text: str) -> _Record | None:
    """A record starts at the first tag line after ER; file headers and blank lines are skipped."""
    if not text:
        return None
    match = _TAG.match(text)
    if match is None:
        raise ParseError(
            source.path,
            f"expected a tagged line (two-letter tag, space, value), found {text[:60]!r}",
            line=number,
        )
    if match.group(1) in _FILE_TAGS:
        return None
    record = _Record(number, [line])
    record.add(match.group(1), match.group(2) or "")
    return record


def _add_tag_line(source: SourceFile, record: _Record, number: int, text: str) -> None:
    match = _TAG.match(text)
    if match is None:
        raise ParseError(
            source.path,
            "neither a tagged line nor a continuation indented by three spaces: "
            f"{text[:60]!r} (in the record starting at line {record.start})",
            line=number,
        )
    tag = match.group(1)
    if tag == "PT" or tag in _FILE_TAGS:
        raise ParseError(
            source.path,
            f"the record starting here has no ER line before the {tag} line at {number}",
            line=record.start,
        )
    record.add(tag, match.group(2) or "")


def citation_from_tags(tags: Mapping[str, list[str]], *, raw: str, line: int) -> Citation:
    """A Citation from WoS tags: {tag: [first line, continuation lines...]} (plain text)
    or {tag: [cell]} (tab-delimited)."""

    def text(tag: str) -> str | None:
        return clean(" ".join(tags.get(tag, [])))

    publication_types = _split(text("DT"))
    abstract, sections = _abstract(tags.get("AB", []))
    article = _article_number(text("AR"))
    # an end page of "+" means WoS does not know it
    pages = join_pages(text("BP"), (text("EP") or "").rstrip("+"))
    # MEDLINE on the WoS platform: ID holds the author keywords, MH the MeSH headings
    medline = (text("UT") or "").upper().startswith("MEDLINE:")
    mesh, major = _mesh(text("MH"))
    return Citation(
        raw=raw,
        line=line,
        title=text("TI"),
        abstract=abstract,
        sections=sections,
        authors=_authors(tags),
        year=_year(text),
        journal=text("SO"),
        journal_abbrev=text("JI") or text("J9"),
        volume=text("VL"),
        issue=text("IS"),
        pages=pages or article,
        doi=normalise_doi(text("DI")),
        pmid=normalise_pmid(text("PM")) or _medline_pmid(text("UT")),
        issn=text("SN") or text("EI"),
        language=normalise_language(text("LA")),
        publication_types=publication_types,
        mesh_terms=mesh,
        keywords=_split(text("DE")) or (_split(text("ID")) if medline else []),
        record_type=_record_type(text("PT"), publication_types),
        source_record_id=text("UT"),
        extra=_extra(text, pages, article, medline) | ({"mesh_major": major} if major else {}),
    )


def _extra(
    text: Callable[[str], str | None], pages: str | None, article: str | None, medline: bool
) -> dict[str, Any]:
    """Keywords Plus, the eISSN beside a print ISSN, the ISBN, and the article number of a
    record that also has pages."""
    extra = {
        "keywords_plus": _split(text("ID")) if not medline else None,
        "eissn": text("EI") if text("SN") else None,
        "isbn": text("BN"),
        "article_number": article if pages else None,
    }
    return {key: value for key, value in extra.items() if value}


def _split(value: str | None) -> list[str]:
    return clean_list(value.split(";")) if value else []


def _authors(tags: Mapping[str, list[str]]) -> list[str]:
    """Full names (AF) where given, else the short ones (AU), then group authors (CA)."""
    people = tags.get("AF") or tags.get("AU") or []
    values = [*people, *tags.get("CA", [])]
    return author_list(name for value in values for name in value.split(";"))


def _year(text: Callable[[str], str | None]) -> int | None:
    """The publication year; for an Early Access record not yet in an issue, the year it went
    online (EA, its date, or EY, the year alone)."""
    for tag in ("PY", "EA", "EY", "PD"):
        year = parse_year(text(tag))
        if year:
            return year
    return None


def _mesh(value: str | None) -> tuple[list[str], list[str]]:
    """(headings, major headings) from WoS's MH cell, "Birds / *physiology. *Ecosystem. ...",
    written as MEDLINE writes them ("Birds/*physiology"), so both sources give the same terms."""
    if not value:
        return [], []
    headings = [h.replace(" / ", "/").replace("; ", "/") for h in _MESH_SPLIT.split(value)]
    return starred_headings(headings)


def _article_number(value: str | None) -> str | None:
    # WoS marks some article numbers it could not verify with "UNSP "
    return clean(value.removeprefix("UNSP ")) if value else None


def _medline_pmid(ut: str | None) -> str | None:
    """Records from MEDLINE inside WoS carry their PMID in the accession number."""
    if ut and ut.upper().startswith("MEDLINE:"):
        return normalise_pmid(ut.split(":", 1)[1])
    return None


def _record_type(pt: str | None, publication_types: list[str]) -> str | None:
    kinds = {t.lower() for t in publication_types}
    if "proceedings paper" in kinds:
        return "conference paper"
    if "meeting abstract" in kinds:
        return "conference abstract"
    if pt in ("B", "S") and "book" not in kinds:
        return "book chapter"
    return _RECORD_TYPES.get(pt or "")


def _abstract(lines: list[str]) -> tuple[str | None, list[Section]]:
    """The abstract and its sections from the AB lines.

    Older exports wrap AB at about 70 characters, so its lines join with spaces. Newer ones
    give one paragraph per line, a label either alone on a line ("Background") or opening
    the paragraph ("Background: ..."); those paragraphs become sections.
    """
    paragraphs = [p for p in (clean(value) for value in lines) if p]
    if paragraphs and all(40 <= len(p) <= 80 for p in paragraphs[:-1]):
        paragraphs = [" ".join(paragraphs)]  # wrapped lines of one paragraph
    return paragraphs_abstract(paragraphs, _paragraph_sections)


def _paragraph_sections(paragraphs: list[str]) -> list[Section]:
    sections: list[Section] = []
    label: str | None = None
    for i, paragraph in enumerate(paragraphs):
        if label is None and i < len(paragraphs) - 1 and _is_heading(paragraph):
            label = paragraph.rstrip(":")
            continue
        match = _PARAGRAPH_LABEL.fullmatch(paragraph) if label is None else None
        if match:
            label, paragraph = match.group(1), match.group(2)
        sections.append(Section(label, paragraph))
        label = None
    return sections


def _is_heading(paragraph: str) -> bool:
    """A short line with no sentence end: "Methods", "Methodology/Principal findings"."""
    return (
        len(paragraph) <= 60
        and len(paragraph.split()) <= 6
        and paragraph[0].isupper()
        and paragraph[-1] not in ".!?;,"
    )
