"""The review as extraction's commands see it (extraction.cli.context), opened the way every
screening command opens one: review.db, review.toml, and who is asking.

Until studies group reports (`metasift studies`), each report included at full text is its
own study, named by a UUID derived from the review's UUID and the report's record UUID, so
every copy of the review names it alike.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from extraction.cli.context import VIEWER, ExtractionReview, IncludedStudy
from screening.control_chars import visible
from screening.decisions.outcome import INCLUDE
from screening.decisions.progress import states_by_stage
from screening.decisions.team import viewer, who_is_asking
from screening.review import Review, load_review, review_uuid

STAGE = "full-text"


@contextmanager
def open_for_extraction(
    review_path: str | None, reviewer: str | None, role: str
) -> Iterator[ExtractionReview]:
    with load_review(review_path) as review:
        p = review.protocol
        name = viewer(p, reviewer) if role == VIEWER else who_is_asking(p, reviewer, role)
        yield ExtractionReview(
            review.db, review.path.parent, p.form, name, p.adjudicators,
            lambda: included_studies(review), run_screen,
        )  # fmt: skip


def run_screen(factory: Callable[[], Any], title: str) -> None:
    from screening.tui.app import make_app

    make_app(factory, title=title).run()


def included_studies(review: Review) -> list[IncludedStudy]:
    """The reports included at the last screening stage, one study each, in import order."""
    stage = STAGE if STAGE in review.protocol.stages else review.protocol.stages[-1]
    states = states_by_stage(review.db, review.protocol, (stage,))[stage]
    settled = (s for s in states.values() if s.outcome.settled)
    chosen = [s.record_id for s in settled if s.outcome.verdict == INCLUDE]
    namespace = uuid.UUID(review_uuid(review.db))
    studies = []
    for record_id in chosen:
        record_uuid, authors, year = review.db.execute(
            "SELECT uuid, authors, year FROM records WHERE id = ?", [record_id]
        ).fetchone()
        study_uuid = str(uuid.uuid5(namespace, record_uuid))
        studies.append(IncludedStudy(study_uuid, _label(authors, year), (record_id,)))
    return studies


def _label(authors: str | None, year: int | None) -> str:
    names = json.loads(authors) if authors else []
    first = names[0].split(",")[0].strip() if names else "Anonymous"
    return visible(f"{first} {year or 'n.d.'}")  # record text: never a live control character
