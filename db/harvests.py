"""Harvest state: the plan of a PubMed harvest and its progress, so a rerun resumes it.

A harvest is planned once (its windows and the PMIDs each listed, in order), cut into batches,
and each batch is marked done in the same transaction that lands its records. The search log
people report (query, translation, window, count, records landed) lives on the source row; this
is the machinery behind it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from db.processes import process_alive
from db.tables import insert_row


def harvest_by_key(db: Database, key: str) -> dict[str, Any] | None:
    rows = list(db.table("harvests").rows_where("key = ?", [key], limit=1))
    return rows[0] if rows else None


def claim_harvest(db: Database, harvest_id: int, pid: int) -> int | None:
    """Mark the harvest as run by pid; returns the pid of a live process already running it
    (and changes nothing) instead."""
    try:
        # an UPDATE takes the write lock even when it matches nothing, so what follows is
        # decided by one process at a time
        sql = "UPDATE harvests SET running_pid = ? WHERE id = ? AND running_pid IS NULL"
        if db.execute(sql, [pid, harvest_id]).rowcount == 0:
            sql = "SELECT running_pid FROM harvests WHERE id = ?"
            (running,) = db.execute(sql, [harvest_id]).fetchone()
            if running != pid and process_alive(running):
                return int(running)
            sql = "UPDATE harvests SET running_pid = ? WHERE id = ?"
            db.execute(sql, [pid, harvest_id])  # take over from a process that died
    finally:
        db.conn.commit()
    return None


def release_harvest(db: Database, harvest_id: int, pid: int) -> None:
    db.execute(
        "UPDATE harvests SET running_pid = NULL WHERE id = ? AND running_pid = ?",
        [harvest_id, pid],
    )
    db.conn.commit()


def get_harvest(db: Database, harvest_id: int) -> dict[str, Any]:
    return dict(db.table("harvests").get(harvest_id))


def update_harvest(db: Database, harvest_id: int, **values: Any) -> None:
    db.table("harvests").update(harvest_id, values)


def planned_windows(db: Database, harvest_id: int) -> list[dict[str, Any]]:
    return list(
        db.table("harvest_windows").rows_where("harvest_id = ?", [harvest_id], order_by="id")
    )


def add_window(
    db: Database, harvest_id: int, window: dict[str, Any], pmids: Sequence[str], limit: int | None
) -> int:
    """Plan one window's PMIDs after those already planned, skipping any planned before and
    stopping at limit PMIDs in all; the caller holds the transaction. Returns the window id."""
    planned = _planned(db, harvest_id)
    seen = {
        row[0]
        for row in db.execute(
            "SELECT pmid FROM harvest_pmids WHERE harvest_id = ? "
            "AND pmid IN (SELECT value FROM json_each(?))",
            [harvest_id, json.dumps(list(pmids))],
        )
    }
    fresh = list(dict.fromkeys(p for p in pmids if p not in seen))
    if limit is not None:
        fresh = fresh[: max(0, limit - planned)]
    window_id = insert_row(
        db,
        "harvest_windows",
        {**window, "harvest_id": harvest_id, "duplicates": len(pmids) - len(set(pmids) - seen)},
    )
    db.table("harvest_pmids").insert_all(
        {"harvest_id": harvest_id, "position": planned + i, "pmid": p, "window_id": window_id}
        for i, p in enumerate(fresh, start=1)
    )
    update_harvest(db, harvest_id, planned=planned + len(fresh))
    return window_id


def _planned(db: Database, harvest_id: int) -> int:
    row = db.execute(
        "SELECT coalesce(max(position), 0) FROM harvest_pmids WHERE harvest_id = ?", [harvest_id]
    ).fetchone()
    return int(row[0])


def plan_batches(db: Database, harvest_id: int, batch_size: int) -> None:
    """Cut the planned PMIDs into batches of batch_size positions (once)."""
    total = _planned(db, harvest_id)
    db.table("harvest_batches").insert_all(
        {
            "harvest_id": harvest_id,
            "number": n,
            "first": first,
            "last": min(first + batch_size - 1, total),
            "state": "pending",
        }
        for n, first in enumerate(range(1, total + 1, batch_size), start=1)
    )


def pending_batches(db: Database, harvest_id: int) -> list[dict[str, Any]]:
    return list(
        db.table("harvest_batches").rows_where(
            "harvest_id = ? AND state = 'pending'", [harvest_id], order_by="number"
        )
    )


def batch_pmids(db: Database, harvest_id: int, first: int, last: int) -> list[tuple[str, int]]:
    """(pmid, window id) for plan positions first..last, in order."""
    return [
        (row[0], row[1])
        for row in db.execute(
            "SELECT pmid, window_id FROM harvest_pmids "
            "WHERE harvest_id = ? AND position BETWEEN ? AND ? ORDER BY position",
            [harvest_id, first, last],
        )
    ]


def window_positions(db: Database, harvest_id: int) -> dict[int, tuple[int, int]]:
    """Window id -> (first, last) plan position of its PMIDs."""
    return {
        row[0]: (row[1], row[2])
        for row in db.execute(
            "SELECT window_id, min(position), max(position) FROM harvest_pmids "
            "WHERE harvest_id = ? GROUP BY window_id",
            [harvest_id],
        )
    }


def finish_batch(
    db: Database, harvest_id: int, number: int, landed: int, missing: list[str], via: str, at: str
) -> None:
    done = db.execute(
        "UPDATE harvest_batches SET state = 'done', landed = ?, missing = ?, via = ?, done_at = ? "
        "WHERE harvest_id = ? AND number = ? AND state = 'pending'",
        [landed, json.dumps(missing), via, at, harvest_id, number],
    )
    if done.rowcount != 1:  # landed by another process: the caller's transaction rolls back
        raise RuntimeError(f"batch {number} of harvest {harvest_id} is not pending")


def window_report(db: Database, harvest_id: int, source_id: int) -> list[dict[str, Any]]:
    """Per window: ESearch's count, PMIDs listed and planned, records landed."""
    return list(
        db.query(
            """
            SELECT w.id, w.label, w.count, w.listed, w.duplicates,
                   count(p.pmid) AS planned, count(r.pmid) AS landed
            FROM harvest_windows w
            LEFT JOIN harvest_pmids p ON p.window_id = w.id
            LEFT JOIN records r ON r.source_id = :source AND r.pmid = p.pmid
            WHERE w.harvest_id = :harvest
            GROUP BY w.id ORDER BY w.id
            """,
            {"harvest": harvest_id, "source": source_id},
        )
    )


def missing_pmids(db: Database, harvest_id: int, window_id: int, source_id: int) -> list[str]:
    """Planned PMIDs of a window with no record landed."""
    return [
        row[0]
        for row in db.execute(
            "SELECT p.pmid FROM harvest_pmids p WHERE p.harvest_id = ? AND p.window_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM records r WHERE r.source_id = ? AND r.pmid = p.pmid) "
            "ORDER BY p.position",
            [harvest_id, window_id, source_id],
        )
    ]


def harvest_status(db: Database) -> dict[int, dict[str, Any]]:
    """Per source that is a harvest: its state, window, count and records landed (for
    `metasift status`; an unfinished one resumes when its command is run again)."""
    found = {
        row["source_id"]: row
        for row in db.query(
            "SELECT source_id, kind, state, term, datetype, date_from, date_to, count, "
            "max_records, planned, landed, started_at, finished_at, running_pid FROM harvests"
        )
    }
    for row in found.values():  # running_pid: the process fetching it now, if it still runs
        pid = row["running_pid"]
        row["running_pid"] = pid if pid is not None and process_alive(pid) else None
    return found
