"""Screening's side of reports: the clusters sought at full text with their outcome there,
which extraction reads through the review its commands are handed (extraction never imports
screening: screening/cli/extraction_review.py)."""

from __future__ import annotations

from sqlite_utils import Database

from extraction.studies.reports import FullTextReport
from screening.decisions.stage_outcomes import stage_states
from screening.protocol import Protocol

FULL_TEXT = "full-text"


def full_text_reports(db: Database, protocol: Protocol) -> list[FullTextReport]:
    """Every cluster the full-text stage holds (sought), with its outcome, in import order;
    a protocol without full text reads its last stage."""
    stage = FULL_TEXT if FULL_TEXT in protocol.stages else protocol.stages[-1]
    return [
        FullTextReport(s.cluster_id, s.record_id, s.outcome.state, s.outcome.verdict)
        for s in stage_states(db, protocol, stage).values()
    ]
