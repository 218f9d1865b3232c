"""The normalised citation every importer yields, whatever the file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Section:
    """One part of an abstract; label is None for an unlabelled paragraph."""

    label: str | None
    text: str


@dataclass(slots=True)
class Citation:
    """A record as one database delivered it, normalised.

    Conventions every importer follows:
    - strings are stripped, inner whitespace collapsed, empty strings become None;
    - authors are display names as the source gives them, "Surname, Given" where possible;
    - doi is lower case without a URL or "doi:" prefix; pmid is digits; pmcid is "PMC" + digits;
    - abstract is the plain text; sections keeps its labelled parts when the source has them
      (the abstract then reads "LABEL: text" paragraphs joined by a blank line);
    - raw is the record exactly as it stood in the file; line is where it starts (1-based).
    """

    raw: str
    line: int
    title: str | None = None
    abstract: str | None = None
    sections: list[Section] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    journal_abbrev: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    issn: str | None = None
    language: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    record_type: str | None = None  # e.g. "article", "book", "conference paper"
    source_record_id: str | None = None  # the database's own id: Embase L-number, WoS UT, ...
    extra: dict[str, Any] = field(default_factory=dict)  # anything else worth keeping
