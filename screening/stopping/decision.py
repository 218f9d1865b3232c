"""The team's decision to stop screening a stage, and its undo: append-only events.

Stopping is a decision people make, never one metasift makes for them: the guidance is
shown, and someone records the stop with a reason. In dual review (the protocol asks two
decisions of some records at the stage) the stop is the team's, so only an adjudicator may
record or undo it; otherwise any reviewer may. The event keeps the rule review.toml set and
the team's figures at that moment. While it stands, the records nobody screened at the stage
count in PRISMA as excluded by an automation tool, with the reason.

Title/abstract only: prioritisation and its stopping rules are about records; at full text
every report sought is assessed (PRISMA has no automation box for reports).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.errors import MetasiftError
from db.stopping import record_stopping_events, stop_in_force
from screening.decisions.stage_outcomes import stage_states
from screening.decisions.team import ADJUDICATOR, SCREENER, who_is_asking
from screening.protocol import Protocol
from screening.stopping.guidance import Guidance, guidance
from screening.stopping.history import team_history

STOPPABLE = "title-abstract"


@dataclass(frozen=True)
class Stop:
    uuid: str
    stage: str
    reviewer: str
    reason: str
    rule: str
    figures: dict[str, Any]
    created_at: str
    unscreened: int  # records of the stage nobody has decided


def stopper(protocol: Protocol, stage: str, given: str | None) -> str:
    """Who may record or undo a stop: an adjudicator in dual review, else any reviewer."""
    dual = protocol.dual_share.get(stage, 0.0) > 0
    return who_is_asking(protocol, given, ADJUDICATOR if dual else SCREENER)


def team_guidance(db: Database, protocol: Protocol, stage: str) -> tuple[Guidance, int]:
    """The team's guidance at the stage, and how many of its records nobody has decided."""
    states = stage_states(db, protocol, stage)
    unscreened = sum(1 for s in states.values() if not s.votes)
    return guidance(team_history(db, stage, states), protocol.stopping), unscreened


def stop_screening(
    db: Database,
    protocol: Protocol,
    stage: str,
    who: str,
    reason: str,
    clock: Callable[[], str] = utc_now,
) -> Stop:
    """Record the team's stop at the stage, with the figures shown now."""
    _check_stage(protocol, stage)
    if not reason.strip():
        raise MetasiftError("stop-screening: give the reason for stopping (--reason TEXT)")
    held = stop_in_force(db, stage)
    if held:
        raise MetasiftError(
            f"{stage}: screening was already stopped by {held['reviewer']} on "
            f"{held['created_at'][:10]}; undo that stop first (--undo) to record another"
        )
    shown, unscreened = team_guidance(db, protocol, stage)
    if not unscreened:
        raise MetasiftError(f"{stage}: every record has a decision; there is nothing to stop")
    if unscreened >= shown.history.total:  # a stop now would exclude every record unread
        raise MetasiftError(
            f"{stage}: no record is screened yet; a stop now would count all {unscreened:,} "
            "as excluded by automation"
        )
    stop = Stop(
        str(uuid.uuid4()), stage, who, reason.strip(), protocol.stopping.rule,
        shown.as_json(), clock(), unscreened,
    )  # fmt: skip
    record_stopping_events(db, [_row(stop)])
    return stop


def undo_stop(
    db: Database, protocol: Protocol, stage: str, who: str, clock: Callable[[], str] = utc_now
) -> dict[str, Any]:
    """Cancel the stop in force at the stage (a new event); the stop it cancelled."""
    _check_stage(protocol, stage)
    held = stop_in_force(db, stage)
    if held is None:
        raise MetasiftError(f"{stage}: screening is not stopped; nothing to undo")
    row = {"uuid": str(uuid.uuid4()), "stage": stage, "reviewer": who, "undoes": held["uuid"]}
    record_stopping_events(db, [{**row, "created_at": clock()}])
    return held


def _check_stage(protocol: Protocol, stage: str) -> None:
    if stage != STOPPABLE:
        raise MetasiftError(
            f"{stage}: stopping applies to title-abstract screening only; at full text every "
            "report sought is assessed"
        )
    if stage not in protocol.stages:
        raise MetasiftError(f"{stage}: not one of review.toml's stages ({protocol.stages})")


def _row(stop: Stop) -> dict[str, Any]:
    return {
        "uuid": stop.uuid,
        "stage": stop.stage,
        "reviewer": stop.reviewer,
        "reason": stop.reason,
        "rule": stop.rule,
        "figures": json.dumps(stop.figures, ensure_ascii=False),
        "undoes": None,
        "created_at": stop.created_at,
    }
