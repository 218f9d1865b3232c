"""Linking a report to a study, and taking it out again: one event each, by a reviewer.

A link names the study by its UUID; --new gives a fresh one (uuid4: a study made by hand has
nothing to derive it from, and the event carries it to every copy). Unlinking is a link to
nothing: the report is its own study again, under its derived UUID.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlite_utils import Database

from db.errors import MetasiftError
from db.studies import STUDY_LINKS, record_events
from extraction.studies.grouping import Report, Study, find_report, find_study


@dataclass(frozen=True)
class LinkChange:
    report: Report
    before: Study
    after: str | None  # the study UUID it now belongs to (None: its own); None also if unchanged
    changed: bool


def study_of(studies: list[Study], report: Report) -> Study:
    return next(s for s in studies if report in s.reports)


def link_report(
    db: Database, studies: list[Study], record_id: int, to: str | None, reviewer: str
) -> LinkChange:
    """Put the record's report in the study `to` names (find_study), or in a new study when
    `to` is None. A report already alone in its study stays there: a new UUID would hide the
    values saved under the one it has (only a report's own derived UUID stays an alias)."""
    report = find_report(studies, record_id)
    before = study_of(studies, report)
    if to is None and before.reports == (report,):
        if not report.flags:
            return LinkChange(report, before, None, changed=False)
        target = before.uuid  # with flags: a link confirms it, as --to its own study does
    elif to is None:
        target = str(uuid.uuid4())
    else:
        target = find_study(studies, to).uuid
        if target == before.uuid and not report.flags:  # with flags: a link confirms it
            return LinkChange(report, before, target, changed=False)
    record_events(db, STUDY_LINKS, [(record_id, target)], reviewer)
    return LinkChange(report, before, target, changed=True)


def unlink_report(db: Database, studies: list[Study], record_id: int, reviewer: str) -> LinkChange:
    """Take the record's report out of its study: it becomes its own study again."""
    report = find_report(studies, record_id)
    before = study_of(studies, report)
    if not (report.link and report.link.target):
        others = [r for r in before.reports if r is not report]
        if not others:
            return LinkChange(report, before, None, changed=False)
        names = ", ".join(f"#{r.record_id}" for r in others)
        raise MetasiftError(
            f"record #{record_id} is the report {before.label} is named after; unlink the "
            f"others ({names}) to separate them"
        )
    record_events(db, STUDY_LINKS, [(record_id, None)], reviewer)
    return LinkChange(report, before, None, changed=True)


def clashing_cells(db: Database, one: str, other: str) -> int:
    """Cells (per reviewer) that both studies hold a different value for: joined in one
    study, the later value of each is in force and the other is hidden, so a link that
    makes them says how many (values are never moved or dropped)."""
    from db.extraction_values import values_in_force
    from extraction.values.cells import DONE, StoredValue

    def held(study: str) -> dict[tuple[str, tuple[str, ...]], StoredValue]:
        values = map(StoredValue.from_row, values_in_force(db, study_uuid=study))
        return {(v.reviewer, v.cell[1:]): v for v in values if v.cell.item != DONE}

    mine, theirs = held(one), held(other)
    return sum(1 for key, value in mine.items() if key in theirs and not value.same_as(theirs[key]))
