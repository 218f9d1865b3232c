"""study_aliases: the other UUIDs a study is known by, so extracted values follow their study.

A study's UUID is derived from its first report's first-imported record until reviewers link
reports (extraction/studies/grouping.py). Values are stored under the study UUID in force
when they were entered; when reports are later linked into one study, or dedup merges their
clusters, the old UUIDs become aliases of the study's. This table holds them (derived data,
rewritten whenever the studies are read for extraction), and current_extraction_values reads
every value under the study it now belongs to: nothing is moved or orphaned, and per cell and
reviewer the latest value by (created_at, uuid) is in force as before.
"""

from __future__ import annotations

from sqlite_utils import Database

CURRENT_EXTRACTION_VALUES = """
SELECT * FROM (
    SELECT v.id, v.uuid, coalesce(a.study, v.study_uuid) AS study_uuid, v.reviewer, v.role,
           v.item, v.field, v.arm, v.outcome, v.timepoint, v.value, v.unit, v.factor, v.note,
           v.settles, v.undoes, v.created_at, v.study_uuid AS entered_under,
           row_number() OVER (
               PARTITION BY coalesce(a.study, v.study_uuid), v.item, v.field, v.arm, v.outcome,
                            v.timepoint, v.reviewer, v.role
               ORDER BY v.created_at DESC, v.uuid DESC
           ) AS latest
    FROM extraction_values v
    LEFT JOIN study_aliases a ON a.alias = v.study_uuid
    WHERE v.undoes IS NULL
      AND NOT EXISTS (SELECT 1 FROM extraction_values u WHERE u.undoes = v.uuid)
) WHERE latest = 1
"""


def upgrade(db: Database) -> None:
    db.table("study_aliases").create({"alias": str, "study": str}, pk="alias", not_null={"study"})
    db.execute("DROP VIEW current_extraction_values")
    db.create_view("current_extraction_values", CURRENT_EXTRACTION_VALUES)
