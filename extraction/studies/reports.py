"""Reports as extraction receives them.

Which clusters are reports and what full text decided about them is screening's to say (the
decision in force, dual review, resolutions: screening/decisions/stage_outcomes.py), and
extraction never imports screening: the review extraction's commands are handed carries a
reader of these (extraction/cli/context.py).
"""

from __future__ import annotations

from typing import NamedTuple

INCLUDE = "include"


class FullTextReport(NamedTuple):
    """A duplicate cluster sought at full text (PRISMA's reports sought: excluded and not
    retrieved ones are reports too), with its outcome there."""

    cluster_id: int
    record_id: int  # the canonical record, the one screens show
    state: str  # undecided, pending, conflict, agreed, resolved
    verdict: str | None  # once agreed or resolved: include, exclude, maybe, not-retrieved
    reason: str | None = None  # an exclusion's reason, once agreed or resolved (PRISMA's)

    @property
    def included(self) -> bool:
        return self.state in ("agreed", "resolved") and self.verdict == INCLUDE
