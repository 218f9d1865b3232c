"""Screening decisions: append-only events, and the view of those in force."""

from __future__ import annotations

from sqlite_utils import Database


def upgrade(db: Database) -> None:
    # Append-only screening events; undo is a new event pointing at the one it undoes.
    db.table("decisions").create(
        {
            "id": int,
            "uuid": str,
            "record_id": int,
            "reviewer": str,
            "stage": str,  # title-abstract, full-text
            "verdict": str,  # include, exclude, maybe, not-retrieved, undo
            "reason": str,
            "note": str,
            "tags": str,  # JSON list
            "undoes": str,  # uuid of the event this one undoes
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("record_id", "records", "id")],
        not_null={"uuid", "record_id", "reviewer", "stage", "verdict", "created_at"},
    )
    db.table("decisions").create_index(["uuid"], unique=True)
    db.table("decisions").create_index(["record_id", "stage", "reviewer"])
    # The latest event per record, stage and reviewer that has not been undone.
    db.create_view(
        "current_decisions",
        """
        SELECT d.* FROM decisions d
        WHERE d.verdict != 'undo'
          AND d.uuid NOT IN (SELECT undoes FROM decisions WHERE undoes IS NOT NULL)
          AND d.id = (
            SELECT max(d2.id) FROM decisions d2
            WHERE d2.record_id = d.record_id AND d2.stage = d.stage
              AND d2.reviewer = d.reviewer AND d2.verdict != 'undo'
              AND d2.uuid NOT IN (SELECT undoes FROM decisions WHERE undoes IS NOT NULL)
          )
        """,
    )
