"""PubMed XML record elements (PubmedArticle, PubmedBookArticle) -> Citation.

Shared by the file reader (pubmed_xml) and the harvester, which parses efetch bodies.

Speed: on a 14 kB record each find()/findtext() costs several microseconds (lxml runs
ElementPath in Python), so each container is walked once and its children grouped by tag, and
author names and MeSH terms come from one filtered iter() each. Measured with callgrind, this
is about 0.6M instructions a record. The verbatim copy is the record's own bytes (pubmed_xml).

Field choices:
- inline markup (<i>, <sub>, <sup>, MathML) is flattened to its text; of MathML only the token
  elements' text is kept ("V.O2max"), as the whitespace between them is only indentation;
- mesh_terms are the plain DescriptorName texts (qualifiers are dropped);
  extra["mesh_major"] lists the major topics (the descriptor or a qualifier starred, as
  PubMed's [majr] reads them);
- extra["comments_corrections"] keeps ErratumIn, CommentIn, RetractionIn, ... as
  {"type", "pmid", "ref"}; "Cites" entries (the reference list of pre-2019 DTDs) are left out;
- authors marked ValidYN="N" (a name an erratum replaced) are left out;
- a book chapter's journal is the book title (RIS's secondary title); a whole book has none;
  its editors go in extra["editors"].
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from screening.citation import Citation, Section
from screening.normalise import (
    abstract_text,
    expand_pages,
    join_pages,
    normalise_doi,
    normalise_language,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
)

BOOK_TAG = "PubmedBookArticle"
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
# MathML keeps its content in token elements; the text between them is only indentation
_MATH_TOKENS = tuple(f"{_MATHML}{name}" for name in ("mi", "mn", "mo", "mtext", "ms"))
_AUTHOR_PARTS = ("Author", "LastName", "ForeName", "CollectiveName")
_SKIPPED_NODES = (etree.Entity, etree.Comment, etree.ProcessingInstruction)


def record_citation(elem: Any, raw: str, line: int) -> Citation:
    """The Citation for a PubmedArticle or PubmedBookArticle element, given its verbatim XML
    and the line its start tag stands on."""
    citation = _book(elem) if elem.tag == BOOK_TAG else _article(elem)
    citation.raw, citation.line = raw, line
    return citation


# -- walking the tree ------------------------------------------------------------------------


def _groups(el: Any) -> dict[Any, list[Any]]:
    """The children of el by tag, in document order ({} for a missing element)."""
    groups: dict[Any, list[Any]] = {}
    if el is not None:
        for child in el:
            tag = child.tag
            group = groups.get(tag)
            if group is None:
                groups[tag] = [child]
            else:
                group.append(child)
    return groups


def _one(groups: dict[Any, list[Any]], tag: str) -> Any:
    group = groups.get(tag)
    return group[0] if group else None


def _text(groups: dict[Any, list[Any]], tag: str) -> str | None:
    group = groups.get(tag)
    return _clean(group[0].text) if group else None


def _clean(value: str | None) -> str | None:
    """normalise.clean, with a fast path for ASCII text that has nothing to collapse.

    XML text cannot hold control characters other than tab, newline and carriage return, so
    ASCII text without those and without double spaces only needs stripping. Other text goes
    through str.split, which knows the same Unicode whitespace as normalise.clean's regex.
    """
    if not value:
        return None
    if (
        value.isascii()
        and "  " not in value
        and "\n" not in value
        and "\t" not in value
        and "\r" not in value
    ):
        return value.strip() or None
    return " ".join(value.split()) or None


def _clean_list(values: Iterable[str | None]) -> list[str]:
    """normalise.clean_list with _clean: cleaned, no empties, no repeats, in order."""
    return list(dict.fromkeys(c for c in map(_clean, values) if c))


def _flat(el: Any) -> str | None:
    """The element's text with inline markup flattened, whitespace collapsed."""
    if el is None:
        return None
    if len(el) == 0:
        return _clean(el.text)
    parts = [el.text or ""]
    _append_children(el, parts)
    return _clean("".join(parts))


def _append_children(el: Any, parts: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag in _SKIPPED_NODES:  # unresolved entity references, comments, PIs
            pass
        elif tag.startswith(_MATHML):
            parts.append("".join(token.text or "" for token in child.iter(*_MATH_TOKENS)))
        else:
            parts.append(child.text or "")
            _append_children(child, parts)
        parts.append(child.tail or "")


# -- fields shared by articles and books ------------------------------------------------------


def _abstract(abstract: Any) -> tuple[str | None, list[Section]]:
    """(abstract, sections) from the AbstractTexts; Label wins, then NlmCategory."""
    if abstract is None:
        return None, []
    sections = []
    for part in abstract:
        if part.tag != "AbstractText":
            continue  # CopyrightInformation
        label = part.get("Label") or part.get("NlmCategory")
        text = _flat(part)
        if text:
            sections.append(Section(_clean(label) if label != "UNASSIGNED" else None, text))
    if not any(s.label for s in sections):
        return abstract_text(sections), []
    return abstract_text(sections), sections


def _authors(author_list: Any) -> list[str]:
    """Names as "LastName, ForeName" (or Initials); a CollectiveName as it stands."""
    if author_list is None:
        return []
    names: list[str | None] = []
    author = last = given = None
    # one flat walk over the name parts costs half as much as visiting each Author's children
    for part in author_list.iter(*_AUTHOR_PARTS):
        tag = part.tag
        if tag == "Author":
            if last:
                names.append(_name(author, last, given))
            last = given = None
            # an invalid name is one an erratum replaced; the corrected one is listed too
            author = part if part.get("ValidYN") != "N" else None
        elif author is None:
            continue
        elif tag == "LastName":
            last = part.text
        elif tag == "ForeName":
            given = part.text
        else:
            names.append(_flat(part))
    if last:
        names.append(_name(author, last, given))
    return [name for name in map(_clean, names) if name]  # two authors may share a name


def _name(author: Any, last: str, given: str | None) -> str:
    given = given or author.findtext("Initials")  # few records lack a ForeName
    return f"{last}, {given}" if given else last


def _ids(id_list: Any) -> dict[str, str]:
    """ArticleIdList -> {IdType: value}, first of each type."""
    ids: dict[str, str] = {}
    if id_list is not None:
        for article_id in id_list:
            ids.setdefault(article_id.get("IdType"), article_id.text)
    return ids


def _elocation_doi(*locations: list[Any]) -> str | None:
    for group in locations:
        for loc in group:
            if loc.get("EIdType") == "doi":
                return loc.text
    return None


def _year(pub_date: Any, article_date: Any = None) -> int | None:
    """PubDate/Year, else the year in PubDate/MedlineDate, else ArticleDate/Year."""
    date = _groups(pub_date)
    year = parse_year(_text(date, "Year")) or parse_year(_text(date, "MedlineDate"))
    if year is None and article_date is not None:
        year = parse_year(_text(_groups(article_date), "Year"))
    return year


def _pages(pagination: Any) -> str | None:
    if pagination is None:
        return None
    pages = _groups(pagination)
    medline = _text(pages, "MedlinePgn")
    return expand_pages(medline) or join_pages(_text(pages, "StartPage"), _text(pages, "EndPage"))


def _languages(groups: dict[Any, list[Any]]) -> str | None:
    """Every Language of the record (an article can have several), as names."""
    return normalise_language("; ".join(e.text or "" for e in groups.get("Language", [])))


def _child_texts(parent: Any) -> list[str]:
    return [] if parent is None else _clean_list(child.text for child in parent)


def _keywords(keyword_lists: list[Any]) -> list[str]:
    return _clean_list(_flat(k) for kl in keyword_lists for k in kl)


# -- PubmedArticle ----------------------------------------------------------------------------


def _article(elem: Any) -> Citation:
    top = _groups(elem)
    medline = _groups(_one(top, "MedlineCitation"))
    art = _groups(_one(medline, "Article"))
    journal = _groups(_one(art, "Journal"))
    issue = _groups(_one(journal, "JournalIssue"))
    ids = _ids(_one(_groups(_one(top, "PubmedData")), "ArticleIdList"))
    abstract, sections = _abstract(_one(art, "Abstract"))
    pmid = normalise_pmid(_text(medline, "PMID"))
    mesh_terms, extra = _article_extra(medline, art)
    return Citation(
        raw="",
        line=0,
        title=_flat(_one(art, "ArticleTitle")),
        abstract=abstract,
        sections=sections,
        authors=_authors(_one(art, "AuthorList")),
        year=_year(_one(issue, "PubDate"), _one(art, "ArticleDate")),
        journal=_text(journal, "Title"),
        journal_abbrev=_text(journal, "ISOAbbreviation")
        or _text(_groups(_one(medline, "MedlineJournalInfo")), "MedlineTA"),
        volume=_text(issue, "Volume"),
        issue=_text(issue, "Issue"),
        pages=_pages(_one(art, "Pagination")),
        doi=normalise_doi(ids.get("doi") or _elocation_doi(art.get("ELocationID", []))),
        pmid=pmid,
        pmcid=normalise_pmcid(ids.get("pmc")),
        issn=_text(journal, "ISSN"),
        language=_languages(art),
        publication_types=_child_texts(_one(art, "PublicationTypeList")),
        mesh_terms=mesh_terms,
        keywords=_keywords(medline.get("KeywordList", [])),
        record_type="article",
        source_record_id=pmid,
        extra=extra,
    )


def _article_extra(
    medline: dict[Any, list[Any]], art: dict[Any, list[Any]]
) -> tuple[list[str], dict[str, Any]]:
    """The MeSH terms; extra: major topics, comments and corrections, vernacular title."""
    extra: dict[str, Any] = {}
    mesh_terms = _mesh(_one(medline, "MeshHeadingList"), extra)
    _comments(_one(medline, "CommentsCorrectionsList"), extra)
    vernacular = _flat(_one(art, "VernacularTitle"))
    if vernacular:
        extra["vernacular_title"] = vernacular
    return mesh_terms, extra


def _mesh(heading_list: Any, extra: dict[str, Any]) -> list[str]:
    """Descriptor names; the major-topic ones (descriptor or a qualifier starred, as PubMed's
    [majr] reads it) go in extra["mesh_major"]."""
    if heading_list is None:
        return []
    terms: list[str] = []
    major: list[str] = []
    descriptor = ""
    for part in heading_list.iter("DescriptorName", "QualifierName"):
        if part.tag == "DescriptorName":
            descriptor = part.text or ""
            terms.append(descriptor)
            if part.get("MajorTopicYN") == "Y":
                major.append(descriptor)
        elif part.get("MajorTopicYN") == "Y" and (not major or major[-1] != descriptor):
            major.append(descriptor)
    if major:
        extra["mesh_major"] = _clean_list(major)
    return _clean_list(terms)


def _comments(comment_list: Any, extra: dict[str, Any]) -> None:
    """ErratumIn, CommentIn, RetractionIn, ... (not Cites: that is the reference list)."""
    if comment_list is None:
        return
    comments = []
    for entry in comment_list:
        ref_type = entry.get("RefType")
        if ref_type == "Cites" or entry.tag != "CommentsCorrections":
            continue
        parts = _groups(entry)
        pmid = normalise_pmid(_text(parts, "PMID"))
        comments.append({"type": ref_type, "pmid": pmid, "ref": _text(parts, "RefSource")})
    if comments:
        extra["comments_corrections"] = comments


# -- PubmedBookArticle ------------------------------------------------------------------------


def _book(elem: Any) -> Citation:
    doc_el = _one(_groups(elem), "BookDocument")
    doc = _groups(doc_el)
    book = _groups(_one(doc, "Book"))
    chapter = _flat(_one(doc, "ArticleTitle"))
    book_title = _flat(_one(book, "BookTitle"))
    ids = _ids(_one(doc, "ArticleIdList"))
    abstract, sections = _abstract(_one(doc, "Abstract"))
    pmid = normalise_pmid(_text(doc, "PMID"))
    authors, extra = _book_people(doc, book)
    extra.update(_book_details(book, book_title, ids))
    return Citation(
        raw="",
        line=0,
        title=chapter or book_title,
        abstract=abstract,
        sections=sections,
        authors=authors,
        year=_year(_one(book, "PubDate")),
        journal=book_title if chapter else None,
        volume=_text(book, "Volume"),
        pages=_pages(_one(doc, "Pagination")),
        doi=normalise_doi(
            ids.get("doi")
            or _elocation_doi(doc.get("ELocationID", []), book.get("ELocationID", []))
        ),
        pmid=pmid,
        pmcid=normalise_pmcid(ids.get("pmc")),
        language=_languages(doc),
        publication_types=_clean_list(e.text for e in doc.get("PublicationType", [])),
        keywords=_keywords(doc.get("KeywordList", [])),
        record_type="book chapter" if chapter else "book",
        source_record_id=pmid,
        extra=extra,
    )


def _book_people(
    doc: dict[Any, list[Any]], book: dict[Any, list[Any]]
) -> tuple[list[str], dict[str, Any]]:
    """Authors (the chapter's, else the book's) and extra["editors"] / extra["book_authors"]."""
    found: dict[tuple[str, str], list[str]] = {}
    for level, groups in (("chapter", doc), ("book", book)):
        for author_list in groups.get("AuthorList", []):
            kind = author_list.get("Type") or "authors"
            found.setdefault((level, kind), []).extend(_authors(author_list))
    chapter_authors = found.get(("chapter", "authors"), [])
    book_authors = found.get(("book", "authors"), [])
    editors = found.get(("chapter", "editors"), []) + found.get(("book", "editors"), [])
    extra: dict[str, Any] = {}
    if editors:
        extra["editors"] = _clean_list(editors)
    if chapter_authors and book_authors:
        extra["book_authors"] = book_authors
    return chapter_authors or book_authors, extra


def _book_details(
    book: dict[Any, list[Any]], book_title: str | None, ids: dict[str, str]
) -> dict[str, Any]:
    publisher = _groups(_one(book, "Publisher"))
    details = {
        "book_title": book_title,
        "book_accession": _clean(ids.get("bookaccession")),
        "publisher": _text(publisher, "PublisherName"),
        "publisher_location": _text(publisher, "PublisherLocation"),
        "isbn": _clean_list(e.text for e in book.get("Isbn", [])),
    }
    return {key: value for key, value in details.items() if value}
