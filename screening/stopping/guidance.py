"""Stopping guidance: a history's figures from every method, the protocol's own rule beside
them, as lines for people and JSON for scripts. Guidance only: nothing here stops anyone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from screening.protocol import StoppingRule
from screening.stopping.estimates import (
    Estimate,
    consecutive_excludes,
    knee,
    since_last_include,
    zero_event_bound,
)
from screening.stopping.history import TEAM, History
from screening.stopping.random_sample import random_sample

NEVER_AUTOMATIC = "guidance only: the team decides to stop (metasift stop-screening)"


@dataclass(frozen=True)
class Guidance:
    history: History
    rule: StoppingRule
    since_last_include: int
    estimates: tuple[Estimate, ...]

    @property
    def protocol_rule(self) -> Estimate | None:
        """The estimate of the rule review.toml sets, if it sets one."""
        return next((e for e in self.estimates if e.method == self.rule.rule), None)

    def as_json(self) -> dict[str, Any]:
        h = self.history
        return {
            "stage": h.stage,
            "who": h.who or "team",
            "screened": h.screened,
            "records": h.total,
            "left": h.left,
            "includes": h.found,
            "since_last_include": self.since_last_include,
            "protocol_rule": self.rule.rule or None,
            "protocol_rule_met": self.protocol_rule.met if self.protocol_rule else None,
            "estimates": [e.as_json() for e in self.estimates],
        }


def guidance(history: History, rule: StoppingRule) -> Guidance:
    labels = history.labels
    estimates = (
        consecutive_excludes(labels, rule.consecutive_excludes),
        zero_event_bound(labels, history.total, rule.confidence),
        knee(labels),
        random_sample(
            labels, history.total, rule.random_after, rule.recall_target, rule.confidence
        ),
    )
    return Guidance(history, rule, since_last_include(labels), estimates)


def summary_line(g: Guidance) -> str:
    h = g.history
    last = f"{g.since_last_include:,} since the last include" if h.found else "no include yet"
    return f"{h.screened:,} of {h.total:,} screened, {h.found:,} relevant; {last}; {h.left:,} left"


def estimate_line(e: Estimate) -> str:
    """One figure: its method, what it found (with its confidence), and whether it is met."""
    if not e.computed:
        return f"{e.title}: {e.note}"
    parts = [e.title + ":"]
    if e.unseen is not None:
        parts.append(f"about {e.unseen:,.1f} includes unseen,")
    if e.unseen_upper is not None:
        parts.append(f"at most {e.unseen_upper:,.1f} ({e.confidence:.0%} upper bound);")
    if e.met is not None:
        parts.append("met;" if e.met else "not met;")
    return " ".join(parts) + f" {e.note}"


def rule_line(g: Guidance) -> str:
    rule = g.protocol_rule
    if rule is None:
        return f"review.toml sets no stopping rule ([screening] stopping); {NEVER_AUTOMATIC}"
    state = {True: "MET", False: "not met", None: "cannot be computed yet"}[rule.met]
    return f"review.toml's rule, {g.rule.rule}: {state}; {NEVER_AUTOMATIC}"


def guidance_lines(g: Guidance) -> list[str]:
    whose = "the team's settled records" if g.history.who == TEAM else g.history.who
    return [
        f"stopping guidance ({whose}): {summary_line(g)}",
        *(f"  {estimate_line(e)}" for e in g.estimates),
        f"  {rule_line(g)}",
    ]
