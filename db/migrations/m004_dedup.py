"""Duplicate clusters: dedup runs, machine verdicts on pairs, a person's verdicts, cluster
members, flags on decisions to look at again; what each holds is in db/dedup.py."""

from __future__ import annotations

from sqlite_utils import Database


def upgrade(db: Database) -> None:
    db.table("dedup_runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "records": int,
            "new_records": int,
            "last_record_id": int,  # records up to this id have been compared
            "pairs_compared": int,
            "skipped_blocks": str,  # JSON [[key, size], ...]: blocks too common to compare
            "settings": str,  # JSON: source priority and anything else the run was given
        },
        pk="id",
    )
    # record_a < record_b; outcome is "duplicate" or "doubtful"
    db.table("dedup_pairs").create(
        {
            "record_a": int,
            "record_b": int,
            "outcome": str,
            "rule": str,
            "score": float,
            "run_id": int,
        },
        pk=("record_a", "record_b"),
        foreign_keys=[
            ("record_a", "records", "id"),
            ("record_b", "records", "id"),
            ("run_id", "dedup_runs", "id"),
        ],
        not_null={"outcome", "rule"},
    )
    db.table("dedup_pairs").create_index(["record_b"])
    db.table("dedup_pairs").create_index(["outcome"])
    db.table("dedup_decisions").create(
        {
            "id": int,
            "uuid": str,
            "record_a": int,
            "record_b": int,
            "verdict": str,  # same, different, undo
            "reason": str,  # optional: conference abstract, erratum, preprint, split, ...
            "reviewer": str,
            "undoes": str,  # uuid of the event an undo cancels
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("record_a", "records", "id"), ("record_b", "records", "id")],
        not_null={"uuid", "record_a", "record_b", "verdict", "reviewer", "created_at"},
    )
    db.table("dedup_decisions").create_index(["uuid"], unique=True)
    db.table("dedup_decisions").create_index(["record_a", "record_b"])
    # how: canonical, rule (an identifier), score (similarity rules), reviewer; NULL = alone
    db.table("dedup_members").create(
        {
            "record_id": int,
            "cluster_id": int,
            "canonical_id": int,
            "how": str,
            "rule": str,
            "score": float,
            "reviewer": str,
        },
        pk="record_id",
        foreign_keys=[("record_id", "records", "id")],
        not_null={"cluster_id", "canonical_id"},
    )
    db.table("dedup_members").create_index(["cluster_id"])
    db.table("dedup_flags").create(
        {
            "id": int,
            "record_id": int,
            "decision_uuid": str,  # the screening decision that applied through the old cluster
            "reason": str,
            "detail": str,
            "created_at": str,
            "resolved_at": str,
        },
        pk="id",
        foreign_keys=[("record_id", "records", "id")],
        not_null={"record_id", "reason", "created_at"},
    )
    db.table("dedup_flags").create_index(["record_id"])
    # The latest person's verdict per pair that has not been undone.
    db.create_view(
        "current_dedup_decisions",
        """
        SELECT d.* FROM dedup_decisions d
        WHERE d.verdict != 'undo'
          AND d.uuid NOT IN (SELECT undoes FROM dedup_decisions WHERE undoes IS NOT NULL)
          AND d.id = (
            SELECT max(d2.id) FROM dedup_decisions d2
            WHERE d2.record_a = d.record_a AND d2.record_b = d.record_b AND d2.verdict != 'undo'
              AND d2.uuid NOT IN (SELECT undoes FROM dedup_decisions WHERE undoes IS NOT NULL)
          )
        """,
    )
    # Every record with its cluster; a record not yet deduplicated is its own cluster.
    db.create_view(
        "record_clusters",
        """
        SELECT r.id AS record_id,
               coalesce(m.cluster_id, r.id) AS cluster_id,
               coalesce(m.canonical_id, r.id) AS canonical_id
        FROM records r LEFT JOIN dedup_members m ON m.record_id = r.id
        """,
    )
