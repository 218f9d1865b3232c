"""Planning a search harvest: the windows ESearch lists whole, and their PMIDs in order.

Windows are found newest first and persisted as each day completes (a day split by PMID
ranges is persisted only once all its ranges are), so an interrupted plan resumes from the
oldest day planned so far with what is left of the first search's count.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from db.harvests import add_window, get_harvest, planned_windows
from screening.harvest.client import EntrezError, EUtilsClient, SearchResult
from screening.harvest.fetching import Progress
from screening.harvest.windows import Window, day_windows, fmt_date, parse_date, uid_windows

History = dict[int, tuple[str, str]]  # window id -> (WebEnv, query_key) from this run


def add_windows(
    db: Database, harvest_id: int, windows: list[Window], limit: int | None, history: History
) -> None:
    """Persist windows and their PMIDs (the caller holds the transaction)."""
    for w in windows:
        row = {"label": w.label(), "count": w.count, "listed": len(w.ids)}
        row.update(date_from=fmt_date(w.date_from), date_to=fmt_date(w.date_to))
        row.update(uid_lo=w.uid_lo, uid_hi=w.uid_hi)
        window_id = add_window(db, harvest_id, row, w.ids, limit)
        if w.webenv and w.query_key:
            history[window_id] = (w.webenv, w.query_key)


class Planner:
    """Searches the windows of a harvest that are not planned yet."""

    def __init__(
        self,
        db: Database,
        client: EUtilsClient,
        harvest: dict[str, Any],
        cap: int,
        history: History,
        progress: Progress | None = None,
    ) -> None:
        self.db, self.client, self.h = db, client, harvest
        self.cap, self.history, self.progress = cap, history, progress
        self.limit: int | None = harvest["max_records"]
        self.sort = "pub_date" if self.limit else None  # --max keeps the newest records

    def plan_rest(self) -> None:
        if self.h["kind"] == "pmids" or self._enough():
            return
        done = planned_windows(self.db, self.h["id"])
        first, last = parse_date(self.h["date_from"]), parse_date(self.h["date_to"])
        if done:
            last = min(parse_date(w["date_from"]) for w in done) - timedelta(days=1)
        left = self.h["count"] - sum(w["count"] for w in done)
        if last < first:
            return
        for lo, hi, result in day_windows(self.search, first, last, left, self.cap):
            windows = [_window(lo, hi, result)]
            if result.count > self.cap:  # one day over the cap: split it by PMID
                windows = self.split_day(lo, result)
            with self.db.atomic():
                add_windows(self.db, self.h["id"], windows, self.limit, self.history)
            if self._enough():
                return

    def search(self, lo: date, hi: date, uids: tuple[int, int] | None = None) -> SearchResult:
        term = self.h["term"]
        if uids:
            term = f"({term}) AND {uids[0]}:{uids[1]}[uid]"
        result = self.client.esearch(
            term,
            retmax=self.cap,
            datetype=self.h["datetype"],
            mindate=fmt_date(lo),
            maxdate=fmt_date(hi),
            sort=self.sort,
        )
        if self.progress:
            self.progress("plan", get_harvest(self.db, self.h["id"])["planned"], self.h["count"])
        return result

    def split_day(self, day: date, result: SearchResult) -> list[Window]:
        def search_uids(lo: int, hi: int) -> SearchResult:
            return self.search(day, day, (lo, hi))

        windows = [
            _window(day, day, r, (a, b)) for a, b, r in uid_windows(search_uids, result, self.cap)
        ]
        if any(w.count > self.cap for w in windows):
            raise EntrezError(f"{fmt_date(day)}: PubMed counts over {self.cap:,} for one PMID")
        return windows

    def _enough(self) -> bool:
        return bool(self.limit) and get_harvest(self.db, self.h["id"])["planned"] >= self.limit


def _window(lo: date, hi: date, r: SearchResult, uids: tuple[int, int] | None = None) -> Window:
    w = Window(lo, hi, r.count, r.ids, webenv=r.webenv, query_key=r.query_key)
    if uids:
        w.uid_lo, w.uid_hi = uids
    return w
