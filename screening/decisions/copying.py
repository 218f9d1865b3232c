"""`metasift copy --for NAME`: a review folder for one reviewer to work in, offline, anywhere.

The copy is the main file as it stands (records, clusters, protocol history, the review's UUID
and sample seed, so every copy draws the same dual-review sample) holding only NAME's own
events: everyone else's screening decisions (with their notes and tags), duplicate verdicts and
resolutions are left out, so blinding holds even for someone who opens the file with sqlite3
(study links and full texts, which blind nothing, are kept whoever made them).
Three more things would tell NAME what others decided, and are left out too: dedup flags (their
detail names the reviewer and verdict of the decision they flag), who linked a cluster's
records by hand (dedup_members.reviewer), and the outcomes kept from everyone's votes
(kept_outcomes.py; the copy derives its own when first read). The copy is then built anew
from the rows left (VACUUM INTO), so nothing deleted stays readable in its free pages.

A stage the team has settled in full (every record decided as the protocol requires, no
conflict left) blinds nothing any more: its decisions and resolutions travel whole, so the
next stage's list in the copy is the team's settled outcome (the adjudicator's resolutions
included), not the copy's reviewer's own votes. Only stages settled from the first one on
travel whole: a stage's list is the previous stage's outcome, so full text settled while
title/abstract is not would arrive whole in a copy that lists no record at full text (the
title/abstract votes that sent them there stay blinded), and claim a list it cannot show.

A copy keeps its rollback journal (not WAL) whenever metasift opens it, so its review.db alone
is the whole copy: nothing waits in a -wal file beside it. This builds a new file; the main
file's events are never changed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

from sqlite_utils import Database

from db.cluster_outcomes import OUTCOMES, forget_kept
from db.connection import REVIEWER_COPY_ID
from db.errors import MetasiftError
from screening.decisions.event_tables import EVENT_TABLES, EventTable
from screening.decisions.progress import review_progress
from screening.decisions.team import VIEWER, who_is_asking
from screening.review import DB_NAME, PROTOCOL_NAME, Review

# The copy while it is built, beside where it goes: the main file as it stands, then (once
# the others' events are out) the copy rebuilt from it
UNFILTERED, PARTIAL = f".{DB_NAME}.unfiltered", f".{DB_NAME}.partial"


@dataclass(frozen=True)
class CopySummary:
    path: Path  # the copy's review.db
    reviewer: str
    kept: dict[str, int]  # event table -> NAME's events the copy holds
    left_out: int  # everyone else's events
    settled: tuple[str, ...]  # stages settled in full: everyone's events there are kept
    size: int  # bytes


def copy_review(review: Review, name: str, folder: Path | str) -> CopySummary:
    """Write folder/review.db and folder/review.toml: the review for `name` alone."""
    reviewer = who_is_asking(review.protocol, name, VIEWER)
    folder = Path(folder)
    _refuse_occupied(folder)
    made_folder = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    unfiltered, partial, target = folder / UNFILTERED, folder / PARTIAL, folder / DB_NAME
    try:
        review.db.execute("VACUUM INTO ?", [str(unfiltered)])  # a consistent snapshot
        settled = settled_stages(review)
        kept, left_out = _keep_only(unfiltered, reviewer, settled, partial)
        unfiltered.unlink()
        shutil.copyfile(review.protocol_path, folder / PROTOCOL_NAME)
        os.replace(partial, target)
    except BaseException:
        _remove_partial(folder, made_folder)
        raise
    return CopySummary(target, reviewer, kept, left_out, settled, target.stat().st_size)


def settled_stages(review: Review) -> tuple[str, ...]:
    """The stages, from the protocol's first on, whose every record the team has settled
    (none undecided, awaiting a required decision or in conflict); the first stage not
    settled ends them, as every later stage's list derives from it."""
    return tuple(
        p.stage
        for p in takewhile(
            lambda p: p.records and not (p.undecided or p.awaiting or p.conflict),
            review_progress(review.db, review.protocol),
        )
    )


def _refuse_occupied(folder: Path) -> None:
    if not folder.exists() and folder.suffix.lower() == ".db":
        # a file's name: made a folder of that name, it would hold folder/review.db, and
        # --review folder.db would then name a folder no review file opens as
        raise MetasiftError(
            f"{folder}: names a file, but the copy is a folder (its review.db and review.toml "
            f"go into it); name the folder, e.g. -o {_folder_for(folder)}"
        )
    if folder.exists() and not folder.is_dir():
        raise MetasiftError(f"{folder}: is a file; name a new folder for the copy")
    if folder.is_dir() and any(folder.iterdir()):
        raise MetasiftError(f"{folder}: not empty; name a new or empty folder for the copy")


def _keep_only(
    path: Path, reviewer: str, settled: tuple[str, ...], target: Path
) -> tuple[dict[str, int], int]:
    """Leave only the reviewer's events in the file at path, then write it anew to target:
    built from the rows left, so nothing deleted stays readable in free pages (VACUUM INTO
    does it in half the time of a VACUUM in place: 6.5 against 14 s at 100,000 records)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f"PRAGMA application_id = {REVIEWER_COPY_ID}")  # VACUUM INTO keeps it
        conn.execute("BEGIN")
        kept, left_out = {}, 0
        for table in EVENT_TABLES:
            if _has_table(conn, table.name):
                if not table.shared:  # shared tables keep everyone's rows
                    left_out += _delete_others(conn, table, reviewer, settled)
                kept[table.name] = conn.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
        _leave_out_traces(conn, reviewer)
        conn.execute("COMMIT")
        conn.execute("VACUUM INTO ?", [str(target)])  # a rollback journal, like its source
    finally:
        conn.close()
    return kept, left_out


def _delete_others(
    conn: sqlite3.Connection, table: EventTable, reviewer: str, settled: tuple[str, ...]
) -> int:
    """Delete everyone else's rows but, in a staged table, those of the settled stages."""
    where, args = f"{table.who} IS NOT ?", [reviewer]
    if table.staged and settled:
        where += f" AND stage NOT IN ({', '.join('?' for _ in settled)})"
        args += settled
    return conn.execute(f"DELETE FROM {table.name} WHERE {where}", args).rowcount


def _folder_for(path: Path) -> Path:
    """The folder a user naming path as the copy's file most likely meant."""
    return path.parent if path.name.lower() == DB_NAME else path.with_suffix("")


def _leave_out_traces(conn: sqlite3.Connection, reviewer: str) -> None:
    """What would still tell the reviewer another's verdict once the events are gone."""
    if _has_table(conn, "dedup_flags"):  # "ben decided exclude at title-abstract on #12"
        conn.execute(
            "DELETE FROM dedup_flags WHERE event IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM decisions d WHERE d.uuid = dedup_flags.decision_uuid)"
        )
    if _has_table(conn, "dedup_members"):  # who said two records are one paper
        conn.execute("UPDATE dedup_members SET reviewer = NULL WHERE reviewer IS NOT ?", [reviewer])
    if _has_table(conn, OUTCOMES):  # everyone's verdicts, kept: the copy derives its own
        forget_kept(Database(conn))


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])
    return found.fetchone() is not None


def _remove_partial(folder: Path, made_folder: bool) -> None:
    """A copy that failed half-way leaves nothing behind."""
    for leftover in (UNFILTERED, f"{UNFILTERED}-journal", PARTIAL, PROTOCOL_NAME):
        (folder / leftover).unlink(missing_ok=True)
    if made_folder:
        shutil.rmtree(folder, ignore_errors=True)
