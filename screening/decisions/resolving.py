"""Adjudication: one adjudicator settling one stage's conflicts, one at a time.

Pure core (no Textual): the queue, the conflict shown with every vote in force, resolve(),
undo(). The queue is stage_outcomes.conflicts(): the one rule decides what is a conflict
(maybe as include or not, different exclusion reasons at full text), never this module.

A resolution is an event like a decision: appended to the resolutions table with a UUID,
naming the vote events it settled, never updated; undo is a new event. Because it names the
votes it settled, a reviewer who changes their vote afterwards reopens the conflict
(outcome.py), and copies of a review merge resolutions like decisions. It is written only if,
under the write lock, the conflict still stands as it was shown (a reviewer in another
window may have changed a vote meanwhile); otherwise nothing is written and the queue is
read again.

Blinding: an adjudicator sees every vote, except on records where they still owe a decision
of their own. They owe one where they screen at this stage (review.toml lists them among the
reviewers, or, while it lists nobody, they have screened at this stage) and have not yet
decided the record: it is still in their own screening list, and their decision must be made
without knowing anyone else's. Such conflicts are left out of the queue and counted.
"""

from __future__ import annotations

import bisect
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.errors import MetasiftError, busy_is_an_error
from screening.decisions.kept_outcomes import keep_fresh
from screening.decisions.ledger import UNDO, Decision, Ledger
from screening.decisions.outcome import RESOLVED
from screening.decisions.record_view import RecordView, load_record
from screening.decisions.stage_outcomes import ClusterState, conflicts, stage_states
from screening.decisions.verdict_rules import verdict_problem, verdicts_at
from screening.protocol import Protocol

Clock = Callable[[], str]


class ResolveError(MetasiftError):
    """A resolution the protocol or the queue does not allow; the screen shows the message."""


@dataclass(frozen=True)
class ResolutionEvent:
    """One row of the resolutions table: a settlement, or the undo of one."""

    uuid: str
    record_id: int  # the cluster's canonical record
    stage: str
    adjudicator: str
    verdict: str  # include, exclude, maybe, not-retrieved, undo
    reason: str | None
    justification: str | None
    resolves: tuple[str, ...]  # the vote events in force it settled
    undoes: str | None
    created_at: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ResolutionEvent:
        return cls(
            uuid=row["uuid"],
            record_id=row["record_id"],
            stage=row["stage"],
            adjudicator=row["adjudicator"],
            verdict=row["verdict"],
            reason=row.get("reason"),
            justification=row.get("justification"),
            resolves=tuple(json.loads(row["resolves"])) if row.get("resolves") else (),
            undoes=row.get("undoes"),
            created_at=row["created_at"],
        )

    def row(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "record_id": self.record_id,
            "stage": self.stage,
            "adjudicator": self.adjudicator,
            "verdict": self.verdict,
            "reason": self.reason,
            "justification": self.justification,
            "resolves": json.dumps(list(self.resolves)) if self.verdict != UNDO else None,
            "undoes": self.undoes,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class Ballot:
    """A vote in force as the adjudicator reads it: who, and their decision event whole
    (verdict, reason, note, tags, time, and the member of the cluster it was made on)."""

    reviewer: str
    decision: Decision


@dataclass(frozen=True)
class ConflictQueue:
    """The conflicts an adjudicator may settle at a stage, in import order."""

    items: tuple[ClusterState, ...]
    hidden: int  # conflicts left out: the adjudicator still owes their own decision on them
    settled: int = 0  # conflicts a resolution in force settles at this stage (anyone's)


@dataclass(frozen=True)
class ConflictView:
    """The conflict shown: its record, every vote in force, its place in the queue."""

    state: ClusterState
    record: RecordView
    ballots: tuple[Ballot, ...]
    position: int  # 1-based
    total: int

    @property
    def reopened(self) -> bool:
        """Resolved once, then a reviewer changed their vote."""
        return self.state.resolution is not None


def conflict_queue(db: Database, protocol: Protocol, adjudicator: str, stage: str) -> ConflictQueue:
    """The stage's conflicts, less those the adjudicator still owes a decision on."""
    screeners = set(protocol.reviewers) or _screened_at(db, stage)
    states = stage_states(db, protocol, stage)
    shown, hidden = [], 0
    for state in conflicts(states):
        if adjudicator in screeners and not state.voted(adjudicator):
            hidden += 1
        else:
            shown.append(state)
    settled = sum(s.outcome.state == RESOLVED for s in states.values())
    return ConflictQueue(tuple(shown), hidden, settled)


def _screened_at(db: Database, stage: str) -> set[str]:
    rows = db.execute("SELECT DISTINCT reviewer FROM decisions WHERE stage = ?", [stage])
    return {row[0] for row in rows}


def ballots(db: Database, state: ClusterState) -> tuple[Ballot, ...]:
    """The events behind a cluster's votes in force, in the order the votes were cast."""
    uuids = [vote.uuid for vote in state.votes]
    marks = ", ".join("?" * len(uuids))
    rows = {
        row["uuid"]: row for row in db.table("decisions").rows_where(f"uuid IN ({marks})", uuids)
    }
    return tuple(Ballot(v.reviewer, Decision.from_row(rows[v.uuid])) for v in state.votes)


class Adjudication:
    """One adjudicator's pass over one stage's conflicts."""

    def __init__(
        self,
        db: Database,
        protocol: Protocol,
        adjudicator: str,
        stage: str = "title-abstract",
        *,
        clock: Clock = utc_now,
    ) -> None:
        if stage not in protocol.stages:
            raise ResolveError(
                f"stage {stage!r} is not in review.toml's stages ({', '.join(protocol.stages)})"
            )
        if not adjudicator.strip():
            raise ResolveError("who is adjudicating? pass --reviewer NAME")
        self.db, self.protocol, self.adjudicator, self.stage = db, protocol, adjudicator, stage
        self.clock = clock
        self.resolved = 0  # in this session
        self._resolved_here: dict[str, ClusterState] = {}  # resolution uuid -> state it settled
        self.index = 0
        self.queue = conflict_queue(db, protocol, adjudicator, stage)

    # -- the queue -------------------------------------------------------------------------

    @property
    def items(self) -> tuple[ClusterState, ...]:
        return self.queue.items

    @property
    def hidden(self) -> int:
        return self.queue.hidden

    def reload(self, focus: int | None = None) -> None:
        """Read the queue again; stay on cluster focus if it is in it, else at the same place."""
        self.queue = conflict_queue(self.db, self.protocol, self.adjudicator, self.stage)
        ids = [s.cluster_id for s in self.items]
        self.index = ids.index(focus) if focus in ids else self.index
        self.index = max(0, min(self.index, len(ids) - 1))

    def current(self) -> ConflictView | None:
        if not self.items:
            return None
        state = self.items[self.index]
        record = load_record(self.db, state.record_id, full_text=self.stage == "full-text")
        return ConflictView(state, record, ballots(self.db, state), self.index + 1, len(self.items))

    def move(self, delta: int) -> bool:
        index = max(0, min(len(self.items) - 1, self.index + delta))
        moved, self.index = index != self.index, index
        return moved

    # -- settling --------------------------------------------------------------------------

    @property
    def verdicts(self) -> tuple[str, ...]:
        """The verdicts a resolution may carry here: not-retrieved only at full text, and
        maybe only at title/abstract, where it sends the record on to full text. At full text
        a resolution must settle the report: a maybe would leave it settled, yet neither
        included nor excluded (PRISMA would count it nowhere)."""
        allowed = verdicts_at(self.stage)
        return tuple(v for v in allowed if v != "maybe") if self.stage == "full-text" else allowed

    @property
    def reason_required(self) -> bool:
        return self.protocol.reason_required.get(self.stage, False)

    def resolve(
        self, verdict: str, reason: str | None = None, justification: str = ""
    ) -> ResolutionEvent:
        """Settle the conflict shown, commit it, and move on to the next one."""
        if not self.items:
            raise ResolveError("no conflict here to resolve")
        self._check(verdict, reason, justification)
        state = self.items[self.index]
        event = ResolutionEvent(
            uuid=str(uuid.uuid4()),
            record_id=state.record_id,
            stage=self.stage,
            adjudicator=self.adjudicator,
            verdict=verdict,
            reason=reason,
            justification=justification.strip(),
            resolves=tuple(v.uuid for v in state.votes),
            undoes=None,
            created_at=self.clock(),
        )
        self._write(event, unchanged=state)
        self._resolved_here[event.uuid] = state
        left = self.items[: self.index] + self.items[self.index + 1 :]
        self.queue = replace(self.queue, items=left, settled=self.queue.settled + 1)
        self.index = max(0, min(self.index, len(self.items) - 1))
        self.resolved += 1
        return event

    def _check(self, verdict: str, reason: str | None, justification: str) -> None:
        if verdict == "maybe" and verdict not in self.verdicts:
            raise ResolveError(
                "a resolution at full text settles the report: include, exclude or not "
                "retrieved, not maybe"
            )
        problem = verdict_problem(self.protocol, self.stage, verdict, reason)
        if problem:
            raise ResolveError(problem)
        if not justification.strip():
            raise ResolveError("a resolution needs a justification: say why")

    def undo(self) -> ResolutionEvent | None:
        """Cancel this adjudicator's newest resolution at this stage still in force (from
        any session); its conflict is shown again. None if there is nothing to undo."""
        target = last_resolution(self.db, self.adjudicator, self.stage)
        if target is None:
            return None
        undo = ResolutionEvent(
            str(uuid.uuid4()), target.record_id, self.stage, self.adjudicator, UNDO,
            None, None, (), target.uuid, self.clock(),
        )  # fmt: skip
        self._write(undo)
        before = self._resolved_here.pop(target.uuid, None)
        self.resolved -= before is not None
        if before is not None and _still_open(self.db, before, self.stage):
            self._put_back(before)  # as it was before this session resolved it
        else:  # resolved in another session, or changed since: read the stage again
            self.reload(focus=_cluster_of(self.db, target.record_id))
        return target

    def _put_back(self, state: ClusterState) -> None:
        ids = [s.cluster_id for s in self.items]
        self.index = bisect.bisect(ids, state.cluster_id)
        items = self.items[: self.index] + (state,) + self.items[self.index :]
        self.queue = replace(self.queue, items=items, settled=self.queue.settled - 1)

    def _write(self, event: ResolutionEvent, unchanged: ClusterState | None = None) -> None:
        """Append one event in its own transaction (BEGIN IMMEDIATE: the write lock first), after
        checking, under that lock, that the conflict still stands as it was shown."""
        if self.db.conn.in_transaction:
            raise ResolveError(
                "the review connection has uncommitted changes; the resolution would not be saved"
            )
        with busy_is_an_error(), self.db.atomic():
            stale = unchanged is not None and not _still_open(self.db, unchanged, self.stage)
            if not stale:
                self.db.table("resolutions").insert(event.row())
                keep_fresh(self.db, self.protocol)
        if stale:
            self.reload(focus=unchanged.cluster_id if unchanged else None)
            raise ResolveError(
                "the votes on this record changed, or someone resolved it, since it was shown: "
                "nothing saved; look again"
            )


def _still_open(db: Database, state: ClusterState, stage: str) -> bool:
    """The cluster's votes in force and its standing resolution are still those shown."""
    settled = db.execute(
        "SELECT uuid FROM current_resolutions WHERE cluster_id = ? AND stage = ?",
        [state.cluster_id, stage],
    ).fetchone()
    shown = state.resolution.uuid if state.resolution else None
    return (settled[0] if settled else None) == shown and votes_in_force(
        db, state.cluster_id, stage
    ) == {v.uuid for v in state.votes}


def votes_in_force(db: Database, cluster_id: int, stage: str) -> set[str]:
    """The UUIDs of one cluster's votes in force, read from its members' events alone.

    The rule of the current_decisions view, by the screen's Ledger (the two are tested to
    agree): the view computes it over every decision of the review, about a second at
    100,000 records, too long to hold the write lock for; the ledger folds only this
    cluster's events, one reviewer at a time.
    """
    members = {cluster_id}
    members |= {r[0] for r in db.execute(_MEMBERS, [cluster_id])}
    marks = ", ".join("?" * len(members))
    rows = db.table("decisions").rows_where(
        f"record_id IN ({marks}) AND stage = ?", [*members, stage], order_by="created_at, uuid"
    )
    ledgers: dict[str, Ledger] = {}
    for row in rows:
        ledger = ledgers.setdefault(row["reviewer"], Ledger(cluster=lambda _: cluster_id))
        ledger.apply(Decision.from_row(row))
    held = (ledger.current(cluster_id) for ledger in ledgers.values())
    return {decision.uuid for decision in held if decision}


_MEMBERS = "SELECT record_id FROM dedup_members WHERE cluster_id = ?"


def _cluster_of(db: Database, record_id: int) -> int:
    row = db.execute("SELECT cluster_id FROM dedup_members WHERE record_id = ?", [record_id])
    found = row.fetchone()
    return int(found[0]) if found else record_id


def last_resolution(db: Database, adjudicator: str, stage: str) -> ResolutionEvent | None:
    """The adjudicator's newest resolution at a stage that no undo has cancelled."""
    rows = db.table("resolutions").rows_where(
        "adjudicator = ? AND stage = ? AND verdict != ? "
        "AND uuid NOT IN (SELECT undoes FROM resolutions WHERE undoes IS NOT NULL)",
        [adjudicator, stage, UNDO],
        order_by="created_at DESC, uuid DESC",
        limit=1,
    )
    return next((ResolutionEvent.from_row(row) for row in rows), None)


def queue_summary(db: Database, queue: ConflictQueue) -> list[dict[str, Any]]:
    """The queue for scripts: each conflict's record, title and votes in force."""
    out = []
    for state in queue.items:
        title = db.execute("SELECT title FROM records WHERE id = ?", [state.record_id]).fetchone()
        out.append(
            {
                "record_id": state.record_id,
                "cluster_id": state.cluster_id,
                "title": title[0] if title else None,
                "reopened": state.resolution is not None,
                "votes": [_vote_json(b) for b in ballots(db, state)],
            }
        )
    return out


def _vote_json(ballot: Ballot) -> dict[str, Any]:
    d = ballot.decision
    return {
        "reviewer": ballot.reviewer,
        "verdict": d.verdict,
        "reason": d.reason,
        "note": d.note,
        "tags": list(d.tags),
        "record_id": d.record_id,
        "created_at": d.created_at,
        "uuid": d.uuid,
    }
