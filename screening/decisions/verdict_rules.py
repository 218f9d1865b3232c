"""What the protocol allows a verdict to be at a stage: shared by screening and resolving."""

from __future__ import annotations

from screening.decisions.ledger import VERDICTS
from screening.protocol import Protocol


def verdicts_at(stage: str) -> tuple[str, ...]:
    """The verdicts a stage allows: not-retrieved is a full-text outcome only."""
    return VERDICTS if stage == "full-text" else VERDICTS[:3]


def verdict_problem(protocol: Protocol, stage: str, verdict: str, reason: str | None) -> str | None:
    """Why this verdict and reason cannot be recorded at this stage, or None if they can."""
    if verdict not in verdicts_at(stage):
        where = "at full text" if verdict == "not-retrieved" else "here"
        return f"{verdict!r} is not a verdict {where} ({stage})"
    if verdict != "exclude" and reason is not None:
        return "only an exclusion carries a reason"
    if verdict == "exclude" and reason is None and protocol.reason_required.get(stage, False):
        return f"excluding at {stage} needs a reason (review.toml)"
    if reason is not None and reason not in protocol.exclusion_reasons:
        return f"{reason!r} is not an exclusion reason in review.toml"
    return None
