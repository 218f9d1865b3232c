"""A deduplication run over a review: compare, store the verdicts, rebuild the clusters.

Only records no earlier run has seen are compared (with each other and with everything else),
unless rescan=True. All the comparing happens before the write, so the review file is locked
only for the few milliseconds it takes to store the result.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import partial
from operator import attrgetter
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.dedup import (
    DEDUP_FIELDS,
    PairRow,
    completeness,
    current_pair_decisions,
    demote_pairs,
    duplicates_removed,
    forget_pairs,
    last_compared_id,
    records_to_compare,
    replace_members,
    save_pairs,
    stored_pairs,
)
from db.tables import insert_row
from screening.dedup.blocking import candidate_pairs
from screening.dedup.canonical import Candidate, DedupSettings
from screening.dedup.keys import Keys
from screening.dedup.membership import (
    GUARD_RULE,
    Clustering,
    QueueItem,
    RecordTable,
    build_clusters,
)
from screening.dedup.parallel import SecondProcess, big_enough, in_two_processes, second_process
from screening.dedup.scoring import (
    DISTINCT,
    DOUBTFUL,
    DUPLICATE,
    compare,
    forget_misfiled_dois,
    forget_shared_dois,
    title_similarities,
    worth_comparing,
)
from screening.dedup.union_find import Identity
from screening.dedup.worker_jobs import key_values_of_rows, keys_from_fields

# (stage, done, total): "reading", "normalising" N of total records, "blocking" N records,
# "comparing" N of total pairs, "clustering" N links
Progress = Callable[[str, int, int], None]
Report = Callable[[int], None]
CHUNK = 5000  # pairs whose title similarities are computed at once

_FIELDS = DEDUP_FIELDS
_AUTHORS, _JOURNAL, _TITLE = (_FIELDS.index(f) for f in ("authors", "journal", "title"))
_KEY_FIELDS = attrgetter(*(f.name for f in fields(Keys)))
Skipped = list[tuple[tuple[str, str], int]]  # (kind, value) of a blocking key, records sharing it


@dataclass
class Prepared:
    """The review's records as comparison keys, in import order."""

    db: Database
    keys: list[Keys]
    _candidates: dict[int, Candidate] = field(default_factory=dict)

    def table(self) -> RecordTable:
        return RecordTable([k.record_id for k in self.keys], self.identity, self.candidates)

    def identity(self, index: int) -> Identity:
        k = self.keys[index]
        return Identity(
            {k.doi} if k.doi else set(),
            {k.pmid} if k.pmid else set(),
            {k.database: {k.accession}} if k.accession else {},
        )

    def candidates(self, indexes: list[int]) -> dict[int, Candidate]:
        """What the canonical choice weighs, read once per record (records never change)."""
        known = self._candidates
        position = {self.keys[i].record_id: i for i in indexes if i not in known}
        for record_id, database, filled, length in completeness(self.db, list(position)):
            known[position[record_id]] = Candidate(record_id, database, filled, length)
        return {i: known[i] for i in indexes}


@dataclass
class DedupSummary:
    records: int = 0
    new_records: int = 0
    pairs_compared: int = 0
    duplicates: int = 0  # pairs judged duplicate in this run
    doubtful: int = 0  # pairs judged doubtful in this run
    clusters: int = 0  # clusters of two or more records
    removed: dict[str, int] = field(default_factory=dict)  # automatic / manual
    queue: int = 0  # doubtful pairs waiting for a person
    skipped_blocks: list[tuple[tuple[str, str], int]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Compared:
    """What a run's comparing found: the verdicts that are not "distinct", how many pairs
    were compared and the blocking keys skipped, for the records no run had compared."""

    new_records: int = 0
    found: list[PairRow] = field(default_factory=list)
    pairs: int = 0
    skipped: Skipped = field(default_factory=list)


def prepare(
    db: Database, progress: Progress | None = None, other: SecondProcess | None = None
) -> Prepared:
    """Every record of the review as comparison keys (half of them made by other, if given)."""
    if progress:
        progress("reading", 0, 0)
    rows = list(enumerate(records_to_compare(db)))
    report = _reporter(progress, "normalising", len(rows))
    computed = in_two_processes(partial(key_values_of_rows, _FIELDS), rows, report, other)
    keys = [
        Keys(*c + (v[_AUTHORS], v[_JOURNAL], v[_TITLE]))
        for c, (_, v) in zip(computed, rows, strict=True)
    ]
    forget_shared_dois(keys)
    forget_misfiled_dois(keys)
    return Prepared(db, keys)


def _reporter(progress: Progress | None, stage: str, total: int) -> Report | None:
    """A stage's progress, as items done of total."""
    if progress is None:
        return None
    progress(stage, 0, total)
    return lambda done: progress(stage, done, total)


def compare_pairs(
    keys: list[Keys],
    last_id: int = 0,
    progress: Progress | None = None,
    other: SecondProcess | None = None,
) -> tuple[list[PairRow], int, Skipped]:
    """Score the candidate pairs that involve at least one record newer than last_id; other,
    once the reading has started it, takes a share of the blocking and of the comparing."""
    if progress:
        progress("blocking", len(keys), 0)
    # Only a worker the reading started helps: one started for the comparing alone would
    # spend most of it importing the scorer (numpy, rapidfuzz).
    running = other is not None and other.running
    if other is not None and running:  # sent once for both jobs, as tuples: half the time
        other.hold(keys, partial(keys_from_fields, [_KEY_FIELDS(k) for k in keys]))
    pairs, skipped = candidate_pairs(keys, last_id, other=other)
    report = _reporter(progress, "comparing", len(pairs))
    shared = running and big_enough(len(pairs))
    found = in_two_processes(partial(_judge, keys), pairs, report, other, shared)
    return found, len(pairs), skipped


def _judge(keys: list[Keys], pairs: Sequence[tuple[int, int]]) -> list[PairRow]:
    """The verdicts on these pairs that are not "distinct", as dedup_pairs rows."""
    found = []
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start : start + CHUNK]
        for (i, j), title in zip(chunk, title_similarities(keys, chunk), strict=True):
            a, b = keys[i], keys[j]
            if not worth_comparing(a, b, title):
                continue
            verdict = compare(a, b, title)
            if verdict.outcome != DISTINCT:
                ra, rb = a.record_id, b.record_id
                found.append(
                    PairRow(min(ra, rb), max(ra, rb), verdict.outcome, verdict.rule, verdict.score)
                )
    return found


def run_dedup(
    db: Database,
    settings: DedupSettings | None = None,
    *,
    rescan: bool = False,
    progress: Progress | None = None,
) -> DedupSummary:
    """Compare the records no run has seen, store the verdicts and rebuild every cluster."""
    settings = settings or DedupSettings()
    started, clock = utc_now(), time.perf_counter()
    with _gc_paused():
        prepared, compared = _compare_new(db, rescan, progress)
        if progress:
            progress("clustering", len(compared.found), 0)
        pairs = _merge_pairs([] if rescan else list(stored_pairs(db)), compared.found)
        decisions = current_pair_decisions(db)
        clustering = build_clusters(prepared.table(), pairs, decisions, settings)
        pairs = _demote(pairs, clustering.refused)
    _store(db, _run_row(started, prepared, compared, settings), compared.found, clustering, rescan)
    found = compared.found
    return DedupSummary(
        records=len(prepared.keys),
        new_records=compared.new_records,
        pairs_compared=compared.pairs,
        duplicates=sum(1 for p in found if p.outcome == DUPLICATE),
        doubtful=sum(1 for p in found if p.outcome == DOUBTFUL),
        clusters=sum(1 for m in clustering.members if m.how == "canonical"),
        removed=duplicates_removed(db),
        queue=len(_queue(clustering, pairs, decisions)),
        skipped_blocks=compared.skipped,
        seconds=time.perf_counter() - clock,
    )


def _compare_new(
    db: Database, rescan: bool, progress: Progress | None
) -> tuple[Prepared, Compared]:
    """The records as keys, and the verdicts on the pairs with a record no run has compared
    (every pair on a rescan), made here and in a worker process ended before clustering."""
    with second_process() as other:
        prepared = prepare(db, progress, other)
        last_id = 0 if rescan else last_compared_id(db)
        new_records = sum(1 for k in prepared.keys if k.record_id > last_id)
        if not new_records:
            return prepared, Compared()
        found, pairs, skipped = compare_pairs(prepared.keys, last_id, progress, other)
    return prepared, Compared(new_records, found, pairs, skipped)


def _run_row(
    started: str, prepared: Prepared, compared: Compared, settings: DedupSettings
) -> dict[str, Any]:
    """The dedup_runs row of a run."""
    return {
        "started_at": started,
        "finished_at": utc_now(),
        "records": len(prepared.keys),
        "new_records": compared.new_records,
        "last_record_id": prepared.keys[-1].record_id if prepared.keys else 0,
        "pairs_compared": compared.pairs,
        "skipped_blocks": json.dumps([[list(k), n] for k, n in compared.skipped]),
        "settings": json.dumps({"source_priority": list(settings.source_priority)}),
    }


def _store(
    db: Database,
    run: dict[str, Any],
    found: list[PairRow],
    clustering: Clustering,
    rescan: bool,
) -> None:
    """One short transaction: the run, its verdicts, the clusters."""
    with db.atomic():
        run_id = insert_row(db, "dedup_runs", run)
        if rescan:
            forget_pairs(db)
        save_pairs(db, [(*p, run_id) for p in found])
        demote_pairs(db, clustering.refused, GUARD_RULE)
        replace_members(db, clustering.members)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while building many small objects that all stay
    alive anyway: it would only walk them again and again (about a tenth of the run)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def recluster(
    db: Database, prepared: Prepared, settings: DedupSettings
) -> tuple[Clustering, list[QueueItem]]:
    """Rebuild the clusters from what is stored (after a person's decision or a split)."""
    pairs = list(stored_pairs(db))
    decisions = current_pair_decisions(db)
    clustering = build_clusters(prepared.table(), pairs, decisions, settings)
    pairs = _demote(pairs, clustering.refused)
    with db.atomic():
        demote_pairs(db, clustering.refused, GUARD_RULE)
        replace_members(db, clustering.members)
    return clustering, _queue(clustering, pairs, decisions)


def _merge_pairs(old: list[PairRow], found: list[PairRow]) -> list[PairRow]:
    merged = {(p.record_a, p.record_b): p for p in old}
    for p in found:
        merged[(p.record_a, p.record_b)] = p
    return list(merged.values())


def _demote(pairs: list[PairRow], refused: list[tuple[int, int]]) -> list[PairRow]:
    """Links the transitivity guard refused become doubtful pairs for a person."""
    if not refused:
        return pairs
    out = set((min(a, b), max(a, b)) for a, b in refused)
    return [
        p._replace(outcome=DOUBTFUL, rule=GUARD_RULE) if (p.record_a, p.record_b) in out else p
        for p in pairs
    ]


def _queue(
    clustering: Clustering, pairs: list[PairRow], decisions: list[dict[str, Any]]
) -> list[QueueItem]:
    decided = {(d["record_a"], d["record_b"]) for d in decisions}
    return clustering.queue(pairs, decided)
