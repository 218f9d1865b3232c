"""What `metasift status` says about stopping: the team's guidance at title/abstract and the
stop in force, if any, with what PRISMA counts because of it. Counts only (the team's
settled records), so blinding holds and anyone may read it, as the rest of status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.cluster_outcomes import settled_in_team_order
from db.plurals import counted
from db.stopping import stop_in_force
from screening.decisions.kept_outcomes import read_kept
from screening.decisions.progress import states_by_stage
from screening.protocol import Protocol
from screening.stopping.decision import STOPPABLE
from screening.stopping.guidance import Guidance, guidance, guidance_lines
from screening.stopping.history import TEAM, History, relevant, team_history


@dataclass(frozen=True)
class StoppingStatus:
    guidance: Guidance
    stop: dict[str, Any] | None  # the stop in force (db/stopping.py's columns)
    unscreened: int  # records nobody decided: excluded by automation while the stop stands

    def as_json(self) -> dict[str, Any]:
        stop = None
        if self.stop:
            kept = ("uuid", "reviewer", "reason", "rule", "created_at")
            stop = {**{k: self.stop[k] for k in kept}, "excluded_automatic": self.unscreened}
        return {**self.guidance.as_json(), "stopped": stop}

    def lines(self) -> list[str]:
        history = self.guidance.history
        if not history.left and not self.stop:  # nothing left that stopping could spare
            return [
                f"stopping guidance: every record of {history.stage} is settled "
                f"({history.found} relevant of {history.screened}); nothing left to stop"
            ]
        lines = guidance_lines(self.guidance)
        if self.stop:
            s = self.stop
            lines.append(
                f"  STOPPED by {s['reviewer']} on {s['created_at'][:10]} ({s['reason']}): "
                f"{counted(self.unscreened, 'record')} nobody screened count in PRISMA as "
                "excluded by an automation tool (`metasift stop-screening --undo` cancels)"
            )
        return lines


def stopping_status(db: Database, protocol: Protocol) -> StoppingStatus | None:
    """The title/abstract stopping status, from the kept cluster outcomes (status's own
    reading), else derived; None where the protocol has no title/abstract stage."""
    if STOPPABLE not in protocol.stages:
        return None
    kept = read_kept(db, protocol, lambda db: settled_in_team_order(db, STOPPABLE))
    if kept is None:  # a file it cannot write to: derive, as status does
        states = states_by_stage(db, protocol, (STOPPABLE,))[STOPPABLE]
        unscreened = sum(1 for s in states.values() if not s.votes)
        history = team_history(db, STOPPABLE, states)
    else:
        verdicts, total, unscreened = kept
        labels = tuple(relevant(v, STOPPABLE) for v in verdicts)
        history = History(STOPPABLE, TEAM, labels, total)
    shown = guidance(history, protocol.stopping)
    return StoppingStatus(shown, stop_in_force(db, STOPPABLE), unscreened)
