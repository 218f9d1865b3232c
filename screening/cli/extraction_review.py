"""The review as extraction's commands see it (extraction.cli.context), opened the way every
screening command opens one: review.db, review.toml, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from extraction.cli.context import VIEWER, ExtractionReview
from screening.decisions.team import viewer, who_is_asking
from screening.review import load_review


@contextmanager
def open_for_extraction(
    review_path: str | None, reviewer: str | None, role: str
) -> Iterator[ExtractionReview]:
    with load_review(review_path) as review:
        p = review.protocol
        name = viewer(p, reviewer) if role == VIEWER else who_is_asking(p, reviewer, role)
        yield ExtractionReview(review.db, review.path.parent, p.form, name, p.adjudicators)
