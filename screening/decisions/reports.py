"""Screening's side of reports: the clusters sought at full text with their outcome there,
which extraction reads through the review its commands are handed (extraction never imports
screening: screening/cli/extraction_review.py)."""

from __future__ import annotations

from sqlite_utils import Database

from extraction.prisma.counts import ScreenedRecord
from extraction.studies.reports import FullTextReport
from screening.decisions.stage_outcomes import stage_states
from screening.protocol import Protocol

FULL_TEXT, TITLE_ABSTRACT = "full-text", "title-abstract"


def full_text_reports(db: Database, protocol: Protocol) -> list[FullTextReport]:
    """Every cluster the full-text stage holds (sought), with its outcome, in import order;
    a protocol without full text reads its last stage."""
    stage = FULL_TEXT if FULL_TEXT in protocol.stages else protocol.stages[-1]
    return [
        FullTextReport(
            s.cluster_id, s.record_id, s.outcome.state, s.outcome.verdict, s.outcome.reason
        )
        for s in stage_states(db, protocol, stage).values()
    ]


def screened_records(db: Database, protocol: Protocol) -> list[ScreenedRecord]:
    """Every record in force (duplicate cluster) with its title/abstract outcome (PRISMA's
    records screened and excluded); a protocol without that stage sends every cluster to
    full text, as stage_outcomes does, so each counts as screened and sent on."""
    if TITLE_ABSTRACT not in protocol.stages:
        every = stage_states(db, protocol, FULL_TEXT)
        return [ScreenedRecord(cluster_id, "agreed", "include") for cluster_id in every]
    return [
        ScreenedRecord(s.cluster_id, s.outcome.state, s.outcome.verdict)
        for s in stage_states(db, protocol, TITLE_ABSTRACT).values()
    ]
