"""Sources: one imported file or one harvest, with what PRISMA-S asks to be reported.

A removed source (db/migrations/m016_source_events.py) keeps its rows; the views that count
or screen records read them through the filters below, so its records leave screening, dedup
and PRISMA in one place each.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from db.tables import insert_row


def source_by_sha256(db: Database, sha256: str) -> dict[str, Any] | None:
    rows = list(db.table("sources").rows_where("sha256 = ?", [sha256], limit=1))
    return rows[0] if rows else None


def insert_source(db: Database, row: dict[str, Any]) -> int:
    return insert_row(db, "sources", row)


# records whose source is in force (r: the records table)
RECORD_IN_FORCE = "r.source_id NOT IN (SELECT source_id FROM removed_sources)"


def removed_any(db: Database) -> bool:
    """Whether any source is removed: the filters cost nothing in a review where none is."""
    return db.execute("SELECT 1 FROM removed_sources LIMIT 1").fetchone() is not None


def clusters_in_force(db: Database, cluster_column: str) -> str:
    """An SQL condition keeping the duplicate clusters (cluster_column holds a cluster id)
    with at least one record from a source in force; "1" when no source is removed."""
    if not removed_any(db):
        return "1"
    return (
        f"{cluster_column} IN (SELECT c.cluster_id FROM record_clusters c "
        f"JOIN records r ON r.id = c.record_id WHERE {RECORD_IN_FORCE})"
    )


def canonical_ids_in_force(db: Database) -> set[int] | None:
    """The canonical records (one per duplicate cluster, or the record alone) of the clusters
    with a record from a source in force, as screening counts them; None when no source is
    removed (then every cluster is)."""
    if not removed_any(db):
        return None
    return {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT coalesce(m.canonical_id, r.id) FROM records r "
            f"LEFT JOIN dedup_members m ON m.record_id = r.id WHERE {RECORD_IN_FORCE}"
        )
    }


def shown_for(db: Database, record_id: int) -> int:
    """The record whose text stands for the cluster record_id names: itself, or while its
    source is removed, the cluster's first record from a source in force, as a deduplicated
    export keeps (itself when there is none)."""
    if not removed_any(db):
        return record_id
    row = db.execute(
        "SELECT r.id FROM record_clusters c JOIN records r ON r.id = c.record_id "
        "WHERE c.cluster_id = (SELECT cluster_id FROM record_clusters WHERE record_id = ?) "
        f"AND {RECORD_IN_FORCE} ORDER BY r.id != ?, r.id LIMIT 1",
        [record_id, record_id],
    ).fetchone()
    return row[0] if row else record_id


def source_counts(db: Database) -> list[dict[str, Any]]:
    """Per source in force: what it is and how many records it brought."""
    kept = [row for row in all_sources(db) if not row["removed"]]
    for row in kept:
        del row["removed"]
    return kept


def all_sources(db: Database) -> list[dict[str, Any]]:
    """Per source, removed ones too (removed: 1 or 0): what it is and its records."""
    return list(
        db.query(
            """
            SELECT s.id, s.kind, s.database, s.file_name, s.format, s.query, s.imported_at,
                   s.record_count, count(r.id) AS records,
                   s.id IN (SELECT source_id FROM removed_sources) AS removed
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
            f"""
            SELECT database, count(*) AS records, count(DISTINCT source_id) AS sources
            FROM records r WHERE {RECORD_IN_FORCE} GROUP BY database ORDER BY min(id)
            """
        )
    )


def cluster_count(db: Database) -> int:
    """Records once deduplicated: one per duplicate cluster (PRISMA's "records screened")."""
    row = db.execute(
        "SELECT count(*) FROM record_clusters WHERE record_id = cluster_id "
        f"AND {clusters_in_force(db, 'cluster_id')}"
    )
    return int(row.fetchone()[0])
