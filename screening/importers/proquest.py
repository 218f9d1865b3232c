"""ProQuest plain text ("Save as > Text only", "Download > Text"), one block per document.

The file opens with a report header, a line of 60 underscores around "Report Information
from ProQuest" and the date, then a table of contents. Each document follows, between lines of
60 underscores:

    Document 1 of 100

    Entrenchment and the Kripke-Wittgenstein paradox        <- the title as displayed

    Author: Dorst, Chris

    http://search.proquest.com/docview/1548716365?...        <- the document's link

    Abstract: Surprisingly little attention has been paid ...

    Links: http://...                                          <- link-resolver URLs

    Publication year: 2014
    ...
    Title: Entrenchment and the Kripke-Wittgenstein paradox

Fields are "Label: value" lines with blank lines between them; a value goes on over the
lines that follow until the next label (the abstract's paragraphs, a list of links). The
labels are English words, not tags, so only the labels below start a field inside an abstract
or a full text, where "Results: ..." is a paragraph. After the last document come an optional
"Bibliography" (the same documents in a citation style) and ProQuest's contact lines: both are
skipped. "Document n of N" must count 1, 2, ... N: a file that stops early is refused.

Choices: authors are split on ";" (several authors: "Smith, John; Doe, Jane"); the year is
"Publication year", else "Year", else the degree date of a thesis; pages are "Pages", else
"First page"; keywords join "Subject", "Identifier / keyword" and "Keywords"; "MeSH subject"
gives the MeSH terms; the ProQuest document ID is the source_record_id; the database
("ProQuest Dissertations & Theses Global", "ProQuest Central") is extra["database"].
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    normalise_pmid,
    parse_year,
    record_type,
    split_keywords,
)

NAME = "proquest"

_RULE = "_" * 60
_DOCUMENT = re.compile(r"Document (\d+) of (\d+)")
_LABEL = re.compile(r"([A-Z][A-Za-z0-9 /&,()'-]{0,50}?): ?(.*)")
_PROSE = ("Abstract", "Full text")
_KNOWN = frozenset(
    (
        *_PROSE, "Title", "Author", "Links", "Publication title", "Volume", "Issue", "Pages",
        "First page", "Publication year", "Year", "Publication date", "Section", "Publisher",
        "Place of publication", "Country of publication", "Publication subject", "ISSN",
        "e-ISSN", "ISBN", "Source type", "Language of publication", "Language",
        "Document type", "Document feature", "DOI", "ProQuest document ID", "Document URL",
        "Copyright", "Last updated", "Database", "Subject", "Identifier / keyword", "Keywords",
        "MeSH subject", "PubMed ID", "Classification", "Advisor", "Committee member",
        "Degree", "Degree date", "Department", "Dissertation/thesis number", "Number of pages",
        "School code", "Source", "University/institution", "University location",
        "Author affiliation", "Location", "People", "Company / organization", "Update",
        "Accession number", "Conference title", "Supplement", "Publication note",
    )
)  # fmt: skip
# field label -> extra key, for what Citation has no field for
_EXTRA = {
    "Database": "database",
    "Publisher": "publisher",
    "Publication date": "publication_date",
    "ISBN": "isbn",
    "Source type": "source_type",
    "University/institution": "university",
    "Degree": "degree",
    "Advisor": "advisor",
    "Author affiliation": "author_affiliation",
}


def sniff(head: str) -> bool:
    """ProQuest's report header, or a first document with a ProQuest document ID."""
    lines = [line.strip() for line in head.lstrip("\ufeff").splitlines()[:6]]
    if _RULE in lines[:1] and "Report Information from ProQuest" in lines:
        return True
    return re.search(r"^Document 1 of \d+\s*$", head, re.MULTILINE) is not None and (
        "\nProQuest document ID: " in head
    )


@dataclass
class _Document:
    number: int
    total: int
    line: int
    lines: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    heading: str | None = None
    current: str | None = None

    def add(self, text: str) -> None:
        self.lines.append(text)
        line = text.strip()
        prose = self.current in _PROSE
        if not line:
            if prose:
                self.fields[self.current or ""][-1] += "\n\n"
            return
        label = _LABEL.fullmatch(line)
        known = label is not None and label.group(1) in _KNOWN
        if self.current is None and self.heading is None and not known:
            self.heading = line  # the title as displayed, whatever colons it has
        elif label and (known or not prose):
            self.current = label.group(1)
            self.fields.setdefault(self.current, []).append(label.group(2))
        elif line.startswith("http") and self.current not in ("Links", *_PROSE):
            self.urls.append(line)
        elif self.current not in (None, "Links"):
            self.fields[self.current][-1] += " " + line


def read(source: SourceFile, **options: object) -> Iterator[Citation]:
    """Stream one Citation per "Document n of N" block."""
    document: _Document | None = None
    count, total = 0, 0
    for number, text in source.lines():
        if text.strip() == _RULE:
            if document is not None:
                yield _citation(document)
                document = None
            continue
        started = _DOCUMENT.fullmatch(text.strip())
        if started and document is None:
            count += 1
            document = _start(source, number, started, count)
            total = document.total
        elif document is not None:
            document.add(text)
    if document is not None:
        yield _citation(document)
    if count != total:
        raise ParseError(
            source.path,
            f"the file holds {count} of the {total} documents it announces "
            f'("Document n of {total}"): it is cut short; export it again',
        )


def _start(source: SourceFile, line: int, found: re.Match[str], expected: int) -> _Document:
    document = _Document(int(found.group(1)), int(found.group(2)), line, [found.group(0)])
    if document.number != expected:
        raise ParseError(
            source.path,
            f"document {document.number} comes where document {expected} should be: "
            "the file has been cut or joined; export it again",
            line=line,
        )
    return document


def _citation(document: _Document) -> Citation:
    def text(*labels: str) -> str | None:
        for label in labels:
            value = clean(" ".join(document.fields.get(label, [])))
            if value:
                return value
        return None

    abstract, sections = abstract_parts("\n\n".join(document.fields.get("Abstract", [])))
    types = split_keywords(text("Document type"))
    keywords = [split_keywords(text(label)) for label in ("Subject", "Identifier / keyword")]
    citation = Citation(
        raw="\n".join(document.lines),
        line=document.line,
        title=text("Title") or document.heading,
        abstract=abstract,
        sections=sections,
        authors=author_list((text("Author") or "").split(";")),
        year=parse_year(text("Publication year", "Year", "Degree date")),
        journal=text("Publication title"),
        volume=text("Volume"),
        issue=text("Issue"),
        pages=expand_pages(text("Pages", "First page")),
        doi=normalise_doi(text("DOI")),
        pmid=normalise_pmid(text("PubMed ID")),
        issn=normalise_issn(text("ISSN", "e-ISSN")),
        language=normalise_language(text("Language of publication", "Language")),
        publication_types=types,
        mesh_terms=split_keywords(text("MeSH subject")),
        keywords=clean_list([*keywords[0], *keywords[1], *split_keywords(text("Keywords"))]),
        urls=clean_list([*document.urls, text("Document URL")]),
        record_type=_record_type(types),
        source_record_id=text("ProQuest document ID"),
    )
    extra = {key: text(label) for label, key in _EXTRA.items()}
    citation.extra = {key: value for key, value in extra.items() if value}
    return citation


def _record_type(types: list[str]) -> str | None:
    """ProQuest's "Dissertation/Thesis" is a thesis; the rest as every format names them."""
    if any("thesis" in kind.lower() for kind in types):
        return "thesis"
    return record_type(types)
