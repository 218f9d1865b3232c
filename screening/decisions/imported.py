"""Decisions made in another tool (ASReview, Rayyan, Covidence, a plain CSV), brought in as
one reviewer's decision events.

Each row of the export that carries a verdict is matched onto the review's records by PMID,
then DOI, then title (folded as deduplication folds it: case, accents, punctuation, markup
and language tags gone), and becomes one decision event of the reviewer at the stage, on the
first record (lowest id) with that identifier: a record's duplicates form one cluster, so the
decision counts for the cluster. Rows no record matches are reported, never guessed at.

An event's UUID is a UUID5 of the file's SHA-256, the row number, the reviewer and the
stage, so importing the same file again adds nothing, and a different file (or the same
file for another reviewer or stage) adds its own events. Its time is the tool's when the
export keeps one (ASReview does), else now; its note says where it came from unless the
export had a note. Everything is written in one transaction, or nothing is.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.dedup import cluster_of
from db.errors import MetasiftError, busy_is_an_error
from screening.decisions.import_formats import Export, ExportRow, Options, read_export
from screening.decisions.kept_outcomes import keep_fresh
from screening.decisions.stage_outcomes import stage_states
from screening.decisions.verdict_rules import verdicts_at
from screening.dedup.keys import clean_title, doi_key
from screening.importing import file_sha256
from screening.protocol import Protocol

# the namespace of imported events' UUIDs (fixed once for good: changing it would make every
# file imported before look new)
IMPORTED = uuid.UUID("6f3c1d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f")


@dataclass
class ImportReport:
    """What an import did: rows read, matched, added; the rows no record matched."""

    tool: str
    file_name: str
    reviewer: str
    stage: str
    person: str | None  # the reviewer's name in the export
    rows: int = 0
    undecided: int = 0
    added: Counter[str] = field(default_factory=Counter)  # verdict -> events added
    already: int = 0  # matched rows whose event an earlier import of this file wrote
    unmatched: list[ExportRow] = field(default_factory=list)
    reasons_not_in_protocol: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return sum(self.added.values()) + self.already


class RecordIndex:
    """The review's records by PMID, normalised DOI and folded title (first record wins)."""

    def __init__(self, db: Database) -> None:
        self.by_pmid: dict[str, int] = {}
        self.by_doi: dict[str, int] = {}
        self.by_title: dict[str, int] = {}
        rows = db.execute("SELECT id, pmid, doi, title FROM records ORDER BY id")
        for rid, pmid, doi, title in rows:
            for index, key in (
                (self.by_pmid, pmid),
                (self.by_doi, doi_key(doi)),
                (self.by_title, clean_title(title)),
            ):
                if key:
                    index.setdefault(key, rid)

    def find(self, row: ExportRow) -> int | None:
        for index, key in (
            (self.by_pmid, row.pmid),
            (self.by_doi, doi_key(row.doi)),
            (self.by_title, clean_title(row.title)),
        ):
            if key and key in index:
                return index[key]
        return None


def import_decisions(
    db: Database,
    protocol: Protocol,
    path: Path | str,
    tool: str,
    reviewer: str,
    *,
    stage: str | None = None,
    options: Options | None = None,
    clock: Callable[[], str] = utc_now,
) -> ImportReport:
    """Read an export and write its matched decisions as the reviewer's events.

    reviewer must already be checked (team.who_is_asking). The stage is the one given, else
    the one the export implies (a Covidence full-text list), else the protocol's first. Writes
    nothing when no row matched. Raises ParseError for a file the reader cannot read.
    """
    path = Path(path)
    export = read_export(tool, path, options or Options(reviewer=reviewer))
    stage = stage or export.stage or protocol.stages[0]
    if stage not in protocol.stages:
        raise MetasiftError(
            f"stage {stage!r} is not in review.toml's stages ({', '.join(protocol.stages)})"
        )
    report = ImportReport(tool, path.name, reviewer, stage, export.person, notes=export.notes)
    events = _events(db, protocol, path, export, report, clock)
    if events:
        _write(db, protocol, events, report)
        _not_yet_at_full_text(db, protocol, events, report)
    return report


def _not_yet_at_full_text(
    db: Database, protocol: Protocol, events: list[dict[str, Any]], report: ImportReport
) -> None:
    """Say how many full-text decisions wait for title/abstract screening to send their
    records on: kept (events are never dropped), they count from then on."""
    if report.stage != "full-text" or "title-abstract" not in protocol.stages:
        return
    held = stage_states(db, protocol, "full-text")
    waiting = {
        e["record_id"] for e in events if cluster_of(db, e["record_id"]).cluster_id not in held
    }
    if waiting:
        report.notes.append(
            f"{len(waiting)} of these records are not at full text yet (title/abstract "
            "screening has not sent them on): their decisions count once it does"
        )


def _events(
    db: Database,
    protocol: Protocol,
    path: Path,
    export: Export,
    report: ImportReport,
    clock: Callable[[], str],
) -> list[dict[str, Any]]:
    index, sha256, now = RecordIndex(db), file_sha256(path), clock()
    reasons = {r.casefold(): r for r in protocol.exclusion_reasons}
    events = []
    for row in export.rows:
        report.rows += 1
        if row.verdict is None:
            report.undecided += 1
            continue
        if row.verdict not in verdicts_at(report.stage):
            raise MetasiftError(
                f"{path}: row {row.row}: {row.verdict!r} is a full-text outcome, not one of "
                f"{report.stage}; pass --stage full-text (nothing was imported)"
            )
        record_id = index.find(row)
        if record_id is None:
            report.unmatched.append(row)
            continue
        reason = reasons.get(row.reason.casefold(), row.reason) if row.reason else None
        if reason and reason not in protocol.exclusion_reasons:
            report.reasons_not_in_protocol.add(reason)
        events.append(_event(row, record_id, reason, report, f"{sha256}:{row.row}", now))
    return events


def _event(
    row: ExportRow, record_id: int, reason: str | None, report: ImportReport, key: str, now: str
) -> dict[str, Any]:
    """The decision event of one matched row; key is the file's SHA-256 and the row number."""
    name = f"{key}:{report.reviewer}:{report.stage}"
    return {
        "uuid": str(uuid.uuid5(IMPORTED, name)),
        "record_id": record_id,
        "reviewer": report.reviewer,
        "stage": report.stage,
        "verdict": row.verdict,
        "reason": reason,
        "note": row.note or f"imported from {report.tool} ({report.file_name} row {row.row})",
        "tags": _tags(row.tags),
        "undoes": None,
        "batch": None,
        "created_at": row.created_at or now,
    }


def _tags(tags: Iterable[str]) -> str | None:
    listed = list(dict.fromkeys(tags))
    return json.dumps(listed, ensure_ascii=False) if listed else None


def _write(
    db: Database, protocol: Protocol, events: list[dict[str, Any]], report: ImportReport
) -> None:
    """The events not written before, in one transaction (the check and the insert together,
    so two imports of one file at once cannot both add)."""
    if db.conn.in_transaction:
        raise MetasiftError("the review connection has uncommitted changes; nothing imported")
    with busy_is_an_error(), db.atomic():
        wanted = [e["uuid"] for e in events]
        present: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT uuid FROM decisions WHERE uuid IN ({marks})"
            present.update(u for (u,) in db.execute(sql, chunk))
        new = [e for e in events if e["uuid"] not in present]
        db.table("decisions").insert_all(new, columns={"batch": str})
        keep_fresh(db, protocol)
    report.already = len(events) - len(new)
    report.added.update(e["verdict"] for e in new)
