"""Which records a reviewer screens at a stage when the team's work shapes the list.

Alone, a reviewer screens every cluster of title/abstract and, at full text, the clusters
they sent on; ScreeningSession builds that list quickly from their own events. Once anyone
else has decided at this stage or the one before, or the protocol sets a pilot round, the
list comes from every cluster's state (stage_outcomes.py):

- full text starts from the title/abstract outcome: clusters agreed or resolved as include
  or maybe, not this reviewer's own verdict alone;
- a cluster that already holds the decisions it needs from colleagues is left out: it is
  not this reviewer's to screen (nothing of its verdicts is shown, only that it is done);
- the pilot round's records come first, the first N clusters in import order, the same for
  everyone, and every reviewer screens them whatever the protocol requires.
"""

from __future__ import annotations

from sqlite_utils import Database

from screening.decisions.stage_outcomes import stage_states
from screening.protocol import Protocol


def team_queue(db: Database, protocol: Protocol, stage: str, reviewer: str) -> list[int] | None:
    """The reviewer's records (canonical ids) in order, or None where only their own work
    decides the list."""
    if not protocol.pilot and not _others_decided(db, protocol, stage, reviewer):
        return None
    states = list(stage_states(db, protocol, stage).values())
    pilot = [s.record_id for s in states[: protocol.pilot]]
    rest = [
        s.record_id
        for s in states[protocol.pilot :]
        if s.voted(reviewer) or len(s.votes) < s.required or s.outcome.state == "conflict"
    ]
    return pilot + rest


def _others_decided(db: Database, protocol: Protocol, stage: str, reviewer: str) -> bool:
    stages = [stage]
    if stage == "full-text" and "title-abstract" in protocol.stages:
        stages.append("title-abstract")
    marks = ", ".join("?" for _ in stages)
    row = db.execute(
        f"SELECT 1 FROM decisions WHERE reviewer != ? AND stage IN ({marks}) LIMIT 1",
        [reviewer, *stages],
    ).fetchone()
    return row is not None


def pilot_summary(db: Database, protocol: Protocol, stage: str, reviewer: str) -> str:
    """What a reviewer who has finished the pilot round sees before going on: agreement
    with each colleague who finished it too (figures over the pilot's records, none of which
    reveals a single verdict), or who is still screening it."""
    from screening.decisions.agreement import stage_agreement

    states = stage_states(db, protocol, stage)
    pilot = dict(list(states.items())[: protocol.pilot])
    others = sorted({v.reviewer for s in pilot.values() for v in s.votes} - {reviewer})
    lines = [f"Pilot round done ({len(pilot)} records)."]
    finished = [o for o in others if all(s.voted(o) for s in pilot.values())]
    for row in stage_agreement(pilot, protocol, stage):
        if (
            len(row.reviewers) == 2
            and reviewer in row.reviewers
            and set(row.reviewers)
            <= {
                reviewer,
                *finished,
            }
        ):
            other = next(r for r in row.reviewers if r != reviewer)
            kappa = "n/a" if row.kappa is None else f"{row.kappa:.2f}"
            lines.append(f"With {other}: {row.agreement or 0:.0%} agree, kappa {kappa}.")
    waiting = [o for o in others if o not in finished]
    if waiting:
        lines.append("Still screening it: " + ", ".join(waiting) + ".")
    elif not finished:
        lines.append("No colleague has screened it yet.")
    return " ".join(lines)


def dual_sample(db: Database, protocol: Protocol, stage: str) -> frozenset[int]:
    """The records (canonical ids) of the stage's dual-review sample, when the protocol asks
    for two decisions on a share of the records (not all, not none); they keep their places
    whatever order a reviewer chooses (ordering.py)."""
    share = protocol.dual_share.get(stage, 0.0)
    if not 0 < share < 1:
        return frozenset()
    states = stage_states(db, protocol, stage).values()
    return frozenset(s.record_id for s in states if s.required == 2)
