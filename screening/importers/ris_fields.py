"""RIS tags -> Citation fields: where each dialect (Embase, Scopus, Web of Science, Ovid,
EBSCO, ProQuest, Zotero, EndNote) puts what, read by ris.py.

Field choices:
- journal is the full title (JF, else T2, JO, or BT beside a TI, else JA: Cochrane writes the
  full title there); journal_abbrev comes from JA, J2, JI, J9 or Ovid's NL (else a JO that
  differs from the journal);
- the PMID is taken only where a dialect really carries it: AN of PubMed records exported by
  EndNote (DP "NLM"), C2 in Scopus, C5 (Embase.com, and write_ris), Cochrane's
  "PUBMED n" in C3, "PMID: n" in EBSCO's N1 notes (and in the N1 line write_ris writes), or a
  PubMed link in UR; a C2 of "PMC..." is the PMCID (EndNote);
- source_record_id is AN, else Ovid's ID (EndNote's own short record numbers in ID are
  skipped), else Embase's L-number (U2), else EBSCO's "Accession Number:" note or Scopus's EID;
- extra["database"] is the database's name by db.database_names' rule: what the accession
  number says, else DB without dates and with EBSCO codes as names, else PubMed for DP "NLM",
  else what a link names; the other DB values are other_databases;
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
from typing import Any

from db.database_names import L_NUMBER, accession_database, database_name, link_database
from screening.citation import Citation, Section
from screening.normalise import (
    author_list,
    clean,
    clean_list,
    expand_pages,
    join_pages,
    normalise_doi,
    normalise_language,
    normalise_pmcid,
    paragraphs_abstract,
    parse_year,
)

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

_URL = re.compile(r"(?:https?|ftp)://\S+$", re.IGNORECASE)
_DOI_URL = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.\d{4,9}/", re.IGNORECASE)
_PUBMED_URL = re.compile(r"ncbi\.nlm\.nih\.gov/(?:pubmed/|)(\d+)/?$", re.IGNORECASE)
_NOTE_PMID = re.compile(r"(?:^|[.;]\s)PMID:\s*(\d+)")
_ACCESSION = re.compile(r"Accession Number:\s*([^\s;]+?)[.;]?(?:\s|$)")
_SCOPUS_EID = re.compile(r"scopus\.com/.*[?&]eid=(2-s2\.0-\d+)")
_COCHRANE_PMID = re.compile(r"(?:^|,)\s*PUBMED\s+(\d+)\s*(?=,|$)", re.IGNORECASE)
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


def citation_from_fields(fields: list[tuple[str, list[str]]], *, raw: str, line: int) -> Citation:
    """A Citation from one record's (tag, [value line, continuation lines...]) in file order."""
    f = _Fields(fields)
    type_code = (f.first("TY") or "").upper()
    database = f.first("DB")
    abstract, sections, copyright_notes = _abstract(f)
    journal = (
        f.first(*_JOURNAL_TAGS)
        or (f.first("BT") if f.first("TI", "T1") else None)
        or f.first("JA", use=False)
    )
    source_id = _source_id(f, database)
    return Citation(
        raw=raw,
        line=line,
        title=f.first(*_TITLE_TAGS) or f.first("BT"),
        abstract=abstract,
        sections=sections,
        authors=author_list(v for tag, lines in f.ordered if tag in ("AU", "A1") for v in lines),
        year=_year(f),
        journal=journal,
        journal_abbrev=_abbrev(f, journal),
        volume=f.first("VL"),
        issue=f.first("IS"),
        pages=_pages(f),
        doi=normalise_doi(f.first("DO")) or _doi_fallback(f),
        pmid=_pmid(f, database),
        pmcid=_pmcid(f),
        issn=_issn(f),
        language=normalise_language("; ".join(f.items("LA"))),
        publication_types=_publication_types(f),
        mesh_terms=f.items("MH"),
        keywords=f.items("KW"),
        urls=_urls(f),
        record_type=RECORD_TYPES.get(type_code, type_code.lower() or None),
        source_record_id=source_id,
        # last: the tags no field took go to extra, so every other field must be read first
        extra=_extra(f, _database(f, database, source_id), copyright_notes),
    )


def _extra(f: _Fields, database: str | None, copyright_notes: list[str]) -> dict[str, Any]:
    """The unmapped tags under their own names, then what is worth keeping by name."""
    name = database_name(database)
    others = clean_list(database_name(d) for d in f.items("DB"))
    named: dict[str, Any] = {
        "database": name,
        "other_databases": [d for d in others if d != name],
        "editors": f.items("ED"),
        "copyright": copyright_notes,
    }
    return {**f.extra(), **{k: v for k, v in named.items() if v}}


def _database(f: _Fields, database: str | None, source_id: str | None) -> str | None:
    """The record's database as db.database_names.record_database names it (its accession
    number, CENTRAL's "CN-...", an L-number or a UT prefix, before its DB tag: Embase.com
    marks its MEDLINE records "Medline"), else "PubMed" for EndNote's PubMed records (DP
    "NLM"), else what a link names (Cochrane Library, Ovid's "D=psyc16", EBSCO's "db=")."""
    named = accession_database(source_id) or database
    if named is None and (f.first("DP", use=False) or "").upper() == "NLM":
        return "PubMed"
    links = (link_database(url) for url in f.items(*_URL_TAGS)) if named is None else ()
    return named or next(filter(None, links), None)


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
    scopus = f.first("C2", use=False) or ""
    if db == "scopus" and scopus.isdigit():
        f.used.add("C2")
        return scopus
    # Embase.com's C5, whichever database it names (its MEDLINE records say "Medline")
    embase = f.first("C5", use=False) or ""
    if re.fullmatch(r"[0-9]{1,9}", embase):
        f.used.add("C5")
        return embase
    return _cochrane_pmid(f) or _note_pmid(f)


def _cochrane_pmid(f: _Fields) -> str | None:
    """Cochrane's "PUBMED 21314913" in C3, maybe beside other ids ("...,EMBASE 643589775"):
    C3 stays in extra unless the PMID is all it holds."""
    ids = f.first("C3", use=False) or ""
    match = _COCHRANE_PMID.search(ids)
    if match is None:
        return None
    if match.group(0).strip(", ") == ids.strip():
        f.used.add("C3")
    return match.group(1)


def _note_pmid(f: _Fields) -> str | None:
    """A "PMID: n" note (EBSCO, write_ris) or a PubMed link."""
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
    if not an and L_NUMBER.match(l_number or ""):  # Embase.com's, whichever DB it names
        f.used.add("U2")
        an = l_number
    notes = (m.group(1) for note in f.items("N1") if (m := _ACCESSION.search(note)))
    eids = (m.group(1) for url in f.items("UR") if (m := _SCOPUS_EID.search(url)))
    return an or next(notes, None) or next(eids, None)


def _abstract(f: _Fields) -> tuple[str | None, list[Section], list[str]]:
    """The abstract, its sections and any EBSCO copyright lines, from the AB (or N2) values."""
    tag = "AB" if "AB" in f.by_tag else "N2"  # Embase and Ovid write N2
    f.used.add(tag)
    paragraphs = [
        p for p in (clean(line) for lines in f.by_tag.get(tag, []) for line in lines) if p
    ]
    notes = [p for p in paragraphs if _COPYRIGHT.match(p)]
    paragraphs = [p for p in paragraphs if not _COPYRIGHT.match(p)]
    abstract, sections = paragraphs_abstract(paragraphs, _paragraph_sections)
    return abstract, sections, notes


def _paragraph_sections(paragraphs: list[str]) -> list[Section]:
    """ "Methods: text" -> Section("Methods", "text"); a label has at most eight words."""
    sections = []
    for paragraph in paragraphs:
        match = _LABEL.fullmatch(paragraph)
        if match and len(match.group(1).split()) <= 8:
            sections.append(Section(match.group(1), match.group(2)))
        else:
            sections.append(Section(None, paragraph))
    return sections
