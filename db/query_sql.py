"""Records matching parsed query terms, as SQL (screening/query.py parses the query language)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlite_utils import Database

_TEXT_COLUMNS = ("title", "abstract", "authors", "journal", "keywords", "mesh_terms")
_FIELD_COLUMN = {
    "title": "title",
    "abstract": "abstract",
    "author": "authors",
    "journal": "journal",
}
_LIST_COLUMN = {"type": "publication_types", "mesh": "mesh_terms", "keyword": "keywords"}


class SearchTerm(Protocol):
    @property
    def field(self) -> str | None: ...
    @property
    def value(self) -> str: ...
    @property
    def negated(self) -> bool: ...
    @property
    def bounds(self) -> tuple[int, int] | None: ...  # year: the inclusive range


def record_ids_matching(db: Database, terms: Sequence[SearchTerm]) -> set[int]:
    """The ids of records that match every term."""
    clauses, params = [], []
    for term in terms:
        clause, values = _clause(term)
        clauses.append(f"NOT coalesce(({clause}), 0)" if term.negated else clause)
        params.extend(values)
    sql = "SELECT r.id FROM records r"
    if clauses:
        sql += " WHERE " + " AND ".join(f"({c})" for c in clauses)
    return {row[0] for row in db.execute(sql, params).fetchall()}


def _clause(term: SearchTerm) -> tuple[str, list[Any]]:
    value = term.value
    if term.field is None:
        like = _like(value)
        return " OR ".join(f"r.{c} LIKE ? ESCAPE '\\'" for c in _TEXT_COLUMNS), [like] * len(
            _TEXT_COLUMNS
        )
    if term.field in _FIELD_COLUMN:
        return f"r.{_FIELD_COLUMN[term.field]} LIKE ? ESCAPE '\\'", [_like(value)]
    if term.field == "source":
        sql = "r.database LIKE ? ESCAPE '\\'"  # the record's own database (db/records.py)
        return sql, [_like(value)]
    if term.field in _LIST_COLUMN:
        column = _LIST_COLUMN[term.field]
        sql = f"EXISTS (SELECT 1 FROM json_each(r.{column}) j WHERE lower(j.value) GLOB ?)"
        return sql, [_glob(value.lower())]
    if term.field == "year":
        if term.bounds is None:
            raise ValueError("a year term needs its bounds")
        return "r.year BETWEEN ? AND ?", list(term.bounds)
    if term.field == "doi":
        return "lower(r.doi) = ?", [value.lower()]
    if term.field == "pmid":
        return "r.pmid = ?", [value]
    raise ValueError(f"unknown search field {term.field!r}")


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _glob(value: str) -> str:
    """A GLOB pattern where only * is special (the user's wildcard)."""
    return value.replace("[", "[[]").replace("?", "[?]")
