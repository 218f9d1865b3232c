"""extraction_values: every value a reviewer extracts, as an append-only event.

A value is about a study (by the study's UUID, the same in every copy of the review) and a
cell of the form: a study field (item "field", field = its key), an arm (item "arm", arm =
its key), an outcome of an arm at a time point (item "outcome", arm, outcome and timepoint
keys, field = the measure, final or change), or a reviewer's mark that they finished the
study (item "done"). The value is JSON: text, a number, a choice, or a reported outcome
(extraction/values/reported.py); unit and factor are the unit the paper gave and the factor
to the outcome's unit when it was entered. An edit is a new event; undo is a row naming the
event it undoes; a consensus (role "consensus") names in `settles` the values it settled.

current_extraction_values: per cell, reviewer and role, the latest event not undone, by
(created_at, uuid), as current_decisions orders decisions, so merged copies agree.
"""

from __future__ import annotations

from sqlite_utils import Database

CURRENT_EXTRACTION_VALUES = """
SELECT * FROM (
    SELECT v.*,
           row_number() OVER (
               PARTITION BY v.study_uuid, v.item, v.field, v.arm, v.outcome, v.timepoint,
                            v.reviewer, v.role
               ORDER BY v.created_at DESC, v.uuid DESC
           ) AS latest
    FROM extraction_values v
    WHERE v.undoes IS NULL
      AND NOT EXISTS (SELECT 1 FROM extraction_values u WHERE u.undoes = v.uuid)
) WHERE latest = 1
"""


def upgrade(db: Database) -> None:
    db.table("extraction_values").create(
        {
            "id": int,
            "uuid": str,
            "study_uuid": str,
            "reviewer": str,
            "role": str,  # extractor, or consensus
            "item": str,  # field, arm, outcome, done
            "field": str,
            "arm": str,
            "outcome": str,
            "timepoint": str,
            "value": str,  # JSON; null clears the cell
            "unit": str,
            "factor": float,
            "note": str,  # where in the paper: page, table, figure
            "settles": str,  # consensus: JSON list of the value uuids it settled
            "undoes": str,
            "created_at": str,
        },
        pk="id",
        not_null={"uuid", "study_uuid", "reviewer", "role", "item", "created_at"},
        defaults={"role": "extractor", "field": "", "arm": "", "outcome": "", "timepoint": ""},
    )
    table = db.table("extraction_values")
    table.create_index(["uuid"], unique=True)
    table.create_index(["study_uuid", "reviewer"])
    table.create_index(["undoes"])
    db.create_view("current_extraction_values", CURRENT_EXTRACTION_VALUES)
