"""The schema, as numbered migrations tracked by PRAGMA user_version.

The rule: every change to the schema is one module in this folder, named mNNN_what_it_adds.py
(NNN its number, from 001, with no gaps), holding one function, upgrade(db), and listed in
MIGRATIONS below in number order; a file at user_version N has had steps 1 to N. So the whole
schema is here, read in order, and the entity modules beside this folder (db/records.py,
db/dedup.py, ...) hold queries only. tests/test_db.py checks the names against the list.

To change the schema, add the next module (the last one shows the shape) and append its
upgrade to MIGRATIONS. Never edit a step that has been released: a review file that has run
it would not run it again. Declare tables with sqlite-utils (table().create, add_column,
create_index) and use SQL where it has no call (moving data, DROP COLUMN).

Each step runs in its own transaction together with its version bump, so a failed step leaves
neither behind. A file whose version is above the last step was written by a newer metasift:
it is refused before anything is written to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from db.errors import MetasiftError
from db.migrations import (
    m001_review_sources_records,
    m002_decisions,
    m003_screening,
    m004_dedup,
    m005_harvests,
    m006_record_raw,
    m007_harvest_runner,
    m008_decisions_in_force,
    m009_decisions_in_force_plan,
    m010_extraction_values,
    m011_record_database,
    m012_studies_full_texts,
    m013_study_aliases,
    m014_rob_answers,
    m015_search_index,
    m016_source_events,
    m017_stopping_events,
    m018_cluster_outcomes,
)

Migration = Callable[[Database], None]

MIGRATIONS: list[Migration] = [
    m001_review_sources_records.upgrade,
    m002_decisions.upgrade,
    m003_screening.upgrade,
    m004_dedup.upgrade,
    m005_harvests.upgrade,
    m006_record_raw.upgrade,
    m007_harvest_runner.upgrade,
    m008_decisions_in_force.upgrade,
    m009_decisions_in_force_plan.upgrade,
    m010_extraction_values.upgrade,
    m011_record_database.upgrade,
    m012_studies_full_texts.upgrade,
    m013_study_aliases.upgrade,
    m014_rob_answers.upgrade,
    m015_search_index.upgrade,
    m016_source_events.upgrade,
    m017_stopping_events.upgrade,
    m018_cluster_outcomes.upgrade,
]


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer_schema(db: Database, path: Path | str | None = None) -> None:
    """Raise MetasiftError if a newer metasift wrote this file: this one cannot know what its
    later steps mean. path names the file in the message (by default, the file db has open)."""
    found, known = schema_version(db), len(MIGRATIONS)
    if found > known:
        name = path if path is not None else db.execute("PRAGMA database_list").fetchone()[2]
        raise MetasiftError(
            f"{name}: this review was written by a newer metasift (schema version {found}; "
            f"this one knows up to {known}); upgrade metasift to open it"
        )


def migrate(db: Database) -> None:
    """Bring the schema up to date; each step commits with its version bump. A file from a
    newer metasift is refused and left as it was."""
    refuse_newer_schema(db)
    for version, step in enumerate(MIGRATIONS, start=1):
        if schema_version(db) >= version:
            continue
        with db.atomic():
            step(db)
            db.execute(f"PRAGMA user_version = {version}")
