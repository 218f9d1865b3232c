"""The review as extraction's commands see it (extraction.cli.context), opened the way every
screening command opens one: review.db, review.toml, and who is asking.

The studies are the reports sought at full text (screening/decisions/reports.py) grouped by
the reviewers' study links (extraction/studies/grouping.py); a report never linked is its own
study, named by a UUID every copy of the review derives alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from db.extraction_values import remember_study_aliases
from extraction.cli.context import ANYONE, VIEWER, ExtractionReview, IncludedStudy
from extraction.studies.grouping import included_studies as grouped_studies
from screening.decisions.reports import full_text_reports, screened_records
from screening.decisions.team import viewer, who_is_asking
from screening.review import Review, load_review


@contextmanager
def open_for_extraction(
    review_path: str | None, reviewer: str | None, role: str
) -> Iterator[ExtractionReview]:
    with load_review(review_path) as review:
        p = review.protocol
        if role == ANYONE:
            name = reviewer.strip() if reviewer and reviewer.strip() else None
        elif role == VIEWER:
            name = viewer(p, reviewer)
        else:
            name = who_is_asking(p, reviewer, role)
        # current_extraction_values and current_rob_answers read through study_aliases, which
        # is derived (links, duplicate clusters, full-text outcomes): grouping the studies
        # brings it up to date, so it runs before the command reads a value, and once
        studies = included_studies(review)
        yield ExtractionReview(
            review.db, review.path.parent, p.form, name, p.adjudicators,
            lambda: studies, run_screen,
            lambda: full_text_reports(review.db, p), lambda: screened_records(review.db, p),
        )  # fmt: skip


def run_screen(factory: Callable[[], Any], title: str) -> None:
    """Run an extraction screen; a crash inside it exits non-zero, as the screening ones do."""
    from screening.cli.screen import run_app
    from screening.tui.app import make_app

    run_app(make_app(factory, title=title))


def included_studies(review: Review) -> list[IncludedStudy]:
    """The studies with a report included at full text, grouped by the study links
    (extraction/studies/grouping.py), in import order."""
    studies = grouped_studies(review.db, full_text_reports(review.db, review.protocol))
    # values entered under a report's own UUID, before it joined its study, follow the study
    aliases = {a: s.uuid for s in studies for a in s.aliases if a != s.uuid}
    remember_study_aliases(review.db, aliases)
    return studies
