"""Reports and studies as reviewer events: study links and full-text attachments.

m001 kept a `reports` row per record (record_id unique) and a `studies` table, which nothing
wrote. A report is a duplicate cluster sought at full text, and clusters are derived when
read (dedup merges and splits move records between them), so a row keyed to one record could
not follow its report. Both become append-only events on any member record, read per cluster
as decisions are: study_links (which study a report belongs to) and full_texts (a PDF or a
link attached to a report). A study is then the set of reports whose link in force names its
UUID; a report never linked is its own study (extraction/studies/grouping.py). A location the
old table held becomes an attachment event, with no reviewer (nobody is known to have made it).

dedup_flags gains `event`: the table of the event a flag is about (study_links, full_texts),
NULL for the screening decisions flagged so far.
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database

from db.clock import utc_now


def upgrade(db: Database) -> None:
    for name, target in (("study_links", "study_uuid"), ("full_texts", "location")):
        db.table(name).create(
            {
                "id": int,
                "uuid": str,
                "record_id": int,  # any member of the report's cluster; the cluster is derived
                target: str,  # study_links: NULL = the report is its own study again
                "reviewer": str,
                "undoes": str,  # uuid of the event this one cancels
                "created_at": str,
            },
            pk="id",
            foreign_keys=[("record_id", "records", "id")],
            not_null={"uuid", "record_id", "created_at"},
        )
        db.table(name).create_index(["uuid"], unique=True)
        db.table(name).create_index(["record_id"])
        db.table(name).create_index(["undoes"])
    db.table("dedup_flags").add_column("event", str)
    _carry_locations(db)
    db.execute("DROP TABLE reports")
    db.execute("DROP TABLE studies")


def _carry_locations(db: Database) -> None:
    rows = db.execute(
        "SELECT record_id, location, created_at FROM reports WHERE location IS NOT NULL"
    ).fetchall()
    db.table("full_texts").insert_all(
        {
            "uuid": str(uuid.uuid4()),
            "record_id": record_id,
            "location": location,
            "reviewer": None,
            "undoes": None,
            "created_at": created_at or utc_now(),
        }
        for record_id, location, created_at in rows
    )
