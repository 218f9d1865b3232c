"""A screening history at one stage: which records were relevant, in the order screened.

Order: the time of the first decision on each duplicate cluster that still stands (an undone
decision does not count as screening the record). Relevant: at title/abstract, include or
maybe (a maybe goes on to full text); at full text, include.

Two views, so blinding holds:
- a reviewer's own: their decisions in force (what `metasift screen` shows them);
- the team's: only clusters whose outcome is settled (agreed or resolved), with that outcome,
  which every view already shows everyone; a cluster awaiting a second decision or in
  conflict has not been screened yet, as far as the team's figures go.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from db.decisions import first_decided
from screening.decisions.ledger import Decision, Ledger
from screening.decisions.outcome import INCLUDE, MAYBE
from screening.decisions.stage_outcomes import ClusterState

TEAM = ""  # the `who` of the team's history


@dataclass(frozen=True)
class History:
    stage: str
    who: str  # a reviewer's name, or TEAM
    labels: tuple[bool, ...]  # relevant or not, in the order screened
    total: int  # records (duplicate clusters) the stage holds for this history

    @property
    def screened(self) -> int:
        return len(self.labels)

    @property
    def found(self) -> int:
        return sum(self.labels)

    @property
    def left(self) -> int:
        return max(self.total - self.screened, 0)


def relevant(verdict: str | None, stage: str) -> bool:
    return verdict == INCLUDE or (verdict == MAYBE and stage == "title-abstract")


class ScreeningLog:
    """One reviewer's decision events at a stage folded in time order into the verdict in
    force per cluster (by the screen's own Ledger, the rule of the current_decisions view),
    in the order of the first standing decision on each.

    read() takes only the events written to the file since the last read, so the screen's
    panel pays for a whole history once and then for each new decision (at 100,000
    decisions a whole read takes about 0.7 s, one more decision 0.03 s; reading the view per
    reviewer took 1.8 s). The first read orders events by time, then record, then UUID
    (decisions made in the same millisecond, a bulk action, keep the records' order); later
    ones take new events in the order they were written, which is the order they were made
    (a copy merged while the screen is open places its events at the end until the next
    first read)."""

    def __init__(self, stage: str, reviewer: str) -> None:
        self.stage, self.reviewer = stage, reviewer
        self._read_up_to = 0  # the decisions row id folded up to
        self._ledger: Ledger | None = None  # the rule in force, made once clusters are known
        self.order: dict[int, None] = {}  # clusters with a standing decision, first first

    def read(self, db: Database) -> ScreeningLog:
        if self._ledger is None:
            clusters = _clusters(db)
            self._ledger = Ledger(cluster=lambda rid: clusters.get(rid, rid))
        top = db.execute("SELECT max(id) FROM decisions").fetchone()[0] or 0
        order = "created_at, record_id, uuid" if self._read_up_to == 0 else "id"
        rows = db.execute(
            "SELECT record_id, uuid, verdict, undoes FROM decisions "
            f"WHERE id > ? AND id <= ? AND stage = ? AND reviewer = ? ORDER BY {order}",
            [self._read_up_to, top, self.stage, self.reviewer],
        )
        for record_id, uuid, verdict, undoes in rows:
            self._apply(self._ledger, Decision(uuid, record_id, verdict, undoes=undoes))
        self._read_up_to = top  # a row written since has a higher id: the next read's
        return self

    def _apply(self, ledger: Ledger, event: Decision) -> None:
        """Fold one event by the ledger's rule; a cluster joins the order when it gains a
        standing decision and leaves it when its last one is undone."""
        changed = ledger.apply(event)
        if changed is None:
            return
        key, before, after = changed
        if after is None:
            self.order.pop(key, None)
        elif before is None:
            self.order.setdefault(key, None)

    def verdict(self, cluster_id: int) -> str:
        current = self._ledger.current(cluster_id) if self._ledger is not None else None
        if current is None:
            raise KeyError(cluster_id)
        return current.verdict

    def labels(self) -> tuple[bool, ...]:
        return tuple(relevant(self.verdict(key), self.stage) for key in self.order)


def _clusters(db: Database) -> dict[int, int]:
    """record id -> its duplicate cluster's id (the lowest record id), where they differ."""
    if not db["dedup_members"].exists():
        return {}
    rows = db.execute(
        "SELECT record_id, cluster_id FROM dedup_members WHERE record_id != cluster_id"
    )
    return dict(rows.fetchall())


def reviewer_history(db: Database, stage: str, reviewer: str, total: int) -> History:
    """One reviewer's decisions in force at the stage, in the order they first decided each
    record; total: the records on their list (the screen knows it)."""
    labels = ScreeningLog(stage, reviewer).read(db).labels()
    return History(stage, reviewer, labels, max(total, len(labels)))


def team_history(db: Database, stage: str, states: dict[int, ClusterState]) -> History:
    """The settled clusters of the stage with their outcome, in the order the team first
    decided each (db/decisions.first_decided); states: every cluster of the stage
    (stage_outcomes.stage_states). Status reads the same from the kept outcomes."""
    outcomes = (states[cid].outcome for cid in first_decided(db, stage) if cid in states)
    labels = tuple(relevant(o.verdict, stage) for o in outcomes if o.settled)
    return History(stage, TEAM, labels, len(states))
