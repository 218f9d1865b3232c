"""Studies: the reports of one trial, grouped by the reviewers' study links.

A report's study is the one its link in force names (db/studies.py). A report never linked,
or unlinked, is its own study, whose UUID is derived: uuid5 of the review's UUID and the UUID
of the report's first-imported record (the lowest id of its cluster, which the code calls the
cluster id). Every copy of the review holds the same review UUID, records and ids (a copy is
the main file copied), so every copy derives the same study UUID without storing it; the
first-imported record, not the canonical one, because a new import that brings a fuller copy
of the paper changes the canonical record and must not change the study. Each member record's
derived UUID is kept as an alias of the study, so values saved under a report's own UUID
still find their study after a dedup merge or after the report is linked into another.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlite_utils import Database

from db.errors import MetasiftError
from db.studies import (
    Event,
    cluster_records,
    full_texts_in_force,
    links_in_force,
    report_flags,
    review_uuid,
)
from extraction.studies.reports import FullTextReport
from extraction.values.ledger import printable


@dataclass(frozen=True)
class Report:
    outcome: FullTextReport
    members: tuple[dict[str, Any], ...]  # the cluster's records, first-imported first
    link: Event | None
    full_texts: tuple[Event, ...]
    flags: tuple[str, ...]  # what dedup asked to look at again

    @property
    def record_id(self) -> int:
        return self.outcome.record_id

    @property
    def canonical(self) -> dict[str, Any]:
        return next((m for m in self.members if m["id"] == self.record_id), self.members[0])


@dataclass(frozen=True)
class Study:
    uuid: str
    label: str
    reports: tuple[Report, ...]
    aliases: frozenset[str]  # the derived UUIDs of its reports' records

    @property
    def included(self) -> bool:
        return any(r.outcome.included for r in self.reports)


class IncludedStudy(NamedTuple):
    """What extraction needs of a study with an included report."""

    uuid: str
    label: str
    record_ids: tuple[int, ...]  # its reports' canonical records, included or not
    aliases: frozenset[str] = frozenset()  # other UUIDs that name it (module docstring)
    # what dedup asked to look at again on its reports (a merge, a split, a new canonical
    # record): the values stay attached, and the extraction screen shows these
    flags: tuple[str, ...] = ()


def derived_uuid(review: str, record_uuid: str) -> str:
    return str(uuid.uuid5(uuid.UUID(review), record_uuid))


def read_studies(db: Database, outcomes: list[FullTextReport]) -> list[Study]:
    """Every study of the review's reports, in the order of their first report."""
    members = cluster_records(db, (o.cluster_id for o in outcomes))
    links, texts, flags = links_in_force(db), full_texts_in_force(db), report_flags(db)
    reports = [
        Report(
            o,
            tuple(members.get(o.cluster_id, ())),
            links.get(o.cluster_id),
            tuple(texts.get(o.cluster_id, ())),
            tuple(flags.get(o.cluster_id, ())),
        )
        for o in sorted(outcomes, key=lambda o: o.cluster_id)
        if o.cluster_id in members
    ]
    review = review_uuid(db)
    own = {r.outcome.cluster_id: derived_uuid(review, r.members[0]["uuid"]) for r in reports}
    alias_of = {  # a member's derived UUID -> the study of its report, if not linked away
        derived_uuid(review, m["uuid"]): own[r.outcome.cluster_id]
        for r in reports
        if not (r.link and r.link.target)
        for m in r.members
    }
    grouped: dict[str, list[Report]] = defaultdict(list)
    for r in reports:
        target = r.link.target if r.link and r.link.target else own[r.outcome.cluster_id]
        grouped[alias_of.get(target, target)].append(r)
    return _labelled(review, grouped)


def _labelled(review: str, grouped: dict[str, list[Report]]) -> list[Study]:
    labels = {key: report_label(_named_after(held).canonical) for key, held in grouped.items()}
    counts: dict[str, int] = defaultdict(int)
    for label in labels.values():
        counts[label] += 1
    seen: dict[str, int] = defaultdict(int)
    studies = []
    for key, held in grouped.items():
        label = labels[key]
        if counts[label] > 1:  # "Zhang 2012a", "Zhang 2012b", as citations tell them apart
            label += "abcdefghijklmnopqrstuvwxyz"[seen[label] % 26]
            seen[labels[key]] += 1
        aliases = {derived_uuid(review, m["uuid"]) for r in held for m in r.members}
        studies.append(Study(key, label, tuple(held), frozenset(aliases - {key})))
    return studies


def _named_after(reports: list[Report]) -> Report:
    """The report a study is named after: its first included one, else its first."""
    return next((r for r in reports if r.outcome.included), reports[0])


def report_label(record: dict[str, Any]) -> str:
    """ "Surname Year" from the first author, as a study is named in a review; without
    authors, the title's first words."""
    authors = json.loads(record.get("authors") or "[]")
    year = record.get("year")
    if authors:
        label = f"{str(authors[0]).split(',')[0].strip()} {year or 'n.d.'}"
    else:
        words = (record.get("title") or "untitled").split()
        label = " ".join(words[:4]) + ("..." if len(words) > 4 else "")
        label += f" {year}" if year else ""
    return str(printable(label))  # record text: never a live control character


def included_studies(db: Database, outcomes: list[FullTextReport]) -> list[IncludedStudy]:
    """The studies extraction works on: those with at least one included report."""
    return [
        IncludedStudy(
            s.uuid,
            s.label,
            tuple(r.record_id for r in s.reports),
            s.aliases,
            tuple(flag for r in s.reports for flag in r.flags),
        )
        for s in read_studies(db, outcomes)
        if s.included
    ]


def find_study(studies: list[Study], given: str) -> Study:
    """The study a user names: a record id of one of its reports (7 or #7), its UUID or
    alias (or a unique start of one, 8 characters at least), or its label."""
    text = given.strip().lstrip("#")
    found = []
    if text.isdigit():
        found = [s for s in studies if any(_holds(r, int(text)) for r in s.reports)]
    if not found and len(text) >= 8 and all(c in "0123456789abcdef-" for c in text.lower()):
        # a UUID's start; eight digits could be either, a record id wins
        found = [s for s in studies if any(u.startswith(text.lower()) for u in _uuids(s))]
    elif not found and not text.isdigit():
        found = [s for s in studies if s.label.casefold() == text.casefold()]
    if len(found) == 1:
        return found[0]
    what = "no study" if not found else f"{len(found)} studies"
    raise MetasiftError(
        f"{given}: {what} by that name; give a report's record id, a study's UUID or its "
        "label as `metasift studies` lists them"
    )


def find_report(studies: list[Study], record_id: int) -> Report:
    """The report a record belongs to (any member of its cluster)."""
    for study in studies:
        for report in study.reports:
            if _holds(report, record_id):
                return report
    raise MetasiftError(
        f"record #{record_id} is not a report: no such record, or it has not reached full "
        "text (only records title/abstract screening sent on are sought as reports)"
    )


def _holds(report: Report, record_id: int) -> bool:
    return any(m["id"] == record_id for m in report.members)


def _uuids(study: Study) -> list[str]:
    return [study.uuid, *study.aliases]
