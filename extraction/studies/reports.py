"""Reports as extraction receives them, and the review as extraction's commands open it.

Which clusters are reports and what full text decided about them is screening's to say (the
decision in force, dual review, resolutions: screening/decisions/stage_outcomes.py), and
extraction never imports screening: the root command hands extraction's commands an opener
(click's context object) that yields the open database with a reader of these reports.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from sqlite_utils import Database

INCLUDE = "include"


class FullTextReport(NamedTuple):
    """A duplicate cluster sought at full text (PRISMA's reports sought: excluded and not
    retrieved ones are reports too), with its outcome there."""

    cluster_id: int
    record_id: int  # the canonical record, the one screens show
    state: str  # undecided, pending, conflict, agreed, resolved
    verdict: str | None  # once agreed or resolved: include, exclude, maybe, not-retrieved

    @property
    def included(self) -> bool:
        return self.state in ("agreed", "resolved") and self.verdict == INCLUDE


@dataclass
class OpenedReview:
    db: Database
    path: Path  # the review.db
    reports: Callable[[], list[FullTextReport]]  # read when asked: it reads every decision
    reviewer: Callable[[str | None], str]  # who is asking, checked against review.toml


class ReviewOpener(Protocol):
    def __call__(self, review_path: str | None) -> AbstractContextManager[OpenedReview]: ...
