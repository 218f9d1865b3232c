"""Harvesting a PubMed search (or a list of PMIDs) into a review: complete and resumable.

The first run fixes the search's date window (an open end becomes that day), stores the search
log as a source, and plans the harvest: the windows (windows.py) and, in order, the PMIDs each
listed. The plan is then fetched in batches of up to 10,000 (fetching.py), each landed in its own
transaction. A rerun of the same command finds the harvest by its key and carries on where it
stopped; a finished one is not fetched again. At the end the records landed are checked against
ESearch's count, and any shortfall is put down to its window and its cause.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.errors import MetasiftError, ParseError
from db.harvests import (
    add_window,
    claim_harvest,
    get_harvest,
    harvest_by_key,
    plan_batches,
    planned_windows,
    release_harvest,
    update_harvest,
    window_positions,
)
from db.sources import insert_source
from db.tables import insert_row
from screening.harvest.client import MAX_FETCH, EUtilsClient, SearchResult
from screening.harvest.fetching import Progress, fetch_pending
from screening.harvest.planning import Planner, add_windows
from screening.harvest.reconcile import shortfalls
from screening.harvest.windows import CAP, DATETYPES, OPEN_FROM, Window, fmt_date, parse_date


class QueryRejected(MetasiftError):
    """PubMed did not run the query as written, or found nothing because of it."""


@dataclass(frozen=True)
class HarvestSpec:
    """What the user asked for. Its key finds the harvest again when the command is rerun."""

    term: str | None = None
    datetype: str = "edat"
    date_from: str | None = None  # as given; None is open
    date_to: str | None = None
    max_records: int | None = None
    pmids: tuple[str, ...] = ()
    pmid_file: str | None = None

    @property
    def kind(self) -> str:
        return "pmids" if self.pmids else "search"

    def key(self) -> str:
        if self.pmids:
            what: dict[str, Any] = {
                "pmids": hashlib.sha256(",".join(self.pmids).encode()).hexdigest()
            }
        else:
            what = {"term": self.term, "datetype": self.datetype, "from": self.date_from}
            what.update({"to": self.date_to, "max": self.max_records})
        return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()

    def window(self, today: date) -> tuple[date, date]:
        first = parse_date(self.date_from) if self.date_from else OPEN_FROM
        last = parse_date(self.date_to, end=True) if self.date_to else today
        if first > last:
            raise MetasiftError(f"--from {fmt_date(first)} is after --to {fmt_date(last)}")
        return first, last


@dataclass
class HarvestOutcome:
    source_id: int
    count: int  # what ESearch counted (or PMIDs in the list)
    expected: int  # what should land: count, or --max
    landed: int
    translation: str | None = None
    window: str = ""
    feedback: list[str] = field(default_factory=list)  # ErrorList / WarningList lines
    short: list[str] = field(default_factory=list)  # why fewer records landed than expected
    requests: dict[str, int] = field(default_factory=dict)  # this run, per E-utility
    resumed: bool = False
    already_done: bool = False


def read_pmid_list(path: Path) -> list[str]:
    """PMIDs from a text file: one a line, or separated by commas, spaces or semicolons;
    "PMID:" prefixes and # comments are allowed. Repeats are dropped, order kept."""
    pmids: dict[str, None] = {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise ParseError(path, f"not a text file of PMIDs ({e.reason})") from None
    for number, line in enumerate(lines, start=1):
        for token in re.split(r"[\s,;]+", line.split("#", 1)[0]):
            token = re.sub(r"(?i)^pmid:?", "", token)
            if not token:
                continue
            if not token.isdigit() or int(token) == 0:
                raise ParseError(path, f"{token!r} is not a PMID", line=number)
            pmids.setdefault(str(int(token)), None)
    if not pmids:
        raise ParseError(path, "no PMIDs in this file")
    return list(pmids)


# -- the search's feedback ----------------------------------------------------------------------


def feedback_lines(result: SearchResult) -> list[str]:
    lines = [f"ErrorList: {tag}: {text}" for tag, text in result.errors]
    lines += [f"WarningList: {tag}: {text}" for tag, text in result.warnings]
    return lines


def check_query(result: SearchResult) -> None:
    """Refuse a query PubMed changed (a field it does not know) or could not run at all."""
    changed = any(tag == "FieldNotFound" for tag, _ in result.errors)
    if changed or (result.count == 0 and result.errors):
        why = "did not run this query as written" if changed else "found no records"
        lines = [f"PubMed {why} (count {result.count:,}):", *feedback_lines(result)]
        lines.append(f"Query translation: {result.translation or '(none)'}")
        lines.append("Fix the query and run again; nothing was stored.")
        raise QueryRejected("\n  ".join(lines))


def dry_run(client: EUtilsClient, spec: HarvestSpec, today: date) -> tuple[SearchResult, str]:
    """One search: the count and translation over the window the harvest would fix."""
    first, last = spec.window(today)
    result = client.esearch(
        spec.term or "", datetype=spec.datetype, mindate=fmt_date(first), maxdate=fmt_date(last)
    )
    check_query(result)
    return result, _window_label(spec.datetype, first, last)


def _window_label(datetype: str, first: date, last: date) -> str:
    return f"{fmt_date(first)}-{fmt_date(last)} by {DATETYPES[datetype]} ({datetype})"


# -- the harvest --------------------------------------------------------------------------------


def harvest(
    db: Database,
    client: EUtilsClient,
    spec: HarvestSpec,
    *,
    today: date,
    batch_size: int = MAX_FETCH,
    cap: int = CAP,
    progress: Progress | None = None,
    spool: Path | None = None,
) -> HarvestOutcome:
    """Run (or resume) the harvest spec describes; returns what landed and any shortfall."""
    batch_size = max(1, min(batch_size, MAX_FETCH))
    before = dict(client.counts)
    found = harvest_by_key(db, spec.key())
    if found and found["state"] == "done":
        return _outcome(db, found["id"], client, before, already_done=True)
    history: dict[int, tuple[str, str]] = {}  # History sets from this run's searches
    if found is None:
        try:
            harvest_id = _start(db, client, spec, today, cap, history)
        except sqlite3.IntegrityError:  # the same command, started at the same moment, won
            found = harvest_by_key(db, spec.key())
            if found is None:
                raise
            harvest_id = found["id"]
    else:
        harvest_id = found["id"]
        _log_run(db, harvest_id)
    pid = _claim(db, harvest_id)
    try:
        _run(db, client, harvest_id, batch_size, cap, history, progress, spool)
    finally:
        release_harvest(db, harvest_id, pid)
    _finish(db, harvest_id, client, before)
    return _outcome(db, harvest_id, client, before, resumed=found is not None)


def _claim(db: Database, harvest_id: int) -> int:
    """Claim the harvest for this process, whose id it returns; refused while another runs it."""
    pid = os.getpid()
    running = claim_harvest(db, harvest_id, pid)
    if running is not None:
        raise MetasiftError(
            f"this harvest is already running (process {running}); wait for it to finish, "
            "or stop it and run the command again to resume"
        )
    return pid


def _run(
    db: Database,
    client: EUtilsClient,
    harvest_id: int,
    batch_size: int,
    cap: int,
    history: dict[int, tuple[str, str]],
    progress: Progress | None,
    spool: Path | None,
) -> None:
    """Plan what is left to plan, then fetch and land every pending batch."""
    h = get_harvest(db, harvest_id)
    if h["state"] == "planning":
        Planner(db, client, h, cap, history, progress).plan_rest()
        with db.atomic():
            plan_batches(db, harvest_id, batch_size)
            update_harvest(db, harvest_id, state="fetching", batch_size=batch_size)
    fetch_pending(
        db,
        client,
        harvest_id,
        spool or _spool(db, harvest_id),
        history=history,
        windows=window_positions(db, harvest_id),
        progress=progress,
    )


def _start(
    db: Database,
    client: EUtilsClient,
    spec: HarvestSpec,
    today: date,
    cap: int,
    history: dict[int, tuple[str, str]],
) -> int:
    """The first run: the whole-window search, the search log, and the plan if one search
    lists it all (or the PMID list, stored on the History server batch by batch later)."""
    log = _search_log(client, spec)
    row: dict[str, Any] = {"kind": "search", "database": "PubMed", "imported_at": log["date_run"]}
    if spec.pmids:
        return _start_pmid_list(db, spec, log, row)
    first, last = spec.window(today)
    limit = spec.max_records
    result = client.esearch(
        spec.term or "",
        retmax=min(cap, limit) if limit else cap,
        datetype=spec.datetype,
        mindate=fmt_date(first),
        maxdate=fmt_date(last),
        sort="pub_date" if limit else None,
    )
    check_query(result)
    log["window"] = {"datetype": spec.datetype, "from": fmt_date(first), "to": fmt_date(last)}
    log["window"].update(given_from=spec.date_from, given_to=spec.date_to)
    log.update(count=result.count, errors=result.errors, warnings=result.warnings)
    log["translations"] = result.translations
    row.update(query=spec.term, query_translation=result.translation, record_count=0)
    row["details"] = json.dumps(log, ensure_ascii=False)
    with db.atomic():
        harvest_id = _new_harvest(db, spec, insert_source(db, row), result.count, first, last)
        if result.count <= cap or (limit and limit <= cap):
            whole = Window(first, last, result.count, result.ids, webenv=result.webenv)
            whole.query_key = result.query_key
            add_windows(db, harvest_id, [whole], limit, history)
    return harvest_id


def _search_log(client: EUtilsClient, spec: HarvestSpec) -> dict[str, Any]:
    """The search log's first entries (the source's details): when, how, and how much."""
    log: dict[str, Any] = {"date_run": utc_now(), "runs": [utc_now()]}
    log.update(interface="NCBI E-utilities", base_url=client.base_url)
    log.update(max_records=spec.max_records, rate=client.rate)
    return log


def _start_pmid_list(
    db: Database, spec: HarvestSpec, log: dict[str, Any], row: dict[str, Any]
) -> int:
    """A PMID list's source and harvest, planned as one window (no search to run)."""
    log["pmid_list"] = {"file": spec.pmid_file, "pmids": len(spec.pmids)}
    row.update(file_name=spec.pmid_file, details=json.dumps(log), record_count=0)
    with db.atomic():
        harvest_id = _new_harvest(db, spec, insert_source(db, row), len(spec.pmids))
        window = {"label": "PMID list", "count": len(spec.pmids), "listed": len(spec.pmids)}
        add_window(db, harvest_id, window, spec.pmids, None)
    return harvest_id


def _new_harvest(
    db: Database,
    spec: HarvestSpec,
    source_id: int,
    count: int,
    first: date | None = None,
    last: date | None = None,
) -> int:
    row = {
        "key": spec.key(),
        "source_id": source_id,
        "kind": spec.kind,
        "term": spec.term,
        "datetype": None if spec.pmids else spec.datetype,
        "date_from": fmt_date(first) if first else None,
        "date_to": fmt_date(last) if last else None,
        "max_records": spec.max_records,
        "count": count,
        "state": "planning",
        "planned": 0,
        "landed": 0,
        "started_at": utc_now(),
    }
    return insert_row(db, "harvests", row)


def _spool(db: Database, harvest_id: int) -> Path:
    """A hidden folder beside the review file for batches fetched but not landed yet."""
    file = Path(db.execute("PRAGMA database_list").fetchone()[2])
    return file.with_name(f".{file.name}-harvest-{harvest_id}")


def _details(db: Database, source_id: int) -> dict[str, Any]:
    return json.loads(db.table("sources").get(source_id)["details"] or "{}")


def _log_run(db: Database, harvest_id: int) -> None:
    source_id = get_harvest(db, harvest_id)["source_id"]
    log = _details(db, source_id)
    log["runs"] = [*log.get("runs", []), utc_now()]
    with db.atomic():
        db.table("sources").update(source_id, {"details": json.dumps(log, ensure_ascii=False)})


def _finish(db: Database, harvest_id: int, client: EUtilsClient, before: dict[str, int]) -> None:
    h = get_harvest(db, harvest_id)
    log = _details(db, h["source_id"])
    requests = dict(log.get("requests", {}))
    for endpoint, n in _this_run(client, before).items():
        requests[endpoint] = requests.get(endpoint, 0) + n
    short = shortfalls(db, h)
    log.update(requests=requests, landed=h["landed"], complete=not short, short=short)
    log.update(windows=len(planned_windows(db, harvest_id)), completed_at=utc_now())
    with db.atomic():
        db.table("sources").update(
            h["source_id"],
            {"details": json.dumps(log, ensure_ascii=False), "record_count": h["landed"]},
        )
        update_harvest(db, harvest_id, state="done", finished_at=utc_now())


def _this_run(client: EUtilsClient, before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in client.counts.items() if v - before.get(k, 0)}


def _outcome(
    db: Database,
    harvest_id: int,
    client: EUtilsClient,
    before: dict[str, int],
    **flags: bool,
) -> HarvestOutcome:
    h = get_harvest(db, harvest_id)
    source = db.table("sources").get(h["source_id"])
    log = json.loads(source["details"] or "{}")
    window = ""
    if h["kind"] == "search":
        first, last = parse_date(h["date_from"]), parse_date(h["date_to"])
        window = _window_label(h["datetype"], first, last)
    result = SearchResult(
        h["count"], errors=_pairs(log, "errors"), warnings=_pairs(log, "warnings")
    )
    return HarvestOutcome(
        source_id=h["source_id"],
        count=h["count"],
        expected=min(h["count"], h["max_records"] or h["count"]),
        landed=h["landed"],
        translation=source["query_translation"],
        window=window,
        feedback=feedback_lines(result),
        short=log.get("short", []),
        requests=_this_run(client, before),
        **flags,
    )


def _pairs(log: dict[str, Any], key: str) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in log.get(key, [])]
