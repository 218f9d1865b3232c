"""Ovid tagged exports ("Complete Reference" fields; Citavi, EndNote or Reference Manager format).

Each record opens with its number in angle brackets ("<3001. >" or "<1>"), then tag lines
("TI  - ...": a two-to-four-character tag padded to four, then "- "). Values go on over the
following lines: indented in the Citavi flavour, at column 0 in the EndNote flavour (which
puts each abstract paragraph on its own line). So every untagged line inside a record
continues the field above it, and text before the first record (the search history Ovid can
put at the top) is skipped. This is not RIS: Ovid's RIS export is read by the RIS reader.

Fields: the source line (SO) gives journal, volume, issue, pages and year when the record has
no separate fields for them (Embase: "Journal. 12 (3) (pp 1-9), 2018. ...", MEDLINE:
"Journal. 12(3):1-9, 2018 Mar."); UI (else AN) is the database's accession number, which is
the PMID when the database is Ovid MEDLINE; Emtree or MeSH headings (MH) become mesh_terms
without their '*' major marks (the starred ones are listed again in extra["mesh_major"]); OT
is the original-language title, not keywords; FA full names are preferred over AU, and AU
"Behan L." becomes "Behan, L.".

A file cut short: every record of an export ends with the same field (the last one of the
field selection: CR, cited references, in "Complete Reference"), so a last record that ends
with another field, or with none (a bare "<9. >" line), was cut; it is left out and the
import warns with the line where the file ends (tagged.whole_records). A file of one record
is taken as whole, and a cut inside the last field, or between two records, cannot be seen.
A record number line with no fields after it in the middle of the file makes a record with
neither a title nor an identifier, which the import leaves out with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from db.errors import ParseError
from screening.citation import Citation, Section
from screening.importers.tagged import (
    split_tag,
    starred_headings,
    values_by_tag,
    whole_records,
)
from screening.importers.textfile import SourceFile
from screening.normalise import (
    abstract_text,
    clean,
    clean_list,
    expand_pages,
    normalise_doi,
    normalise_language,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
    split_sections,
    surname_first,
)

NAME = "ovid"

_MARKER = re.compile(r"\s*<\s*(\d+)\s*\.?\s*>\s*")
_EMBASE_SOURCE = re.compile(
    r"(?P<journal>.+?)\.\s+"
    r"(?:Conference:\s*(?P<conference>.+?)\.\s+)?"
    r"(?:(?P<volume>[^\s()]+)\s*)?"
    r"(?:\((?P<issue>[^()]*)\)\s*)?"
    r"\((?:pp\s*(?P<pages>[^()]*?)|no pagination)\),\s*(?P<year>\d{4})"
    r"(?:.*?Article Number:\s*(?P<article>[^\s.]+))?"
)
_MEDLINE_SOURCE = re.compile(
    r"(?P<journal>.+?)\.\s+(?P<volume>[^\s():,]+)?(?:\((?P<issue>[^()]*)\))?"
    r"(?::(?P<pages>[^,]+))?,\s*(?:[A-Za-z]+\.?\s+\d{1,2},\s*)?(?P<year>\d{4})"
)
_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")
_AUTHOR_NOTE = re.compile(r"\s*\[.*$")  # "Walsdorf, Neill B. [Inventor, Reprint Author]"
_TITLE_NOTE = re.compile(r"\s*\[(?:Article|Report|Miscellaneous|References)\]\.?\s*$")
_RECORD_TYPES = [
    ("conference abstract", "conference abstract"),
    ("conference", "conference paper"),
    ("chapter", "book chapter"),
    ("book", "book"),
    ("dissertation", "thesis"),
    ("patent", "patent"),
]
# Embase writes structured-abstract labels in title case: "Background: ... Method(s): ..."
# (found from each ": " backwards, since scanning every position of a long abstract is slow)
_LABEL_COLON = re.compile(r"(?<=[a-z)]):\s")
_TITLE_CASE_LABEL = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))([A-Z][a-z]+(?:\(s\))?(?:\s(?:[A-Za-z]+(?:\(s\))?|&)){0,4})\Z"
)
_LABEL_WORDS = frozenset(
    """background introduction objective aim purpose context importance rationale hypothesis
    design study setting participant patient subject material method methodology intervention
    exposure main primary secondary outcome measure measurement result finding conclusion
    discussion interpretation implication limitation significance summary case presentation
    report description trial registration funding evidence acquisition synthesis data source
    selection extraction review relevance clinical observation key search strategy eligibility
    criteria analysis statistical experimental approach procedure technique goal question scope
    recommendation application learning point expert opinion area covered future research
    practice principal and or of the & in for""".split()
)
_CONNECTORS = frozenset({"and", "or", "of", "the", "&", "in", "for"})


def sniff(head: str) -> bool:
    """The first non-blank line is a record number ("<1. >") or Ovid's "VN" tag line."""
    for line in head.splitlines():
        if line.strip():
            return bool(_MARKER.fullmatch(line)) or line.startswith("VN  - Ovid")
    return False


@dataclass
class _Record:
    start: int
    number: str | None
    lines: list[str] = field(default_factory=list)
    fields: list[list[str]] = field(default_factory=list)

    def has(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.fields)

    def raw(self) -> str:
        lines = list(self.lines)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)


@dataclass
class _Source:
    """What the SO line says, as far as it could be read."""

    journal: str | None = None
    conference: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    year: int | None = None


def read(source: SourceFile, **options: Any) -> Iterator[Citation]:
    """Stream the records; ParseError for a file with none."""
    found = False
    for record in whole_records(_records(source), source):
        found = True
        yield _citation(record)
    if not found:
        raise ParseError(
            source.path,
            "found no Ovid records (a '<1. >' line followed by tag lines such as 'TI  - ...')",
            line=1,
        )


def _records(source: SourceFile) -> Iterator[_Record]:
    record: _Record | None = None
    for number, line in source.lines():
        marker = _MARKER.fullmatch(line)
        tagged = None if marker else split_tag(line)
        if marker or (tagged and (record is None or (tagged[0] == "VN" and record.has("VN")))):
            # a new record: its number line, or a tag line with no number line before it
            if record is not None:
                yield record
            record = _Record(number, marker.group(1) if marker else None)
        if record is None:
            continue  # blank lines and search history before the first record
        record.lines.append(line)
        if tagged:
            record.fields.append(list(tagged))
        elif line.strip() and not marker:
            if not record.fields:
                raise ParseError(
                    source.path,
                    f"expected a tag line such as 'TI  - ...' after the record number at line "
                    f"{record.start}, found {line.strip()[:60]!r}",
                    line=number,
                )
            record.fields[-1][1] += "\n" + line.strip()
    if record is not None:
        yield record


def _citation(record: _Record) -> Citation:
    values = values_by_tag(record.fields)
    text = partial(_text, values)
    so = _parse_source(text("SO"))
    accession = text("UI", "AN")
    sections, abstract = _abstract("\n".join(values.get("AB", [])))
    mesh, major = starred_headings(values.get("MH", []))
    pmid, pmcid = _pubmed_ids(values, text("DB"), accession)
    publication_types = clean_list(values.get("PT", []))
    return Citation(
        raw=record.raw(),
        line=record.start,
        title=_TITLE_NOTE.sub("", text("TI") or "") or None,
        abstract=abstract,
        sections=sections,
        authors=_authors(values),
        year=parse_year(text("YR")) or parse_year(text("DP")) or so.year,
        journal=text("JN", "JT") or so.journal,
        journal_abbrev=text("JA", "TA"),
        volume=text("VO", "VI") or so.volume,
        issue=text("IP") or so.issue,
        pages=_pages(text("PG")) or so.pages,
        doi=_doi(values.get("DO", []) + values.get("DI", [])),
        pmid=pmid,
        pmcid=pmcid,
        issn=_issn(values.get("IS", [])),
        language=_language(values.get("LG", [])),
        publication_types=publication_types,
        mesh_terms=mesh,
        keywords=clean_list(k for v in values.get("KW", []) for k in re.split(r"[;\n]", v)),
        urls=clean_list(values.get("XL", []) + values.get("UR", [])),
        record_type=_record_type(publication_types),
        source_record_id=accession,
        extra=_extra(text, record.number, so.conference, major),
    )


def _text(values: dict[str, list[str]], *tags: str) -> str | None:
    """The values of the first of the tags the record has, joined (None if it has none)."""
    for tag in tags:
        if tag in values:
            return clean(" ".join(values[tag]))
    return None


def _extra(
    text: Callable[[str], str | None],
    number: str | None,
    conference: str | None,
    mesh_major: list[str],
) -> dict[str, Any]:
    """What Ovid gives beyond Citation's fields: the database, the record number, the source
    line and the conference it names, publisher, ISBN, original-language title, and the
    starred (major) headings."""
    extra = {
        "database": text("DB"),
        "ovid_number": number,
        "source": text("SO"),
        "conference": conference,
        "publisher": text("PB"),
        "isbn": text("IB"),
        "original_title": text("OT"),
        "mesh_major": mesh_major,
    }
    return {key: value for key, value in extra.items() if value}


def _language(values: list[str]) -> str | None:
    """LG lines ("English.") as language names."""
    return normalise_language("; ".join(clean_list(v.strip().rstrip(".") for v in values)))


def _parse_source(so: str | None) -> _Source:
    """Journal, volume, issue, pages and year from an Embase or MEDLINE source line."""
    if not so:
        return _Source()
    match = _EMBASE_SOURCE.match(so) or _MEDLINE_SOURCE.match(so)
    if match is None:
        return _Source(year=parse_year(so))
    parts = match.groupdict()
    return _Source(
        journal=clean(parts["journal"]),
        conference=clean(parts.get("conference")),
        volume=clean(parts["volume"]),
        issue=clean(parts["issue"]),
        pages=expand_pages(clean(parts["pages"])) or clean(parts.get("article")),
        year=int(parts["year"]),
    )


def _pages(value: str | None) -> str | None:
    if value and value.lower().startswith("no pagination"):
        return None
    return expand_pages(value)


def _abstract(text: str) -> tuple[list[Section], str | None]:
    """Labelled sections, whether the labels are upper case (MEDLINE) or title case (Embase)."""
    found = split_sections(text) or split_title_case_sections(text)
    sections = [Section(s.label, clean(s.text) or "") for s in found]
    if sections:
        return sections, abstract_text(sections)
    return [], clean(text)


def split_title_case_sections(text: str) -> list[Section]:
    """Sections of an abstract labelled "Background: ... Method(s): ... Result(s): ...".

    A label is up to five words of the usual structured-abstract vocabulary, at the start of
    the text, of a line or of a sentence. Returns [] for fewer than two labels.
    """
    labels = []  # (label start, text start, label)
    for colon in _LABEL_COLON.finditer(text):
        match = _TITLE_CASE_LABEL.search(text, max(0, colon.start() - 80), colon.start())
        if match and _is_label(match.group(1)):
            labels.append((match.start(), colon.end(), match.group(1)))
    if len(labels) < 2:
        return []
    head = text[: labels[0][0]].strip()
    sections = [Section(None, head)] if head else []
    for (_, begin, label), nxt in zip(labels, [*labels[1:], None], strict=True):
        end = nxt[0] if nxt else len(text)
        sections.append(Section(label, text[begin:end].strip()))
    return sections


def _is_label(label: str) -> bool:
    words = [w.lower().replace("(s)", "") for w in label.split()]
    if words[0] in _CONNECTORS:
        return False
    return all(w in _LABEL_WORDS or (w.endswith("s") and w[:-1] in _LABEL_WORDS) for w in words)


def _authors(values: dict[str, list[str]]) -> list[str]:
    """Full names (FA) when the database gives them, else AU turned to "Surname, Initials"."""
    names = values.get("FA") or [
        surname_first(_AUTHOR_NOTE.sub("", a)) for a in values.get("AU", [])
    ]
    return [name for name in map(clean, names) if name]  # no de-duplication: names can repeat


def _pubmed_ids(
    values: dict[str, list[str]], database: str | None, accession: str | None
) -> tuple[str | None, str | None]:
    """PMID from PM/PMID lines, or the accession number of an Ovid MEDLINE record; PMCID."""
    pmid = pmcid = None
    for value in values.get("PM", []) + values.get("PMID", []) + values.get("PMC", []):
        if value.strip().upper().startswith("PMC"):
            pmcid = pmcid or normalise_pmcid(value)
        else:
            pmid = pmid or normalise_pmid(value)
    if pmid is None and database and re.search(r"medline|pubmed", database, re.IGNORECASE):
        pmid = normalise_pmid(accession)
    return pmid, pmcid


def _doi(values: list[str]) -> str | None:
    """The first DOI; Embase gives it as a URL ("http://dx.doi.org/10...")."""
    return next(filter(None, map(normalise_doi, values)), None)


def _issn(values: list[str]) -> str | None:
    for value in values:
        match = _ISSN.search(value)
        if match:
            return match.group(0).upper()
    return None


def _record_type(publication_types: list[str]) -> str | None:
    joined = " ".join(publication_types).lower()
    for key, kind in _RECORD_TYPES:
        if key in joined:
            return kind
    return "article" if publication_types else None
