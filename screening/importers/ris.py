"""RIS, as Embase, Scopus, Web of Science, Ovid, EBSCO, ProQuest, Zotero and EndNote write it.

A record runs from a "TY  - " line to an "ER  - " line; every other line is a two-character
tag, two spaces, a dash and (usually) a space before the value. The dialects differ in ways the
reader has to forgive:
- Ovid numbers each record ("1." on the line before TY), writes the journal's NLM abbreviation
  ("NL  - ") on the line straight after ER, and adds "Link to the Ovid Full Text" text after
  that: number lines and text between records are skipped; tag lines directly after ER still
  belong to the record (and to its raw text);
- EndNote continues a value on untagged lines (one keyword, affiliation, ISSN or note line
  each): such a line continues the previous tag;
- tag lines need the two spaces ("AB  - "): a one-space variant was never seen in a real file,
  and accepting it would misread EndNote continuation lines such as "UK - based".

Field choices:
- journal is the full title (JF, else T2, JO, or BT beside a TI); journal_abbrev comes from
  JA, J2, JI, J9 or Ovid's NL (else a JO that differs from the journal);
- the PMID is taken only where a dialect really carries it: AN of PubMed records exported by
  EndNote (DP "NLM"), C5 in Embase, C2 in Scopus, "PMID: n" in EBSCO's N1 notes (and in the
  N1 line write_ris writes), or a PubMed link in UR; a C2 of "PMC..." is the PMCID (EndNote);
- source_record_id is AN, else Ovid's ID (EndNote's own short record numbers in ID are
  skipped), else Embase's L-number (U2), else EBSCO's "Accession Number:" note or Scopus's EID;
- pages are SP-EP with short ends written out ("349-69" -> "349-369", as MEDLINE's reader
  does), else the article number in C7 (Scopus, WoS);
- M3 values are publication types, except PsycINFO classification codes ("... [3300]");
- AB paragraphs (repeated AB tags or continuation lines) are kept apart; "Label: text"
  paragraphs become sections, and one paragraph is split with split_sections. EBSCO's
  "Copyright of ... is the property of ..." line is not abstract text (extra["copyright"]);
- authors are AU and A1 ("Liu R." becomes "Liu, R."); ED are editors (extra["editors"]); A2
  stays in extra under its tag, since Ovid PsycINFO fills it with cited authors' surnames;
- MH is read as MeSH terms (not an RIS tag, but the one write_ris uses);
- every tag not mapped to a field is kept in extra under its own name, as a list of values
  (a value's continuation lines joined by "\n").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from db.errors import ParseError
from screening.citation import Citation, Section
from screening.importers.textfile import SourceFile
from screening.normalise import (
    abstract_text,
    clean,
    clean_list,
    expand_pages,
    join_pages,
    normalise_doi,
    normalise_language,
    normalise_pmcid,
    parse_year,
    split_sections,
    surname_first,
)

NAME = "ris"

# RIS reference types -> Citation.record_type; unknown codes are kept lower-cased
RECORD_TYPES = {
    "JOUR": "article",
    "EJOUR": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "edited book",
    "CHAP": "book chapter",
    "ECHAP": "book chapter",
    "CONF": "conference paper",
    "CPAPER": "conference paper",
    "ABST": "abstract",
    "THES": "thesis",
    "RPRT": "report",
    "MGZN": "magazine article",
    "NEWS": "newspaper article",
    "PAT": "patent",
}

_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*))?$")
_URL = re.compile(r"(?:https?|ftp)://\S+$", re.IGNORECASE)
_DOI_URL = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.\d{4,9}/", re.IGNORECASE)
_PUBMED_URL = re.compile(r"ncbi\.nlm\.nih\.gov/(?:pubmed/|)(\d+)/?$", re.IGNORECASE)
_NOTE_PMID = re.compile(r"(?:^|[.;]\s)PMID:\s*(\d+)")
_ACCESSION = re.compile(r"Accession Number:\s*([^\s;]+?)[.;]?(?:\s|$)")
_SCOPUS_EID = re.compile(r"scopus\.com/.*[?&]eid=(2-s2\.0-\d+)")
_ISSN = re.compile(r"(?<![\d-])(\d{4})-?(\d{3}[\dXx])(?![\d-])")
_CLASSIFICATION = re.compile(r".*\[\d+\]$")  # PsycINFO "Health Psychology & Medicine [3360]"
_COPYRIGHT = re.compile(r"Copyright of .+ is the property of ", re.IGNORECASE)
_LABEL = re.compile(r"([A-Z][A-Za-z ,/&()'-]{0,58}[A-Za-z)]):\s+(\S.*)")

_TITLE_TAGS = ("TI", "T1", "CT")
_JOURNAL_TAGS = ("JF", "T2", "JO")
_ABBREV_TAGS = ("JA", "J2", "JI", "J9", "NL")
_URL_TAGS = ("UR", "L1", "L2", "LK")
_DOI_FALLBACK_TAGS = ("L3", "UR", "L2", "L1", "M3")
# mapped to a field whatever their value, so not repeated in extra
_MAPPED = frozenset(
    {"TY", "ER", "AU", "A1", "ED", "PY", "Y1", "VL", "IS", "SP", "EP"}
    | {"DO", "LA", "KW", "MH", "DB"}
)


def sniff(head: str) -> bool:
    """One of the first 50 non-blank lines starts with "TY  -"."""
    lines = [line for line in head.lstrip("\ufeff").splitlines() if line.strip()]
    return any(line.startswith("TY  -") for line in lines[:50])


@dataclass
class _Record:
    """One record's lines, and its (tag, [value line, continuation lines...]) in file order."""

    start: int
    raw: list[str] = field(default_factory=list)
    fields: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, line: str, tag: str, value: str) -> None:
        self.raw.append(line)
        self.fields.append((tag, [value]))


class _Reader:
    """The line-by-line state: inside a record, or between ER and the next TY."""

    def __init__(self, source: SourceFile) -> None:
        self.path = source.path
        self.record: _Record | None = None  # open: TY seen, no ER yet
        self.closed: _Record | None = None  # ER seen; Ovid may still add tag lines
        self.trailing = False  # the lines since ER have all been tag lines

    def feed(self, number: int, line: str) -> Citation | None:
        match = _TAG.match(line.rstrip())
        if self.record is not None:
            self._inside(number, line, match)
            return None
        if match is None:
            self.trailing = False  # blank line, Ovid's "1." or link text: skipped
            return None
        tag, value = match.group(1), match.group(2) or ""
        if tag == "TY":
            done, self.closed = self.closed, None
            self.record = _Record(number)
            self.record.add(line, tag, value)
            return _citation(done) if done else None
        if self.closed is not None and self.trailing and tag != "ER":
            self.closed.add(line, tag, value)
            return None
        where = "before the first TY line" if self.closed is None else "between ER and TY"
        raise ParseError(
            self.path,
            f"{tag!r} tag line {where}: every RIS record starts with 'TY  - '",
            line=number,
        )

    def _inside(self, number: int, line: str, match: re.Match[str] | None) -> None:
        record = self.record
        assert record is not None
        if match is None:
            record.raw.append(line)
            if line.strip():  # EndNote: an untagged line continues the previous tag
                record.fields[-1][1].append(line.strip())
            return
        tag = match.group(1)
        if tag == "TY":
            raise ParseError(
                self.path,
                f"record starting at line {record.start} has no ER line "
                f"(a new record starts at line {number})",
                line=record.start,
            )
        record.add(line, tag, match.group(2) or "")
        if tag == "ER":
            self.record, self.closed, self.trailing = None, record, True

    def finish(self) -> Citation:
        if self.record is not None:
            start = self.record.start
            raise ParseError(
                self.path, f"record starting at line {start} has no ER line", line=start
            )
        if self.closed is None:
            raise ParseError(self.path, "no RIS record in this file (no 'TY  - ' line)", line=1)
        return _citation(self.closed)


def read(source: SourceFile, **options: Any) -> Iterator[Citation]:
    """Stream the records; ParseError for a record without ER or a tag line outside a record."""
    reader = _Reader(source)
    for number, line in source.lines():
        if number == 1:
            line = line.lstrip("\ufeff")
        done = reader.feed(number, line)
        if done is not None:
            yield done
    yield reader.finish()


class _Fields:
    """A record's values by tag, remembering which tags went into a Citation field."""

    def __init__(self, fields: list[tuple[str, list[str]]]) -> None:
        self.ordered = fields
        self.by_tag: dict[str, list[list[str]]] = {}
        for tag, lines in fields:
            self.by_tag.setdefault(tag, []).append(lines)
        self.used: set[str] = set(_MAPPED)
        self.kept: dict[str, list[str]] = {}

    def items(self, *tags: str) -> list[str]:
        """Every line of every value of these tags, cleaned, in file order."""
        present = [tag for tag in tags if tag in self.by_tag]
        if len(present) > 1:
            return clean_list(line for tag, lines in self.ordered if tag in tags for line in lines)
        values = self.by_tag[present[0]] if present else []
        return clean_list(line for lines in values for line in lines)

    def first(self, *tags: str, use: bool = True) -> str | None:
        """The first non-empty value among the tags, in the order given."""
        for tag in tags:
            for lines in self.by_tag.get(tag, []):
                value = clean(" ".join(lines))
                if value:
                    if use:
                        self.used.add(tag)
                    return value
        return None

    def keep(self, tag: str, values: list[str]) -> None:
        """Mark the tag used, keeping only these of its values in extra."""
        self.used.add(tag)
        if values:
            self.kept[tag] = values

    def extra(self) -> dict[str, list[str]]:
        kept = dict(self.kept)
        for tag, values in self.by_tag.items():
            if tag not in self.used:
                texts = ["\n".join(filter(None, map(clean, lines))) for lines in values]
                if any(texts):
                    kept[tag] = [text for text in texts if text]
        return kept


def _citation(record: _Record) -> Citation:
    """Map one record's tags to a Citation."""
    f = _Fields(record.fields)
    type_code = (f.first("TY") or "").upper()
    database = f.first("DB")
    abstract_tag = "AB" if "AB" in f.by_tag else "N2"  # Embase and Ovid write N2
    f.used.add(abstract_tag)
    abstract, sections, copyright_notes = _abstract(f.by_tag.get(abstract_tag, []))
    journal = f.first(*_JOURNAL_TAGS) or (f.first("BT") if f.first("TI", "T1") else None)
    title = f.first(*_TITLE_TAGS) or f.first("BT")
    doi = normalise_doi(f.first("DO")) or _doi_fallback(f)
    pmid = _pmid(f, database)
    pmcid = _pmcid(f)
    issn = _issn(f)
    publication_types, source_id = _publication_types(f), _source_id(f, database)
    urls = _urls(f)
    extra: dict[str, Any] = {
        "database": database,
        "other_databases": [d for d in f.items("DB") if d != database],
        "editors": f.items("ED"),
        "copyright": copyright_notes,
    }
    return Citation(
        raw="\n".join(record.raw),
        line=record.start,
        title=title,
        abstract=abstract,
        sections=sections,
        authors=clean_list(surname_first(name) for name in f.items("AU", "A1")),
        year=_year(f),
        journal=journal,
        journal_abbrev=_abbrev(f, journal),
        volume=f.first("VL"),
        issue=f.first("IS"),
        pages=_pages(f),
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        issn=issn,
        language=normalise_language("; ".join(f.items("LA"))),
        publication_types=publication_types,
        mesh_terms=f.items("MH"),
        keywords=f.items("KW"),
        urls=urls,
        record_type=RECORD_TYPES.get(type_code, type_code.lower() or None),
        source_record_id=source_id,
        extra={**f.extra(), **{k: v for k, v in extra.items() if v}},
    )


def _year(f: _Fields) -> int | None:
    # DA may be only "Mar 1" (EndNote); it stays in extra as the fuller date
    return (
        parse_year(f.first("PY"))
        or parse_year(f.first("Y1"))
        or parse_year(f.first("DA", use=False))
    )


def _urls(f: _Fields) -> list[str]:
    """Links from UR, L1, L2 and LK; what is not a link (EBSCO puts ORCIDs and e-mail
    addresses in UR) stays in extra under its tag."""
    for tag in _URL_TAGS:
        others = [value for value in f.items(tag) if not _URL.match(value)]
        f.keep(tag, others)
    return [value for value in f.items(*_URL_TAGS) if _URL.match(value)]


def _abbrev(f: _Fields, journal: str | None) -> str | None:
    abbrev = f.first(*_ABBREV_TAGS)
    if abbrev is None:
        jo = f.first("JO", use=False)
        if jo and jo != journal:
            abbrev = f.first("JO")
    return abbrev


def _pages(f: _Fields) -> str | None:
    start, end = f.first("SP"), f.first("EP")
    if (start, end) in (("No", "Specified"), ("Not", "Specified")):
        return None  # Ovid's "No Specified" split over SP and EP
    # C7 is the article number (Scopus, WoS), standing in for pages as wos.py does
    return expand_pages(join_pages(start, end)) or f.first("C7")


def _doi_fallback(f: _Fields) -> str | None:
    """A DOI given as a bare DOI or a doi.org link in L3 (EBSCO), UR, L1/L2 (Embase) or M3."""
    for tag in _DOI_FALLBACK_TAGS:
        for value in f.items(tag):
            if _DOI_URL.match(value):
                if tag in ("L3", "M3"):
                    f.used.add(tag)
                return normalise_doi(value)
    return None


def _pmid(f: _Fields, database: str | None) -> str | None:
    db = (database or "").lower()
    an = f.first("AN", use=False) or ""
    if an.isdigit() and (
        (f.first("DP", use=False) or "").upper() == "NLM" or db in ("pubmed", "medline")
    ):
        return an
    for tag, dialect in (("C5", "embase"), ("C2", "scopus")):
        value = f.first(tag, use=False) or ""
        if db == dialect and value.isdigit():
            f.used.add(tag)
            return value
    for note in f.items("N1", "M1"):
        match = _NOTE_PMID.search(note)
        if match:
            return match.group(1)
    for url in f.items("UR"):
        match = _PUBMED_URL.search(url)
        if match:
            return match.group(1)
    return None


def _pmcid(f: _Fields) -> str | None:
    value = f.first("C2", use=False) or ""
    if value.upper().startswith("PMC"):
        f.used.add("C2")
        return normalise_pmcid(value)
    return None


def _issn(f: _Fields) -> str | None:
    """The first ISSN-shaped SN value as "1234-567X"; the whole SN list stays in extra if
    it holds more (an eISSN, an ISBN, "(ISSN)" notes)."""
    values = f.items("SN")
    for value in values:
        match = _ISSN.search(value)
        if match:
            issn = f"{match.group(1)}-{match.group(2).upper()}"
            if values == [issn]:
                f.used.add("SN")
            return issn
    return None


def _publication_types(f: _Fields) -> list[str]:
    types = f.items("M3")
    if types and not any(_CLASSIFICATION.fullmatch(t) for t in types):
        f.used.add("M3")
        return types
    return [t for t in types if not _CLASSIFICATION.fullmatch(t)]


def _source_id(f: _Fields, database: str | None) -> str | None:
    an, ident, l_number = f.first("AN"), f.first("ID", use=False), f.first("U2", use=False)
    if ident and (ident == an or not (an or re.fullmatch(r"\d{1,7}", ident))):
        f.used.add("ID")  # Ovid's accession number; EndNote's short record numbers stay in extra
        an = an or ident
    if not an and (database or "").lower() == "embase" and re.fullmatch(r"L\d+", l_number or ""):
        f.used.add("U2")
        an = l_number
    notes = (m.group(1) for note in f.items("N1") if (m := _ACCESSION.search(note)))
    eids = (m.group(1) for url in f.items("UR") if (m := _SCOPUS_EID.search(url)))
    return an or next(notes, None) or next(eids, None)


def _abstract(values: list[list[str]]) -> tuple[str | None, list[Section], list[str]]:
    """The abstract, its sections and any EBSCO copyright lines, from the AB (or N2) values."""
    paragraphs = [p for p in (clean(line) for lines in values for line in lines) if p]
    notes = [p for p in paragraphs if _COPYRIGHT.match(p)]
    paragraphs = [p for p in paragraphs if not _COPYRIGHT.match(p)]
    if not paragraphs:
        return None, [], notes
    if len(paragraphs) == 1:
        sections = split_sections(paragraphs[0])
        return (abstract_text(sections) if sections else paragraphs[0]), sections, notes
    sections = [_paragraph_section(p) for p in paragraphs]
    if any(s.label for s in sections):
        return abstract_text(sections), sections, notes
    return "\n\n".join(paragraphs), [], notes


def _paragraph_section(paragraph: str) -> Section:
    """ "Methods: text" -> Section("Methods", "text"); a label has at most eight words."""
    match = _LABEL.fullmatch(paragraph)
    if match and len(match.group(1).split()) <= 8:
        return Section(match.group(1), match.group(2))
    return Section(None, paragraph)
