"""Screening's side of reports: the clusters sought at full text with their outcome there,
handed to extraction (which never imports screening) through the opener the root command
gives extraction's commands (extraction/studies/reports.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from extraction.studies.reports import FullTextReport, OpenedReview
from screening.decisions.stage_outcomes import stage_states
from screening.decisions.team import VIEWER, who_is_asking
from screening.protocol import Protocol
from screening.review import load_review

FULL_TEXT = "full-text"


def full_text_reports(db: Database, protocol: Protocol) -> list[FullTextReport]:
    """Every cluster the full-text stage holds (sought), with its outcome, in import order."""
    if FULL_TEXT not in protocol.stages:
        return []
    return [
        FullTextReport(s.cluster_id, s.record_id, s.outcome.state, s.outcome.verdict)
        for s in stage_states(db, protocol, FULL_TEXT).values()
    ]


@contextmanager
def open_for_extraction(review_path: str | None) -> Iterator[OpenedReview]:
    """The review open for one of extraction's commands."""
    with load_review(review_path) as review:
        protocol = review.protocol
        yield OpenedReview(
            review.db,
            review.path,
            lambda: full_text_reports(review.db, protocol),
            lambda name: who_is_asking(protocol, name, VIEWER),  # anyone on the team
        )
