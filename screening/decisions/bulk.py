"""BulkPlan: one verdict for every record of a filtered list, worked out before anything is
written, so that the screen can say what it would change and ask first.

ScreeningSession checks the verdict, makes the plan (plan_bulk) and writes it (apply_bulk).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from screening.decisions.ledger import Decision


@dataclass(frozen=True)
class BulkPlan:
    """A bulk decision worked out but not written: the screen asks for confirmation first."""

    verdict: str
    reason: str | None
    record_ids: tuple[int, ...]
    undecided: int  # of record_ids, how many have no decision yet
    unchanged: int  # records in the filter that already carry this verdict (left alone)
    filter: str

    @classmethod
    def over(
        cls,
        listed: Iterable[int],
        in_force: Callable[[int], Decision | None],
        verdict: str,
        reason: str | None,
        filter_text: str,
    ) -> BulkPlan:
        """The plan for the records listed, given the reviewer's decision in force on each."""
        chosen, undecided, unchanged = [], 0, 0
        for rid in listed:
            current = in_force(rid)
            if current and current.verdict == verdict and current.reason == reason:
                unchanged += 1
                continue
            chosen.append(rid)
            undecided += current is None
        return cls(verdict, reason, tuple(chosen), undecided, unchanged, filter_text)
