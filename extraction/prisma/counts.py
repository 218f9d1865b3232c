"""PRISMA 2020 counts: records, reports and studies, each at its own level.

Records are duplicate clusters (one per paper once deduplicated); what title/abstract
screening decided about them, and which clusters full text holds as reports with their
outcome there, is screening's to say (the decision in force: screening/decisions/), handed
in as ScreenedRecord and FullTextReport lists, since extraction never imports screening.
Studies group reports as extraction/studies/grouping.py defines them.

Field names are those of the PRISMA2020 R package (Haddaway et al. 2022), so the JSON and the
CSV (template.py) feed it. The arithmetic checks are the ones that follow from PRISMA's
definitions (../shared/reference/prisma.md): a review still being screened fails some of them,
and the check says why.

Records marked as ineligible by automation tools: while the team's decision to stop
title/abstract screening stands (`metasift stop-screening`, db/stopping.py), the records
nobody screened there are excluded by the stopping rule, a prioritisation tool's, so they
leave "records screened" for that box, with the stop's reason and who recorded it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlite_utils import Database

from db.dedup import duplicates_removed
from db.sources import database_counts
from db.stopping import stop_in_force
from extraction.studies.grouping import Study, read_studies
from extraction.studies.reports import FullTextReport

EXCLUDE, NOT_RETRIEVED = "exclude", "not-retrieved"
SETTLED = ("agreed", "resolved")
UNSCREENED = "undecided"  # no decision from anyone: what a stop leaves behind
NO_REASON = "no reason given"
FINAL_CHECK = "every record screened and report sought has an outcome"  # the others are sums


class ScreenedRecord(NamedTuple):
    """A duplicate cluster at title/abstract with its outcome there."""

    cluster_id: int
    state: str  # undecided, pending, conflict, agreed, resolved
    verdict: str | None  # once agreed or resolved: include, exclude, maybe


class Check(NamedTuple):
    name: str
    holds: bool
    detail: str  # the figures compared, and why it fails where that is known


@dataclass(frozen=True)
class PrismaCounts:
    databases: tuple[tuple[str, int], ...]  # records identified, per database, import order
    duplicates: int
    records_screened: int
    records_excluded: int
    records_unsettled: int  # screened records with no outcome yet (undecided, conflict...)
    sought: int
    not_retrieved: int
    reasons: tuple[tuple[str, int], ...]  # reports excluded, per reason, most first
    reports_unsettled: int  # sought reports with no full-text outcome yet
    new_studies: int
    new_reports: int  # reports of the included studies (those included at full text)
    excluded_automatic: int = 0  # left unscreened by the team's stop (stopping rule)
    excluded_other: int = 0
    automatic_reason: str = ""  # the stop: its reason, who recorded it and when

    @property
    def database_results(self) -> int:
        return sum(n for _, n in self.databases)

    @property
    def assessed(self) -> int:
        return self.sought - self.not_retrieved

    @property
    def reports_excluded(self) -> int:
        return sum(n for _, n in self.reasons)


def count_prisma(
    databases: Iterable[tuple[str, int]],
    duplicates: int,
    screened: list[ScreenedRecord],
    reports: list[FullTextReport],
    studies: list[Study],
    stopped: str | None = None,
) -> PrismaCounts:
    """The counts from what was identified per database, the duplicates removed, the
    title/abstract outcomes, the reports sought with their outcomes and the studies;
    stopped: the reason of a title/abstract stop in force (its unscreened records are
    excluded by automation)."""
    automatic = sum(1 for s in screened if s.state == UNSCREENED) if stopped is not None else 0
    if automatic:
        screened = [s for s in screened if s.state != UNSCREENED]
    settled = [r for r in reports if r.state in SETTLED]
    reasons = Counter(r.reason or NO_REASON for r in settled if r.verdict == EXCLUDE)
    included = [r for s in studies if s.included for r in s.reports if r.outcome.included]
    return PrismaCounts(
        databases=tuple(databases),
        duplicates=duplicates,
        records_screened=len(screened),
        records_excluded=sum(1 for s in screened if s.state in SETTLED and s.verdict == EXCLUDE),
        records_unsettled=sum(1 for s in screened if s.state not in SETTLED),
        sought=len(reports),
        not_retrieved=sum(1 for r in settled if r.verdict == NOT_RETRIEVED),
        reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        reports_unsettled=len(reports) - len(settled),
        new_studies=sum(1 for s in studies if s.included),
        new_reports=len(included),
        excluded_automatic=automatic,
        automatic_reason=stopped or "",
    )


def review_counts(
    db: Database, screened: list[ScreenedRecord], reports: list[FullTextReport]
) -> PrismaCounts:
    """The review's counts: records per database as each record names it (a file mixing
    databases splits among them), duplicates as deduplication removed them, studies as
    extraction groups the reports."""
    databases = [(d["database"] or "database not named", d["records"]) for d in database_counts(db)]
    removed = sum(duplicates_removed(db).values())
    studies = read_studies(db, reports)
    return count_prisma(databases, removed, screened, reports, studies, _stop_reason(db))


def _stop_reason(db: Database) -> str | None:
    """The title/abstract stop in force, said in one line, or None."""
    stop = stop_in_force(db, "title-abstract")
    if stop is None:
        return None
    rule = f" ({stop['rule']} rule)" if stop["rule"] else ""
    return f"screening stopped{rule} by {stop['reviewer']} on {stop['created_at'][:10]}: " + (
        stop["reason"] or "no reason given"
    )


def arithmetic_checks(c: PrismaCounts) -> list[Check]:
    """The consistency checks of the PRISMA 2020 boxes, each with the figures it compared."""
    removed = c.duplicates + c.excluded_automatic + c.excluded_other
    left = c.records_screened - c.records_excluded
    reasons_expected = c.assessed - c.new_reports
    return [
        Check(
            "records screened = identified - duplicates - automation - other removed",
            c.records_screened == c.database_results - removed,
            f"{c.records_screened} vs {c.database_results} - {removed}",
        ),
        Check(
            "reports sought <= records screened - records excluded",
            c.sought <= left,
            f"{c.sought} vs {left}" + _waiting(c.records_unsettled, "record", "title/abstract"),
        ),
        Check(
            "reports assessed = sought - not retrieved",
            c.assessed == c.sought - c.not_retrieved,
            f"{c.assessed} vs {c.sought} - {c.not_retrieved}",
        ),
        Check(
            "reports excluded (sum of reasons) = assessed - reports of included studies",
            c.reports_excluded == reasons_expected,
            f"{c.reports_excluded} vs {c.assessed} - {c.new_reports}"
            + _waiting(c.reports_unsettled, "report", "full-text"),
        ),
        Check(
            "studies included <= reports of included studies",
            c.new_studies <= c.new_reports,
            f"{c.new_studies} vs {c.new_reports}",
        ),
        # the sums above can all hold while nothing is screened: a diagram to publish is final
        Check(
            FINAL_CHECK,
            not c.records_unsettled and not c.reports_unsettled,
            f"{c.records_unsettled} at title/abstract and {c.reports_unsettled} at full text "
            "have none yet",
        ),
    ]


def _waiting(count: int, what: str, stage: str) -> str:
    if not count:
        return ""
    return f" ({count} {what}{'s' if count != 1 else ''} with no {stage} outcome yet)"


def package_figures(c: PrismaCounts) -> dict[str, int]:
    """The single figures, under the PRISMA2020 package's field names."""
    return {
        "database_results": c.database_results,
        "duplicates": c.duplicates,
        "excluded_automatic": c.excluded_automatic,
        "excluded_other": c.excluded_other,
        "records_screened": c.records_screened,
        "records_excluded": c.records_excluded,
        "dbr_sought_reports": c.sought,
        "dbr_notretrieved_reports": c.not_retrieved,
        "dbr_assessed": c.assessed,
        "new_studies": c.new_studies,
        "new_reports": c.new_reports,
    }


def as_json(c: PrismaCounts) -> dict[str, Any]:
    """The counts under the PRISMA2020 package's field names, the lists as objects, with
    what is not settled yet and the checks."""
    return {
        **package_figures(c),
        "database_specific_results": [{"database": d, "n": n} for d, n in c.databases],
        "dbr_excluded": [{"reason": r, "n": n} for r, n in c.reasons],
        "excluded_automatic_reason": c.automatic_reason or None,
        "unsettled": {"records": c.records_unsettled, "reports": c.reports_unsettled},
        "checks": [check._asdict() for check in arithmetic_checks(c)],
    }
