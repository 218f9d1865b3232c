"""The search index (db/fts.py): the view its text is read from, the records' facets, the mark
of how far it has indexed, and the FTS5 table itself, filled here for the records a review
already holds.

If this Python's SQLite lacks FTS5, all but the FTS5 table are created: the review still
opens, and the first search of words says what is missing (db.fts.ready_for_search), then
creates and fills the index once run by a Python that has it.
"""

from __future__ import annotations

from sqlite_utils import Database

from db.fts import FACETS_TABLE, TEXT_VIEW, create_index, index_new_records


def _list_text(column: str) -> str:
    """A JSON list column as its entries joined by "; " (the JSON's quotes and escapes would
    otherwise be indexed: "M\\u00fcller")."""
    return (
        f"CASE WHEN json_valid(r.{column}) THEN (SELECT group_concat(j.value, '; ') "
        f"FROM json_each(r.{column}) j) ELSE r.{column} END"
    )


def upgrade(db: Database) -> None:
    db.create_view(
        TEXT_VIEW,
        f"""
        SELECT r.id, r.title, r.abstract, {_list_text("authors")} AS authors, r.journal,
               {_list_text("keywords")} AS keywords, {_list_text("mesh_terms")} AS mesh_terms
        FROM records r
        """,
    )
    db.table(FACETS_TABLE).create(
        {
            "id": int,
            "year": int,
            "pmid": str,
            "doi": str,
            "publication_types": str,
            "mesh_terms": str,
            "keywords": str,
        },
        pk="id",
    )
    db.execute("CREATE TABLE search_index_state (indexed_through INTEGER NOT NULL)")
    db.execute("INSERT INTO search_index_state VALUES (0)")
    create_index(db)
    index_new_records(db)
