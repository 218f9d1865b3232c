"""The search index (db/fts.py): the view its text is read from, the records' facets, the mark
of how far it has indexed, and the FTS5 table itself, filled here for the records a review
already holds.

If this Python's SQLite lacks FTS5, all but the FTS5 table are created: the review still
opens, and the first search of words says what is missing (db.fts.ready_for_search), then
creates and fills the index once run by a Python that has it.
"""

from __future__ import annotations

from sqlite_utils import Database

from db.fts import FACETS_TABLE, TEXT_VIEW, create_index, index_new_records, list_text


def upgrade(db: Database) -> None:
    db.create_view(
        TEXT_VIEW,
        f"""
        SELECT r.id, r.title, r.abstract, {list_text("authors")} AS authors, r.journal,
               {list_text("keywords")} AS keywords, {list_text("mesh_terms")} AS mesh_terms
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
