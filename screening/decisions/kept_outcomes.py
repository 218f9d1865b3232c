"""Every cluster's outcome per stage, kept in the review file as events are written, so status
and agreement count rows instead of deriving 100,000 outcomes on each read.

The kept rows are stage_outcomes.stage_states written down, never a second rule: a write
that can change an outcome marks its clusters (triggers, db/migrations/m018_cluster_outcomes.py),
and refresh derives those clusters again with stage_states and replaces their rows. A
screening write refreshes in its own transaction (keep_fresh); anything else (an import, a
dedup run, a source removed, the sqlite3 shell) leaves marks that the next read refreshes.

The rows hold for one fingerprint: the protocol's outcome inputs (stage_outcomes.OutcomeInputs),
the review's sample seed, the schema version and the text of the code that derives them.
When it differs (review.toml edited, metasift upgraded), when too many clusters are marked, or
when an event was rewritten or deleted, refresh rebuilds every row. A reader that cannot
write (a read-only file, the lock held past the busy timeout) derives instead: the kept rows
are only ever read when they are current, in the transaction that checked them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

import db.cluster_outcomes as kept
from db.migrations import schema_version
from screening.decisions import outcome as outcome_rule
from screening.decisions import stage_outcomes
from screening.decisions.stage_outcomes import ClusterState, OutcomeInputs, stage_states
from screening.protocol import Protocol

T = TypeVar("T")
# SQLite's primary result codes for a file a reader cannot write to now: BUSY (the lock held
# past the busy timeout), LOCKED, READONLY, FULL
CANNOT_WRITE = {5, 6, 8, 13}
# Marked clusters refreshed one by one up to this many; beyond it a whole rebuild is quicker
# (measured in benchmarks/dual_review_status.py)
REBUILD_AT = 20_000


def refresh(db: Database, protocol: Protocol | OutcomeInputs, rebuild: bool = True) -> bool:
    """Bring the kept outcomes up to date; the caller holds a write transaction. Returns
    whether they are current; rebuild=False leaves a needed rebuild to the next reader."""
    inputs = OutcomeInputs.of(protocol)
    wanted = fingerprint(db, inputs)
    marked = kept.dirty_clusters(db, REBUILD_AT)
    whole = (
        kept.kept_fingerprint(db) != wanted
        or len(marked) > REBUILD_AT
        or not kept.narrowing_holds(db)
    )
    if whole and not rebuild:
        return False
    if whole:
        kept.keep_outcomes(db, *_rows(_derive(db, inputs, None)), None, wanted)
    elif marked:
        kept.keep_outcomes(db, *_rows(_derive(db, inputs, marked)), marked)
    return True


def keep_fresh(db: Database, protocol: Protocol) -> None:
    """What a screening write runs inside its transaction: the clusters it touched derived
    again, so readers find nothing to do. Never a whole rebuild (a second on a keypress):
    that is left to the next reader."""
    refresh(db, protocol, rebuild=False)


def read_kept(db: Database, protocol: Protocol, read: Callable[[Database], T]) -> T | None:
    """read(db) over kept outcomes that are current for this protocol, checked and read in
    one transaction; None when they cannot be brought up to date (then derive)."""
    inputs = OutcomeInputs.of(protocol)
    if db.conn.in_transaction:  # the caller's transaction: refresh in a savepoint
        with db.atomic():
            refresh(db, inputs)
            return read(db)
    db.conn.execute("BEGIN")  # deferred: a snapshot to read, no lock taken
    try:
        if is_current(db, inputs):
            return read(db)
    finally:
        db.conn.commit()
    try:
        with db.atomic():
            refresh(db, inputs)
            return read(db)
    except sqlite3.OperationalError as e:
        if e.sqlite_errorcode & 0xFF not in CANNOT_WRITE:
            raise
        return None


def is_current(db: Database, protocol: Protocol | OutcomeInputs) -> bool:
    """Whether the kept outcomes hold for this protocol with nothing marked since."""
    inputs = OutcomeInputs.of(protocol)
    return (
        kept.kept_fingerprint(db) == fingerprint(db, inputs)
        and not kept.dirty_clusters(db, 0)
        and kept.narrowing_holds(db)
    )


def fingerprint(db: Database, inputs: OutcomeInputs) -> str:
    row = db.execute("SELECT sample_seed FROM review WHERE id = 1").fetchone()
    what = [asdict(inputs), row[0] if row else None, schema_version(db), _code()]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()


@cache
def _code() -> str:
    """The text of the modules that derive an outcome, so changing the rule rebuilds; where
    a module's source cannot be read, metasift's version stands in."""
    digest = hashlib.sha256()
    try:
        for module in (outcome_rule, stage_outcomes, kept):
            digest.update(Path(module.__file__ or "").read_bytes())
    except OSError:
        from importlib.metadata import version  # 10 ms to import: only when needed

        digest.update(version("metasift").encode())
    return digest.hexdigest()


def _derive(
    db: Database, inputs: OutcomeInputs, only: list[int] | None
) -> dict[str, dict[int, ClusterState]]:
    states: dict[str, dict[int, ClusterState]] = {}
    for stage in inputs.stages:
        states[stage] = stage_states(db, inputs, stage, states.get("title-abstract"), only)
    return states


def _rows(
    states: dict[str, dict[int, ClusterState]],
) -> tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]:
    outcomes = (
        (stage, s.cluster_id, s.record_id, s.required, len(s.votes), *s.outcome)
        for stage, held in states.items()
        for s in held.values()
    )
    votes = (
        (stage, s.cluster_id, v.reviewer, v.verdict, n)
        for stage, held in states.items()
        for s in held.values()
        for n, v in enumerate(s.votes)
    )
    return outcomes, votes
