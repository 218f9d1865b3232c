"""Screening decisions: append-only events, each write its own transaction, read per reviewer.

An event never changes once written. Undo is a new event whose `undoes` names the event it
cancels; a bulk action's events share a `batch` uuid so one undo cancels them together.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError, busy_is_an_error


def record_decisions(
    db: Database, rows: Iterable[dict[str, Any]], then: Callable[[Database], object] | None = None
) -> None:
    """Append decision events in one transaction: committed to the file when this returns.
    then(db), if given, runs in the same transaction (keeping derived data in step).

    Refuses to run inside a transaction someone else left open: the events would be written
    but not committed, and a crash would lose them.
    """
    if db.conn.in_transaction:
        raise MetasiftError(
            "the review connection has uncommitted changes; decisions would not be saved"
        )
    with busy_is_an_error(), db.atomic():
        db.table("decisions").insert_all(rows, columns={"batch": str})
        if then is not None:
            then(db)


def record_ids(db: Database, leave_out: Container[int] = ()) -> Sequence[int]:
    """Record ids in import order, without those in leave_out. Records are never deleted, so
    the ids are normally one unbroken run: then a range answers at once, where a list of 100k
    ids takes ~0.1 s."""
    count, low, high = db.execute("SELECT count(*), min(id), max(id) FROM records").fetchone()
    if not count:
        return range(0)
    if high - low + 1 == count and not leave_out:
        return range(low, high + 1)
    ids = (row[0] for row in db.execute("SELECT id FROM records ORDER BY id"))
    return [rid for rid in ids if rid not in leave_out]


def duplicates(db: Database) -> dict[int, int]:
    """Records that deduplication found to be a copy of another: record id -> the canonical
    record of its cluster. Screening shows the canonical record only, and a decision on any
    member counts for the cluster (clusters are derived when read; decisions never move)."""
    if not db.table("dedup_members").exists():
        return {}
    rows = db.execute(
        "SELECT record_id, canonical_id FROM dedup_members WHERE record_id != canonical_id"
    )
    return dict(rows.fetchall())


def reviewer_events(db: Database, reviewer: str, stage: str) -> Iterator[dict[str, Any]]:
    """Every event of one reviewer at one stage, oldest first: by time, then UUID (never by
    row id, so merged copies read the same). Nobody else's: blinding."""
    return db.table("decisions").rows_where(
        "reviewer = ? AND stage = ?", [reviewer, stage], order_by="created_at, uuid"
    )


def tags_used(db: Database, reviewer: str) -> list[str]:
    """The tags this reviewer has put on decisions at any stage, sorted."""
    rows = db.query(
        "SELECT DISTINCT j.value AS tag FROM decisions d, json_each(d.tags) j "
        "WHERE d.reviewer = ? AND d.tags IS NOT NULL ORDER BY lower(j.value)",
        [reviewer],
    )
    return [row["tag"] for row in rows]


def decision_export_rows(
    db: Database,
    *,
    reviewer: str | None = None,
    stage: str | None = None,
    current_only: bool = False,
) -> Iterator[dict[str, Any]]:
    """Decision events with the record's identifiers, oldest first.

    `current` says whether the event is the one in force for its record, stage and reviewer
    (not undone and not superseded); undo events themselves are never current.
    """
    where, params = _export_filter({"d.reviewer": reviewer, "d.stage": stage}, current_only)
    sql = """
        SELECT d.uuid, d.record_id, r.uuid AS record_uuid, r.pmid, r.doi, r.title,
               d.reviewer, d.stage, d.verdict, d.reason, d.note, d.tags, d.undoes, d.batch,
               d.created_at, c.uuid IS NOT NULL AS current, k.cluster_id
        FROM decisions d
        JOIN records r ON r.id = d.record_id
        JOIN record_clusters k ON k.record_id = d.record_id
        LEFT JOIN current_decisions c ON c.uuid = d.uuid
    """
    yield from db.query(sql + where + " ORDER BY d.id", params)


def resolution_export_rows(
    db: Database,
    *,
    adjudicator: str | None = None,
    stage: str | None = None,
    current_only: bool = False,
) -> Iterator[dict[str, Any]]:
    """The adjudicators' resolutions with the record's identifiers, oldest first, shaped as
    decision_export_rows' rows (the adjudicator as reviewer); `current`: the one in force."""
    where, params = _export_filter({"r.adjudicator": adjudicator, "r.stage": stage}, current_only)
    sql = """
        SELECT r.uuid, r.record_id, rec.uuid AS record_uuid, rec.pmid, rec.doi, rec.title,
               r.adjudicator AS reviewer, r.stage, r.verdict, r.reason, r.justification,
               r.undoes, r.created_at, c.uuid IS NOT NULL AS current, k.cluster_id
        FROM resolutions r
        JOIN records rec ON rec.id = r.record_id
        JOIN record_clusters k ON k.record_id = r.record_id
        LEFT JOIN current_resolutions c ON c.uuid = r.uuid
    """
    yield from db.query(sql + where + " ORDER BY r.id", params)


def _export_filter(equal: dict[str, str | None], current_only: bool) -> tuple[str, list[str]]:
    """The WHERE clause of an export: each column equal to its value (None: any), and with
    current_only the event in force (the query joins it as c)."""
    where = [f"{column} = ?" for column, value in equal.items() if value is not None]
    where += ["c.uuid IS NOT NULL"] if current_only else []
    params = [value for value in equal.values() if value is not None]
    return (" WHERE " + " AND ".join(where) if where else ""), params


# Each duplicate cluster of a stage with the id of the first decision made on any of its
# records (undone or not): the order the team first decided them, which stopping guidance
# reads. Row ids, not times: decisions merged from a copy come after, as they were learnt.
FIRST_DECIDED = (
    "SELECT coalesce(m.cluster_id, d.record_id) AS cluster_id, min(d.id) AS first "
    "FROM decisions d LEFT JOIN dedup_members m ON m.record_id = d.record_id "
    "WHERE d.stage = :stage AND d.undoes IS NULL GROUP BY 1"
)


def first_decided(db: Database, stage: str) -> list[int]:
    """The clusters of the stage anyone has decided, in the order they were first decided."""
    rows = db.execute(f"SELECT cluster_id FROM ({FIRST_DECIDED}) ORDER BY first", {"stage": stage})
    return [row[0] for row in rows]
