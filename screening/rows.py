"""A Citation as a row of the records table, and back (for exports and screens)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from screening.citation import Citation, Section

# one encoder, made once: json.dumps builds a new one for every call with options
_json = json.JSONEncoder(ensure_ascii=False).encode


def citation_fields(c: Citation) -> tuple[Any, ...]:
    """The costly part of a records row (a fresh uuid, JSON lists): everything but the position
    and the raw text, so worker processes can build it and send back only what they made."""
    return (
        str(uuid.uuid4()),
        c.source_record_id,
        c.record_type,
        c.title,
        c.abstract,
        _json([{"label": s.label, "text": s.text} for s in c.sections]) if c.sections else None,
        _json(c.authors),
        c.year,
        c.journal,
        c.journal_abbrev,
        c.volume,
        c.issue,
        c.pages,
        c.doi,
        c.pmid,
        c.pmcid,
        c.issn,
        c.language,
        _json(c.publication_types),
        _json(c.mesh_terms),
        _json(c.keywords),
        _json(c.urls) if c.urls else None,
        _json(c.extra) if c.extra else None,
        c.line,
    )


# where citation_fields keeps the PMID
FIELDS_PMID = 14


def fields_row(fields: tuple[Any, ...], position: int, raw: str) -> tuple[Any, ...]:
    """citation_fields plus position and raw: a records row in db.records.RECORD_COLUMNS order."""
    return (fields[0], position, *fields[1:-1], raw, fields[-1])


def citation_row(c: Citation, position: int) -> tuple[Any, ...]:
    """A Citation as a records row, in db.records.RECORD_COLUMNS order."""
    return fields_row(citation_fields(c), position, c.raw)


def row_citation(row: dict[str, Any]) -> Citation:
    """A records row (or a row of a view over it) as a Citation."""

    def load(column: str, empty: Any) -> Any:
        value = row.get(column)
        return json.loads(value) if value else empty

    return Citation(
        raw=row.get("raw") or "",
        line=row.get("line") or 0,
        title=row.get("title"),
        abstract=row.get("abstract"),
        sections=[Section(s["label"], s["text"]) for s in load("abstract_sections", [])],
        authors=load("authors", []),
        year=row.get("year"),
        journal=row.get("journal"),
        journal_abbrev=row.get("journal_abbrev"),
        volume=row.get("volume"),
        issue=row.get("issue"),
        pages=row.get("pages"),
        doi=row.get("doi"),
        pmid=row.get("pmid"),
        pmcid=row.get("pmcid"),
        issn=row.get("issn"),
        language=row.get("language"),
        publication_types=load("publication_types", []),
        mesh_terms=load("mesh_terms", []),
        keywords=load("keywords", []),
        urls=load("urls", []),
        record_type=row.get("record_type"),
        source_record_id=row.get("source_record_id"),
        extra=load("extra", {}),
    )
