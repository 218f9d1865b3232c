"""source_events: every change a team makes to a source (rename, remove, restore), audited.

A source is never deleted. Removing one is an event; its records leave screening, dedup and
PRISMA while the latest remove/restore event on it is a remove (the view removed_sources),
and their decisions stay where they are, so restoring it brings everything back. A rename
is an event carrying the old and the new name; sources.database holds the name in force.
"""

from __future__ import annotations

from sqlite_utils import Database

# the sources whose latest remove/restore event is a remove, ordered as other events are
REMOVED_SOURCES = """
SELECT source_id FROM (
    SELECT source_id, action,
           row_number() OVER (PARTITION BY source_id ORDER BY created_at DESC, id DESC) AS n
    FROM source_events WHERE action IN ('remove', 'restore')
) WHERE n = 1 AND action = 'remove'
"""


def upgrade(db: Database) -> None:
    db.table("source_events").create(
        {
            "id": int,
            "uuid": str,
            "source_id": int,
            "reviewer": str,
            "action": str,  # rename, remove, restore
            "old_value": str,  # rename: the name before
            "new_value": str,  # rename: the name after
            "created_at": str,
        },
        pk="id",
        not_null={"uuid", "source_id", "reviewer", "action", "created_at"},
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("source_events").create_index(["uuid"], unique=True)
    db.table("source_events").create_index(["source_id"])
    db.create_view("removed_sources", REMOVED_SOURCES)
