"""A parsed search (screening/query.py parses the language) as SQL over the records table.

The tree: Term leaves, All (every child matches), Any (one does) and Not. Words, prefixes and
phrases, in any text field or in title:, abstract:, author: or journal:, are looked up in the
FTS5 index (db/fts.py): whole words, never inside one ("rat" does not find "ratio"). Where a
branch of the tree holds only such terms, it becomes one FTS5 MATCH expression (one index
lookup). A bare word that looks like a PMID or a DOI also finds the record it identifies,
as `records --search` did. The other fields (type, MeSH and keyword entries, year,
identifiers, database) are plain SQL beside it, on each record's facets (record_facets,
aliased f: db/fts.py says why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.fts import FACETS_TABLE, INDEX_TABLE, ready_for_search

# query field -> FTS5 column; None: any indexed column
INDEX_FIELDS: dict[str | None, str | None] = {
    None: None,
    "title": "title",
    "abstract": "abstract",
    "author": "authors",
    "journal": "journal",
}
_LIST_COLUMN = {"type": "publication_types", "mesh": "mesh_terms", "keyword": "keywords"}
_PMID = re.compile(r"\d{6,9}")
_MATCH = f"SELECT rowid FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH ?"


@dataclass(frozen=True)
class Term:
    field: str | None  # None: any text field
    value: str
    bounds: tuple[int, int] | None = None  # year: the inclusive range
    prefix: bool = False  # word*: any word starting with value
    phrase: bool = False  # "quoted": the words in this order (or one exact entry for lists)


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | All | Any_ | Not
Sql = tuple[str, list[Any]]


def record_ids_matching(db: Database, query: Node | None) -> set[int]:
    """The ids of the records that match the query (every record when it is None)."""
    if query is None:
        return {row[0] for row in db.execute("SELECT id FROM records")}
    ready_for_search(db, uses_index(query))
    fts = _match_expression(query)
    if fts is not None:  # all of it is words: the index alone answers
        return {row[0] for row in db.execute(_MATCH, [fts])}
    sql, params = where_sql(query)
    return {row[0] for row in db.execute(f"SELECT f.id FROM {FACETS_TABLE} f WHERE {sql}", params)}


def records_where(db: Database, query: Node) -> Sql:
    """A WHERE condition on records (aliased r) for the query, with the index brought up to
    date first."""
    ready_for_search(db, uses_index(query))
    fts = _match_expression(query)
    if fts is not None:
        return f"r.id IN ({_MATCH})", [fts]
    sql, params = where_sql(query)
    return f"r.id IN (SELECT f.id FROM {FACETS_TABLE} f WHERE {sql})", params


def uses_index(node: Node) -> bool:
    if isinstance(node, Term):
        return node.field in INDEX_FIELDS
    if isinstance(node, Not):
        return uses_index(node.child)
    return any(uses_index(child) for child in node.children)


def where_sql(node: Node) -> Sql:
    """The node as an SQL condition on a record's facets f."""
    fts = _match_expression(node)
    if fts is not None:
        return f"f.id IN ({_MATCH})", [fts]
    if isinstance(node, Term) and _identifier(node):
        column, value = _identifier(node) or ("", "")
        return f"f.id IN ({_MATCH}) OR {column} = ?", [_fts_term(node), value]
    if isinstance(node, Term):
        return _field_sql(node)
    if isinstance(node, Not):
        sql, params = where_sql(node.child)
        return f"NOT coalesce(({sql}), 0)", params
    if isinstance(node, Any_):
        return _joined(" OR ", [where_sql(c) for c in node.children])
    # All: its word terms in one MATCH, the rest beside it
    words = [c for c in node.children if _match_expression(c) is not None]
    others = [c for c in node.children if _match_expression(c) is None]
    parts = [where_sql(All(tuple(words)) if len(words) > 1 else words[0])] if words else []
    return _joined(" AND ", parts + [where_sql(c) for c in others])


def _joined(op: str, parts: list[Sql]) -> Sql:
    return op.join(f"({sql})" for sql, _ in parts), [p for _, params in parts for p in params]


def _match_expression(node: Node) -> str | None:
    """The node as an FTS5 query, or None if some of it is not in the index (or it is a bare
    negation, which FTS5 cannot say: "a NOT b" needs an a)."""
    if isinstance(node, Term):
        known = node.field in INDEX_FIELDS and not _identifier(node)
        return _fts_term(node) if known else None
    if isinstance(node, Not):
        return None
    if isinstance(node, Any_):
        parts = [_match_expression(c) for c in node.children]
        return None if None in parts else " OR ".join(f"({p})" for p in parts)
    wanted = [_match_expression(c) for c in node.children if not isinstance(c, Not)]
    unwanted = [_match_expression(c.child) for c in node.children if isinstance(c, Not)]
    if not wanted or None in wanted or None in unwanted:
        return None
    expression = " AND ".join(f"({p})" for p in wanted)
    return expression + "".join(f" NOT ({p})" for p in unwanted)


def _fts_term(term: Term) -> str:
    column = INDEX_FIELDS[term.field]
    text = '"' + term.value.replace('"', '""') + '"' + (" *" if term.prefix else "")
    return f"{{{column}}} : {text}" if column else text


def _identifier(term: Term) -> tuple[str, str] | None:
    """A bare word that looks like a PMID or a DOI is looked for as one too: (column, value)."""
    if term.field is not None or term.prefix or term.phrase:
        return None
    if _PMID.fullmatch(term.value):
        return "f.pmid", term.value
    if term.value.startswith("10.") and "/" in term.value:
        return "lower(f.doi)", term.value.lower()
    return None


def _field_sql(term: Term) -> Sql:
    value = term.value
    if term.field in ("source", "db"):  # the record's own database (db/records.py)
        return "f.id IN (SELECT id FROM records WHERE database LIKE ? ESCAPE '\\')", [_like(value)]
    if term.field in _LIST_COLUMN:
        column = _LIST_COLUMN[term.field]
        sql = f"EXISTS (SELECT 1 FROM json_each(f.{column}) j WHERE lower(j.value) GLOB ?)"
        pattern = _glob(value.lower()) + ("*" if term.prefix else "")
        return sql, [pattern]
    if term.field == "year":
        if term.bounds is None:
            raise ValueError("a year term needs its bounds")
        return "f.year BETWEEN ? AND ?", list(term.bounds)
    if term.field == "doi":
        return "lower(f.doi) = ?", [value.lower()]
    if term.field == "pmid":
        return "f.pmid = ?", [value]
    raise ValueError(f"unknown search field {term.field!r}")


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _glob(value: str) -> str:
    """A GLOB pattern where only * is special (the user's wildcard)."""
    return value.replace("[", "[[]").replace("?", "[?]")
