"""A Citation as a row of the records table (db.records.RecordFields), and back (for exports
and screens)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from db.records import NewRecord, RecordFields
from screening.citation import Citation, Section
from screening.citation_cleanup import tidy_citation

# one encoder, made once: json.dumps builds a new one for every call with options
_json = json.JSONEncoder(ensure_ascii=False).encode


def citation_fields(c: Citation) -> RecordFields:
    """The costly part of a records row (a fresh uuid, JSON lists): everything but the position
    and the raw text, so worker processes can build it and send back only what they made.
    The citation gets the rules every format shares first (citation_cleanup)."""
    c = tidy_citation(c)
    return RecordFields(
        uuid=str(uuid.uuid4()),
        source_record_id=c.source_record_id,
        record_type=c.record_type,
        title=c.title,
        abstract=c.abstract,
        abstract_sections=_sections_json(c.sections),
        authors=_json(c.authors),
        year=c.year,
        journal=c.journal,
        journal_abbrev=c.journal_abbrev,
        volume=c.volume,
        issue=c.issue,
        pages=c.pages,
        doi=c.doi,
        pmid=c.pmid,
        pmcid=c.pmcid,
        issn=c.issn,
        language=c.language,
        publication_types=_json(c.publication_types),
        mesh_terms=_json(c.mesh_terms),
        keywords=_json(c.keywords),
        urls=_json(c.urls) if c.urls else None,
        extra=_json(c.extra) if c.extra else None,
        line=c.line,
    )


def _sections_json(sections: list[Section]) -> str | None:
    return _json([{"label": s.label, "text": s.text} for s in sections]) if sections else None


def citation_row(c: Citation, position: int) -> NewRecord:
    """A Citation as a record to stage (db.records.Staging.add)."""
    return NewRecord(citation_fields(c), position, c.raw)


def row_citation(row: dict[str, Any]) -> Citation:
    """A records row (or a row of a view over it) as a Citation; the record's own database
    (records.database), where the row has it, is its extra["database"]."""

    def load(column: str, empty: Any) -> Any:
        value = row.get(column)
        return json.loads(value) if value else empty

    extra = load("extra", {}) | ({"database": row["database"]} if row.get("database") else {})

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
        extra=extra,
    )
