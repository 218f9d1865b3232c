"""EndNote XML (EndNote's File > Export > XML; Mendeley's "EndNote XML"), read record by record.

The file is ``<xml><records><record>...</record>...</records></xml>``; a record holds, in
the order of EndNote's DTD:

- ``database`` (the .enl library it came from) and ``source-app`` (EndNote 20 writes
  ``name="EndNote" version="20.4"``; Mendeley writes none);
- ``rec-number`` (the record's number in that library), ``foreign-keys``;
- ``ref-type``: the reference type, as a number with its name, ``<ref-type name="Journal
  Article">17</ref-type>``. EndNote's numbers: 17 Journal Article, 6 Book, 5 Book Section,
  28 Edited Book, 10 Conference Proceedings, 47 Conference Paper, 32 Thesis, 27 Report,
  13 Generic, 43 Electronic Article, 44 Electronic Book, 60 Electronic Book Section,
  19 Magazine Article, 23 Newspaper Article, 12 Web Page, 34 Unpublished Work, 31 Statute.
  Mendeley numbers its types its own way (Journal Article is 0, Generic is 31), so the name
  decides, and the number only when there is no name;
- ``contributors``: ``authors/author`` (then secondary-, tertiary-, subsidiary- and
  translated-authors: editors and the like, kept in extra["editors"] for secondary);
- ``titles``: ``title``, ``secondary-title`` (the journal of an article, the book of a
  section), ``alt-title`` (often the journal abbreviation), ``short-title``;
- ``periodical``: ``full-title``, ``abbr-1`` (the journal and its abbreviation);
- ``pages``, ``volume``, ``number`` (the issue; Mendeley writes ``issue``), ``keywords``;
- ``dates``: ``year`` and ``pub-dates/date`` ("Oct 12", "2021/10/12");
- ``isbn`` (the ISSN of a journal, the ISBN of a book), ``accession-num`` (the database's
  own id: PMID from PubMed and MEDLINE, AN from EBSCO), ``electronic-resource-num`` (the
  DOI, alone, as a URL or after other text), ``abstract``, ``notes``, ``language``,
  ``urls`` (``related-urls`` and ``web-urls``; ``pdf-urls`` are files on the library
  owner's disk and are left out), ``custom1`` to ``custom7`` (EndNote's PubMed import puts
  the PMCID in ``custom2``, read as pmcid when it is one);
- ``remote-database-name`` and ``remote-database-provider``: where the record was found
  ("MEDLINE" via "Ovid Technologies", "cin20" via "EBSCOhost"). A library mixes databases,
  so each record names its own in extra["database"] (and the provider in
  extra["database_provider"]); a record EndNote took from PubMed names only its provider,
  "NLM", and its database is PubMed.

EndNote wraps every text in ``<style face="normal" font="default" size="100%">``, several
of them where a title has italics; Mendeley writes bare text. Both read the same: the text
of every run, joined. Line breaks inside a value (``&#xD;`` between addresses) become spaces.

Choices: the PMID is the accession number of a record whose database is PubMed or MEDLINE
(or whose provider is the NLM), and of a record that names no database at all, when it is a
number of up to 8 digits (Mendeley writes the PubMed id there). The accession number is the
source_record_id in any case, as in RIS (AN). Several languages stand on lines of their own
("eng" and "ger") and become "English; German". raw is the record as lxml writes it back
(the same elements and text, character references written out).

Safety: lxml's iterparse with entity resolution, DTD loading and network access off, as in
pubmed_xml: a file cannot pull in local files or remote content, and an entity defined in the
file (a "billion laughs" bomb) is never expanded. Memory stays flat: each record is dropped
once read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from db.errors import ParseError
from screening.citation import Citation
from screening.importers.textfile import SourceFile
from screening.normalise import (
    abstract_parts,
    author_list,
    clean,
    clean_list,
    expand_pages,
    normalise_doi,
    normalise_issn,
    normalise_language,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
    record_type,
)

NAME = "endnote-xml"

_HEAD = re.compile(
    r"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE(?:[^\[>]|\[.*?\])*>\s*)*<xml>\s*<records[\s>/]",
    re.DOTALL,
)
# EndNote's reference type numbers, for a ref-type without a name
_TYPE_NAMES = {
    "17": "Journal Article", "6": "Book", "5": "Book Section", "28": "Edited Book",
    "10": "Conference Proceedings", "47": "Conference Paper", "32": "Thesis", "27": "Report",
    "13": "Generic", "43": "Electronic Article", "44": "Electronic Book",
    "60": "Electronic Book Section", "19": "Magazine Article", "23": "Newspaper Article",
    "12": "Web Page", "34": "Unpublished Work", "31": "Statute",
}  # fmt: skip
# EndNote type names that normalise.record_type does not know
_RECORD_TYPES = {
    "book section": "book chapter",
    "electronic book section": "book chapter",
    "edited book": "book",
    "electronic book": "book",
    "electronic article": "article",
    "magazine article": "article",
    "newspaper article": "article",
    "conference proceedings": "conference paper",
}
_PUBMED_DATABASES = ("medline", "pubmed")
_NLM = {"NLM": "PubMed"}  # EndNote's PubMed import names the provider only
_PMID = re.compile(r"\d{1,8}")
_SKIPPED_NODES = (etree.Entity, etree.Comment, etree.ProcessingInstruction)
_LXML_POSITION = re.compile(r", line \d+, column \d+$")


def sniff(head: str) -> bool:
    """True when the root is <xml> and its first child <records>."""
    return _HEAD.match(head) is not None


def read(source: SourceFile, **options: Any) -> Iterator[Citation]:
    """Stream one Citation per <record>; ParseError (with the line) on broken XML."""
    with source.binary() as handle:
        parser = etree.iterparse(
            handle,
            events=("end",),
            tag="record",
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
        )
        try:
            for _, record in parser:
                yield _citation(record)
                _drop(record)
        except etree.XMLSyntaxError as e:
            message = _LXML_POSITION.sub("", e.msg or str(e))
            raise ParseError(source.path, f"the XML is broken: {message}", line=e.lineno) from None
        root = parser.root
    if root is not None and root.tag != "xml":
        raise ParseError(
            source.path,
            f"the root element is <{root.tag}>, not <xml>; this is not an EndNote XML export",
            line=root.sourceline or 1,
        )


def _drop(record: Any) -> None:
    """Free a record that has been read, and the ones before it (iterparse keeps them)."""
    record.clear()
    parent = record.getparent()
    while parent is not None and record.getprevious() is not None:
        del parent[0]


def _text(element: Any) -> str | None:
    """The text of an element and of its <style> runs, whitespace collapsed."""
    return clean(_raw_text(element))


def _raw_text(element: Any) -> str:
    if element is None:
        return ""
    parts = [element.text or ""]
    _append_children(element, parts)
    return "".join(parts)


def _append_children(element: Any, parts: list[str]) -> None:
    """The text below element, without unresolved entities, comments and PIs (their tails
    are text of the element around them)."""
    for child in element:
        if child.tag not in _SKIPPED_NODES:
            parts.append(child.text or "")
            _append_children(child, parts)
        parts.append(child.tail or "")


def _first(record: Any, *paths: str) -> str | None:
    for path in paths:
        value = _text(record.find(path))
        if value:
            return value
    return None


def _all(record: Any, path: str) -> list[str]:
    return clean_list(_text(e) for e in record.iterfind(path))


def _citation(record: Any) -> Citation:
    kind = _type_name(record.find("ref-type"))
    abstract, sections = abstract_parts(_first(record, "abstract"))
    provider = _first(record, "remote-database-provider")
    database = _first(record, "remote-database-name") or _NLM.get(provider or "")
    accession = _first(record, "accession-num")
    pmid = _pmid(accession, database, provider)
    citation = Citation(
        raw=etree.tostring(record, encoding="unicode"),
        line=record.sourceline or 0,
        title=_first(record, "titles/title"),
        abstract=abstract,
        sections=sections,
        authors=author_list(_text(e) for e in record.iterfind("contributors/authors/author")),
        year=parse_year(_first(record, "dates/year", "dates/pub-dates/date")),
        journal=_journal(record, kind),
        journal_abbrev=_first(record, "periodical/abbr-1", "titles/alt-title"),
        volume=_first(record, "volume"),
        issue=_first(record, "number", "issue"),
        pages=expand_pages(_first(record, "pages")),
        doi=normalise_doi(_first(record, "electronic-resource-num")),
        pmid=pmid,
        pmcid=normalise_pmcid(_first(record, "custom2")),
        issn=normalise_issn(_first(record, "isbn")),
        language=normalise_language(";".join(_raw_text(record.find("language")).splitlines())),
        publication_types=[kind] if kind else [],
        keywords=_all(record, "keywords/keyword"),
        urls=[*_all(record, "urls/related-urls/url"), *_all(record, "urls/web-urls/url")],
        record_type=_record_type(kind),
        source_record_id=accession,
    )
    citation.extra = _extra(record, database, provider)
    if citation.record_type == "book chapter":
        citation.extra["book_title"] = _first(record, "titles/secondary-title")
    return citation


def _type_name(ref_type: Any) -> str | None:
    if ref_type is None:
        return None
    return clean(ref_type.get("name")) or _TYPE_NAMES.get((ref_type.text or "").strip())


def _record_type(kind: str | None) -> str | None:
    if not kind:
        return None
    return _RECORD_TYPES.get(kind.lower()) or record_type([kind])


def _journal(record: Any, kind: str | None) -> str | None:
    """The periodical's full title; else the secondary title of an article (of a book
    section it is the book, which is not a journal)."""
    journal = _first(record, "periodical/full-title")
    if journal or _record_type(kind) not in (None, "article"):
        return journal
    return _first(record, "titles/secondary-title")


def _pmid(accession: str | None, database: str | None, provider: str | None) -> str | None:
    if not accession or not _PMID.fullmatch(accession):
        return None
    from_pubmed = (database or "").lower().startswith(_PUBMED_DATABASES)
    return normalise_pmid(accession) if from_pubmed or not (database or provider) else None


def _extra(record: Any, database: str | None, provider: str | None) -> dict[str, Any]:
    source_app = record.find("source-app")
    extra: dict[str, Any] = {
        "database": database,
        "database_provider": provider,
        "library": _first(record, "database"),
        "library_record_number": _first(record, "rec-number"),
        "source_app": _text(source_app),
        "short_title": _first(record, "titles/short-title"),
        "editors": _all(record, "contributors/secondary-authors/author"),
        "isbn": _first(record, "isbn"),
        "publisher": _first(record, "publisher"),
        "publication_date": _first(record, "dates/pub-dates/date"),
        "author_address": _first(record, "auth-address"),
        "notes": _first(record, "notes"),
    }
    return {key: value for key, value in extra.items() if value}
