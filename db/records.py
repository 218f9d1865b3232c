"""Records: staging an import outside the write lock, committing it in one quick step, queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlite_utils import Database

# Columns an importer fills (everything but id and source_id), in table order.
RECORD_COLUMNS = (
    "uuid",
    "position",
    "source_record_id",
    "record_type",
    "title",
    "abstract",
    "abstract_sections",
    "authors",
    "year",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "language",
    "publication_types",
    "mesh_terms",
    "keywords",
    "urls",
    "extra",
    "raw",
    "line",
)
JSON_COLUMNS = ("abstract_sections", "authors", "publication_types", "mesh_terms", "keywords")
_COLS = ", ".join(RECORD_COLUMNS)
_MARKS = ", ".join("?" for _ in RECORD_COLUMNS)


class Staging:
    """A TEMP table holding an import's rows until they are committed in one statement.

    A 100k-record import parses for seconds; staging in the connection's temp database takes no
    lock on the review file, so a reviewer screening the same file waits milliseconds at most.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        db.execute("DROP TABLE IF EXISTS temp.staged_records")
        db.execute(f"CREATE TEMP TABLE staged_records ({_COLS})")
        self.count = 0

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        cursor = self.db.conn.executemany(
            f"INSERT INTO temp.staged_records ({_COLS}) VALUES ({_MARKS})", rows
        )
        self.count += cursor.rowcount
        # sqlite3 opened an implicit transaction for the INSERT; end it now (it touched only the
        # temp database) so that the final copy runs in a real transaction of its own, not a
        # savepoint inside this one that closing the connection would roll back.
        self.db.conn.commit()

    def commit_into(self, source_id: int) -> None:
        """Copy the staged rows into records; the caller holds the transaction."""
        self.db.execute(
            f"INSERT INTO records (source_id, {_COLS}) "
            f"SELECT ?, {_COLS} FROM temp.staged_records ORDER BY rowid",
            [source_id],
        )

    def drop(self) -> None:
        self.db.execute("DROP TABLE IF EXISTS temp.staged_records")


def search_records(
    db: Database, text: str | None = None, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Whole records with the database and file they came from, in import order.

    text matches the title, abstract or authors (case-insensitive substring), a DOI or a PMID.
    """
    sql = "SELECT r.*, s.database, s.file_name FROM records r JOIN sources s ON s.id = r.source_id"
    params: list[Any] = []
    if text:
        like = f"%{text}%"
        sql += (
            " WHERE r.title LIKE ? OR r.abstract LIKE ? OR r.authors LIKE ?"
            " OR r.doi = ? OR r.pmid = ?"
        )
        params = [like, like, like, text.lower(), text]
    sql += " ORDER BY r.id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    yield from db.query(sql, params)


def record_count(db: Database) -> int:
    return db["records"].count
