"""Two reviewers: the decision in force per duplicate cluster, ordered by time and UUID;
conflict resolutions; the review's seed for drawing the dual-review sample.

current_decisions was per record and ordered by row id, so merged copies of a review could
disagree and two copies of one paper could carry two verdicts. Now a reviewer's decision in
force at a stage is, per duplicate cluster, their latest event on any member that is not an
undo and has not been undone, ordered by (created_at, uuid): the same in every copy, whatever
order events were merged in. Person's dedup verdicts are ordered the same way.
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database

CURRENT_DECISIONS = """
SELECT * FROM (
    SELECT d.*, c.cluster_id,
           row_number() OVER (
               PARTITION BY c.cluster_id, d.stage, d.reviewer
               ORDER BY d.created_at DESC, d.uuid DESC
           ) AS latest
    FROM decisions d
    JOIN record_clusters c ON c.record_id = d.record_id
    WHERE d.verdict != 'undo'
      AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.uuid)
) WHERE latest = 1
"""

CURRENT_DEDUP_DECISIONS = """
SELECT * FROM (
    SELECT d.*,
           row_number() OVER (
               PARTITION BY d.record_a, d.record_b ORDER BY d.created_at DESC, d.uuid DESC
           ) AS latest
    FROM dedup_decisions d
    WHERE d.verdict != 'undo'
      AND NOT EXISTS (SELECT 1 FROM dedup_decisions u WHERE u.undoes = d.uuid)
) WHERE latest = 1
"""

# The adjudicator's settlement in force per cluster and stage, ordered like decisions.
CURRENT_RESOLUTIONS = """
SELECT * FROM (
    SELECT r.*, c.cluster_id,
           row_number() OVER (
               PARTITION BY c.cluster_id, r.stage ORDER BY r.created_at DESC, r.uuid DESC
           ) AS latest
    FROM resolutions r
    JOIN record_clusters c ON c.record_id = r.record_id
    WHERE r.verdict != 'undo'
      AND NOT EXISTS (SELECT 1 FROM resolutions u WHERE u.undoes = r.uuid)
) WHERE latest = 1
"""


def upgrade(db: Database) -> None:
    db.table("decisions").create_index(["undoes"])
    # a reviewer's events in the order they are folded (time, then UUID)
    db.table("decisions").create_index(["reviewer", "stage", "created_at", "uuid"])
    db.table("dedup_decisions").create_index(["undoes"])
    db.execute("DROP VIEW current_decisions")
    db.create_view("current_decisions", CURRENT_DECISIONS)
    db.execute("DROP VIEW current_dedup_decisions")
    db.create_view("current_dedup_decisions", CURRENT_DEDUP_DECISIONS)
    # An adjudicator's verdict on a conflict: an event like a decision (undo is a new event).
    db.table("resolutions").create(
        {
            "id": int,
            "uuid": str,
            "record_id": int,  # the record shown; the cluster is derived when read
            "stage": str,
            "adjudicator": str,
            "verdict": str,  # include, exclude, maybe, not-retrieved, undo
            "reason": str,
            "justification": str,
            "resolves": str,  # JSON list: uuids of the decisions in force it settled
            "undoes": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("record_id", "records", "id")],
        not_null={"uuid", "record_id", "stage", "adjudicator", "verdict", "created_at"},
    )
    db.table("resolutions").create_index(["uuid"], unique=True)
    db.table("resolutions").create_index(["record_id", "stage"])
    db.table("resolutions").create_index(["undoes"])
    db.create_view("current_resolutions", CURRENT_RESOLUTIONS)
    # the seed of the dual-review sample: drawn once, carried by every copy of the file
    db.table("review").add_column("sample_seed", str)
    db.execute("UPDATE review SET sample_seed = ?", [str(uuid.uuid4())])
