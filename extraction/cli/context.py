"""What extraction's commands get from the review they open, without importing screening.

Opening a review (finding review.db, reading review.toml, checking who is asking against its
team) is screening's work, and extraction never imports screening (dependencies point one
way). So screening's CLI hands extraction an opener when it registers its commands: extraction
says what it needs (ExtractionReview), screening supplies it (screening/cli/extraction_review.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from extraction.forms.form import Form
from extraction.prisma.counts import ScreenedRecord
from extraction.studies.grouping import IncludedStudy
from extraction.studies.reports import FullTextReport

EXTRACTOR, ADJUDICATOR, VIEWER = "screener", "adjudicator", "viewer"  # screening's role names
ANYONE = "anyone"  # counts that name no one's verdict (PRISMA), open as `status` is: no name


@dataclass(frozen=True)
class ExtractionReview:
    db: Database
    folder: Path  # the review folder: full-text paths are relative to it
    form: Form
    reviewer: str | None  # who is asking, checked against review.toml's team
    adjudicators: tuple[str, ...]
    included_studies: Callable[[], list[IncludedStudy]]  # as grouped when the review opened
    # runs a screen (a factory returning a textual Screen) in metasift's App, titled
    run_screen: Callable[[Callable[[], Any], str], None]
    # every report sought at full text with its outcome there (`metasift studies`)
    reports: Callable[[], list[FullTextReport]]
    # every record in force (duplicate cluster) with its title/abstract outcome (`prisma`)
    screened: Callable[[], list[ScreenedRecord]] = lambda: []  # noqa: E731


class ReviewOpener(Protocol):
    def __call__(
        self, review_path: str | None, reviewer: str | None, role: str
    ) -> AbstractContextManager[ExtractionReview]: ...
