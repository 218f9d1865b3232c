"""PubMed harvests: the plan (windows, PMIDs, batches) and its progress."""

from __future__ import annotations

from sqlite_utils import Database


def upgrade(db: Database) -> None:
    db.table("harvests").create(
        {
            "id": int,
            "key": str,  # sha256 of what identifies the command: a rerun finds its harvest
            "source_id": int,
            "kind": str,  # "search" or "pmids"
            "term": str,
            "datetype": str,
            "date_from": str,  # the window, fixed at the first run (YYYY/MM/DD)
            "date_to": str,
            "max_records": int,
            "count": int,  # what ESearch counted over the whole window (or PMIDs in the list)
            "state": str,  # planning, fetching, done
            "planned": int,  # PMIDs in the plan
            "landed": int,  # records landed
            "batch_size": int,
            "started_at": str,
            "finished_at": str,
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
        not_null={"key", "kind", "state", "started_at"},
    )
    db.table("harvests").create_index(["key"], unique=True)
    db.table("harvest_windows").create(
        {
            "id": int,
            "harvest_id": int,
            "label": str,
            "date_from": str,
            "date_to": str,
            "uid_lo": int,
            "uid_hi": int,
            "count": int,  # ESearch's count for the window
            "listed": int,  # PMIDs it listed
            "duplicates": int,  # listed PMIDs already planned from another window
        },
        pk="id",
        foreign_keys=[("harvest_id", "harvests", "id")],
        not_null={"harvest_id", "count"},
    )
    db.table("harvest_pmids").create(
        {"harvest_id": int, "position": int, "pmid": str, "window_id": int},
        pk=("harvest_id", "position"),
        foreign_keys=[("harvest_id", "harvests", "id"), ("window_id", "harvest_windows", "id")],
        not_null={"pmid"},
    )
    db.table("harvest_pmids").create_index(["harvest_id", "pmid"], unique=True)
    db.table("harvest_batches").create(
        {
            "harvest_id": int,
            "number": int,
            "first": int,  # plan positions, inclusive
            "last": int,
            "state": str,  # pending, done
            "landed": int,
            "missing": str,  # JSON list of PMIDs efetch did not return
            "via": str,  # history, ids or epost
            "done_at": str,
        },
        pk=("harvest_id", "number"),
        foreign_keys=[("harvest_id", "harvests", "id")],
        not_null={"first", "last", "state"},
    )
