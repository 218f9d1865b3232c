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


def first_screened(db: Database, stage: str, reviewer: str | None = None) -> dict[int, str]:
    """cluster id -> time of the first decision on it that is neither an undo nor undone
    (one reviewer's, or anyone's)."""
    who = "AND d.reviewer = ?" if reviewer is not None else ""
    rows = db.execute(
        "SELECT k.cluster_id, min(d.created_at) FROM decisions d "
        "JOIN record_clusters k ON k.record_id = d.record_id "
        f"WHERE d.stage = ? {who} AND d.verdict != 'undo' "
        "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.uuid) "
        "GROUP BY k.cluster_id",
        [stage, reviewer] if reviewer is not None else [stage],
    )
    return dict(rows.fetchall())


def reviewer_history(db: Database, stage: str, reviewer: str, total: int) -> History:
    """One reviewer's decisions in force at the stage, in the order they first decided each
    record; total: the records on their list (the screen knows it)."""
    verdicts = dict(
        db.execute(
            "SELECT cluster_id, verdict FROM current_decisions WHERE reviewer = ? AND stage = ?",
            [reviewer, stage],
        ).fetchall()
    )
    return _ordered(stage, reviewer, verdicts, first_screened(db, stage, reviewer), total)


def team_history(db: Database, stage: str, states: dict[int, ClusterState]) -> History:
    """The settled clusters of the stage with their outcome, in the order the team first
    decided each; states: every cluster of the stage (stage_outcomes.stage_states)."""
    verdicts = {cid: s.outcome.verdict for cid, s in states.items() if s.outcome.settled}
    return _ordered(stage, TEAM, verdicts, first_screened(db, stage), len(states))


def _ordered(
    stage: str, who: str, verdicts: dict[int, str | None], first: dict[int, str], total: int
) -> History:
    order = sorted(verdicts, key=lambda cid: (first.get(cid, ""), cid))
    labels = tuple(relevant(verdicts[cid], stage) for cid in order)
    return History(stage, who, labels, max(total, len(labels)))
