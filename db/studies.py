"""Study links and full-text attachments: reviewer events on reports, read per cluster.

Both tables (m012) hold append-only events pointing at any member record of a report's
duplicate cluster; the cluster is derived when read (as decisions are), so a dedup merge or
split never rewrites them. A report's link in force is the latest event on any member of its
cluster, by (created_at, uuid), that is not an undo and has not been undone: the same in every
copy whatever order the events were merged in. Its full texts are every attachment on any
member not undone, newest first. Queries only: which clusters are reports comes from
screening's full-text stage (extraction/studies/reports.py).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.errors import busy_is_an_error

STUDY_LINKS, FULL_TEXTS = "study_links", "full_texts"

_IN_FORCE = """
SELECT uuid, record_id, cluster_id, {target}, reviewer, created_at FROM (
    SELECT e.*, coalesce(m.cluster_id, e.record_id) AS cluster_id,
           row_number() OVER (
               PARTITION BY coalesce(m.cluster_id, e.record_id){partition}
               ORDER BY e.created_at DESC, e.uuid DESC
           ) AS latest
    FROM {table} e
    LEFT JOIN dedup_members m ON m.record_id = e.record_id
    WHERE e.undoes IS NULL
      AND NOT EXISTS (SELECT 1 FROM {table} u WHERE u.undoes = e.uuid)
) WHERE latest = 1 ORDER BY cluster_id, created_at DESC, uuid DESC
"""
# a report's link: the latest per cluster; its full texts: the latest per cluster and location
LINKS_IN_FORCE = _IN_FORCE.format(table=STUDY_LINKS, target="study_uuid", partition="")
FULL_TEXTS_IN_FORCE = _IN_FORCE.format(
    table=FULL_TEXTS, target="location", partition=", e.location"
)


@dataclass(frozen=True)
class Event:
    """A study link (target: the study's UUID, None = its own study) or a full-text
    attachment (target: a path relative to the review folder, or a URL), in force."""

    uuid: str
    record_id: int  # the member it was made on
    cluster_id: int
    target: str | None
    reviewer: str | None
    created_at: str


def links_in_force(db: Database) -> dict[int, Event]:
    """cluster id -> the study link in force on it."""
    return {row[2]: Event(*row) for row in db.execute(LINKS_IN_FORCE)}


def full_texts_in_force(db: Database) -> dict[int, list[Event]]:
    """cluster id -> its attachments, newest first (one per location)."""
    found: dict[int, list[Event]] = defaultdict(list)
    for row in db.execute(FULL_TEXTS_IN_FORCE):
        found[row[2]].append(Event(*row))
    return dict(found)


def record_events(
    db: Database, table: str, rows: Iterable[tuple[int, str | None]], who: str
) -> int:
    """Append (record id, study UUID or location) events by `who` in one transaction, and
    mark the dedup flags on those reports' events of this table as looked at."""
    when, rows = utc_now(), list(rows)
    target = "study_uuid" if table == STUDY_LINKS else "location"
    events = [
        {
            "uuid": str(uuid.uuid4()),
            "record_id": record_id,
            target: value,
            "reviewer": who,
            "undoes": None,
            "created_at": when,
        }
        for record_id, value in rows
    ]
    with busy_is_an_error(), db.atomic():
        db.table(table).insert_all(events)
        _resolve_flags(db, table, [record_id for record_id, _ in rows], when)
    return len(events)


def _resolve_flags(db: Database, table: str, record_ids: list[int], when: str) -> None:
    """A reviewer who links or attaches on a report has looked at it again."""
    for record_id in record_ids:
        db.execute(
            "UPDATE dedup_flags SET resolved_at = ? WHERE resolved_at IS NULL AND event = ? "
            "AND record_id IN (SELECT c.record_id FROM record_clusters c WHERE c.cluster_id = "
            "(SELECT cluster_id FROM record_clusters WHERE record_id = ?))",
            [when, table, record_id],
        )


def report_flags(db: Database) -> dict[int, list[str]]:
    """cluster id -> what dedup asked to look at again on its study links and full texts."""
    flags: dict[int, list[str]] = defaultdict(list)
    rows = db.execute(
        "SELECT c.cluster_id, f.detail FROM dedup_flags f "
        "JOIN record_clusters c ON c.record_id = f.record_id "
        "WHERE f.resolved_at IS NULL AND f.event IS NOT NULL ORDER BY f.id"
    )
    for cluster_id, detail in rows:
        if detail not in flags[cluster_id]:
            flags[cluster_id].append(detail)
    return dict(flags)


def cluster_records(db: Database, cluster_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """cluster id -> its member records (id, uuid, title, authors, year, doi, pmid), in
    import order."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    wanted = sorted(set(cluster_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = db.query(
            "SELECT coalesce(m.cluster_id, r.id) AS cluster_id, r.id, r.uuid, r.title, "
            "r.authors, r.year, r.doi, r.pmid FROM records r "
            "LEFT JOIN dedup_members m ON m.record_id = r.id "
            f"WHERE coalesce(m.cluster_id, r.id) IN ({', '.join('?' for _ in chunk)}) "
            "ORDER BY r.id",
            chunk,
        )
        for row in rows:
            found[row["cluster_id"]].append(row)
    return dict(found)


def record_texts(db: Database, record_ids: Iterable[int]) -> dict[int, str]:
    """record id -> the text a trial registration number may sit in: abstract, extra fields
    and the record as imported."""
    wanted = sorted(set(record_ids))
    texts: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = db.execute(
            "SELECT r.id, coalesce(r.abstract, ''), coalesce(r.extra, ''), coalesce(w.raw, '') "
            "FROM records r LEFT JOIN record_raw w ON w.id = r.raw_id "
            f"WHERE r.id IN ({', '.join('?' for _ in chunk)})",
            chunk,
        )
        texts.update((row[0], "\n".join(row[1:])) for row in rows)
    return texts


def review_uuid(db: Database) -> str:
    return str(db.execute("SELECT uuid FROM review WHERE id = 1").fetchone()[0])


def review_folder(db: Database) -> Path:
    """The folder holding the open review.db: stored paths are relative to it."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2]).parent


def attached_locations(db: Database, record_id: int) -> list[str]:
    """The full texts attached to this record's report, newest first: URLs as stored, paths
    made absolute against the review folder (wherever this copy of it is)."""
    rows = db.execute(
        "SELECT location FROM (" + FULL_TEXTS_IN_FORCE + ") WHERE cluster_id = "
        "(SELECT cluster_id FROM record_clusters WHERE record_id = ?) "
        "ORDER BY created_at DESC, uuid DESC",
        [record_id],
    )
    folder = review_folder(db)
    return [loc if "://" in loc else str(folder / loc) for (loc,) in rows]
