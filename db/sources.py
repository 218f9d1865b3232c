"""Sources: one imported file or one harvest, with what PRISMA-S asks to be reported."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from db.tables import insert_row


def source_by_sha256(db: Database, sha256: str) -> dict[str, Any] | None:
    rows = list(db.table("sources").rows_where("sha256 = ?", [sha256], limit=1))
    return rows[0] if rows else None


def insert_source(db: Database, row: dict[str, Any]) -> int:
    return insert_row(db, "sources", row)


def source_counts(db: Database) -> list[dict[str, Any]]:
    """Per source: what it is and how many records it brought."""
    return list(
        db.query(
            """
            SELECT s.id, s.kind, s.database, s.file_name, s.format, s.query, s.imported_at,
                   s.record_count, count(r.id) AS records
            FROM sources s LEFT JOIN records r ON r.source_id = s.id
            GROUP BY s.id ORDER BY s.id
            """
        )
    )


def database_counts(db: Database) -> list[dict[str, Any]]:
    """Per database, as each record names it (records.database): its records and the
    sources they came in, in order of first import (PRISMA's "identified from" each
    database, which a file mixing databases splits among them)."""
    return list(
        db.query(
            """
            SELECT database, count(*) AS records, count(DISTINCT source_id) AS sources
            FROM records GROUP BY database ORDER BY min(id)
            """
        )
    )


def cluster_count(db: Database) -> int:
    """Records once deduplicated: one per duplicate cluster (PRISMA's "records screened")."""
    row = db.execute("SELECT count(*) FROM record_clusters WHERE record_id = cluster_id")
    return int(row.fetchone()[0])
