"""Writing citations as RIS that reference managers read and that our own reader reads back.

Each record is "TAG  - value" lines from TY to "ER  - ", records separated by a blank line.
Lines are written with "\\n"; the caller's file decides the ending (open it with newline="" for
LF everywhere, or newline="\\r\\n" for the CRLF some old tools want) and should be UTF-8.

Tags written, in this order:
- TY from record_type (article JOUR, book BOOK, book chapter CHAP, conference paper CPAPER,
  thesis THES, ...; a type the reader kept as a lower-cased unknown code goes back upper-cased,
  anything else is GEN);
- TI, one AU per author, PY, T2 (journal) and J2 (its abbreviation), as Zotero and Scopus
  write them and the 2011 RIS specification names them; VL, IS, SP and EP;
- DO, SN, LA, AN (source_record_id, as the databases write their accession numbers: Embase's
  L-number, CENTRAL's "CN-...", a Web of Science UT, a PubMed record's PMID);
- the PMID, unless AN holds it already, as "C5  - <pmid>" (Embase.com's tag for it, which
  EndNote and Zotero keep as a custom field) and as "N1  - PMID: <pmid>" (EBSCO's note, which
  any reference manager keeps); our reader maps both back; "C2  - PMC..." for the PMCID
  (EndNote's convention);
- one M3 per publication type, one KW per keyword, one MH per MeSH term (MH is not an RIS tag, so
  other tools may keep it as an unknown tag or drop it, but keywords stay apart from MeSH);
- AB once per abstract paragraph, or once per section as "LABEL: text", so the reader gets the
  sections back; one UR per URL; DB (extra["database"], which rows.row_citation fills with
  the record's own database) and one ED per editor (extra["editors"]) when known; ER.
Values are written on one line each (inner line breaks collapsed), so no value can be taken
for a tag line or spill into a continuation line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from screening.citation import Citation
from screening.normalise import clean

_TYPE_CODES = {
    "article": "JOUR",
    "book": "BOOK",
    "edited book": "EDBOOK",
    "book chapter": "CHAP",
    "conference paper": "CPAPER",
    "abstract": "ABST",
    "thesis": "THES",
    "report": "RPRT",
    "magazine article": "MGZN",
    "newspaper article": "NEWS",
    "patent": "PAT",
}


def write_ris(citations: Iterable[Citation], out: TextIO) -> int:
    """Write the citations as RIS records; return how many were written."""
    count = 0
    for citation in citations:
        if count:
            out.write("\n")
        out.writelines(f"{tag}  - {value}\n" for tag, value in ris_fields(citation))
        out.write("ER  - \n")
        count += 1
    return count


def ris_fields(c: Citation) -> Iterator[tuple[str, str]]:
    """(tag, value) pairs for one record, TY first, without the closing ER."""
    yield "TY", type_code(c.record_type)
    yield from _one("TI", c.title)
    yield from _each("AU", c.authors)
    yield from _one("PY", str(c.year) if c.year else None)
    yield from _one("T2", c.journal)
    yield from _one("J2", c.journal_abbrev)
    yield from _one("VL", c.volume)
    yield from _one("IS", c.issue)
    yield from _pages(c.pages)
    yield from _one("DO", c.doi)
    yield from _one("SN", c.issn)
    yield from _one("LA", c.language)
    yield from _one("AN", c.source_record_id)
    if c.pmid and c.pmid != c.source_record_id:
        yield "C5", c.pmid
    yield from _one("N1", f"PMID: {c.pmid}" if c.pmid else None)
    yield from _one("C2", c.pmcid)
    yield from _each("M3", c.publication_types)
    yield from _each("KW", c.keywords)
    yield from _each("MH", c.mesh_terms)
    yield from _each("AB", _abstract_paragraphs(c))
    yield from _each("UR", c.urls)
    yield from _one("DB", c.extra.get("database"))
    yield from _each("ED", c.extra.get("editors") or [])


def type_code(record_type: str | None) -> str:
    """The RIS TY code for a record type; GEN when there is no fitting one."""
    if not record_type:
        return "GEN"
    code = _TYPE_CODES.get(record_type.lower())
    if code:
        return code
    upper = record_type.upper()
    # an unknown code the reader kept lower-cased ("elec") goes back as it came
    return upper if upper.isalnum() and len(upper) <= 6 else "GEN"


def _one(tag: str, value: str | None) -> Iterator[tuple[str, str]]:
    value = clean(value)
    if value:
        yield tag, value


def _each(tag: str, values: Iterable[str]) -> Iterator[tuple[str, str]]:
    for value in values:
        yield from _one(tag, value)


def _pages(pages: str | None) -> Iterator[tuple[str, str]]:
    """ "349-369" -> SP 349, EP 369; anything else ("e0006219", "1-1") whole in SP."""
    pages = clean(pages)
    if not pages:
        return
    start, dash, end = pages.partition("-")
    if dash and start.strip() and end.strip() and start.strip() != end.strip():
        yield "SP", start.strip()
        yield "EP", end.strip()
    else:
        yield "SP", pages


def _abstract_paragraphs(c: Citation) -> list[str]:
    if c.sections:
        return [f"{s.label}: {s.text}" if s.label else s.text for s in c.sections if s.text]
    return (c.abstract or "").split("\n\n")
