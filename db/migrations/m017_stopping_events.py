"""stopping_events: a team's decision to stop screening a stage, as an append-only event.

A stop names the stage, who recorded it (in dual review, an adjudicator), the reason, the
stopping rule review.toml set then, and the figures the guidance showed at that moment (JSON),
so the decision can be judged later on what was known when it was made. Undo is a new row
naming the stop it cancels. While a stop stands, the records nobody screened at that stage
count in PRISMA as excluded by an automation tool (extraction/prisma/counts.py).

stops_in_force: the stops not undone; the latest per stage is the one in force.
"""

from __future__ import annotations

from sqlite_utils import Database

STOPS_IN_FORCE = """
SELECT s.* FROM stopping_events s
WHERE s.undoes IS NULL
  AND NOT EXISTS (SELECT 1 FROM stopping_events u WHERE u.undoes = s.uuid)
"""


def upgrade(db: Database) -> None:
    db.table("stopping_events").create(
        {
            "id": int,
            "uuid": str,
            "stage": str,
            "reviewer": str,  # who recorded it: the team's adjudicator in dual review
            "reason": str,
            "rule": str,  # review.toml's stopping rule then ("" for none)
            "figures": str,  # JSON: the guidance shown at that moment
            "undoes": str,  # an undo: the stop it cancels
            "created_at": str,
        },
        pk="id",
        not_null={"uuid", "stage", "reviewer", "created_at"},
    )
    db.table("stopping_events").create_index(["uuid"], unique=True)
    db.table("stopping_events").create_index(["undoes"])
    db.create_view("stops_in_force", STOPS_IN_FORCE)
