"""The screen's side of prioritised screening: starts the reviewer's ranker, sends it the
verdicts that changed after each decision is drawn, and takes new rankings as they arrive (a
poll every POLL_EVERY that never waits, and never while a decision is being drawn), without
moving the record on screen.

Per decision the screen's share stays small and flat however far the stage has gone: only
the records whose verdict changed travel (Ledger.changed), and a new ranking redraws only
when it changes what the screen shows or has prepared (the record a decision moves to, the
position, the header); the record prepared ahead is otherwise kept, not built again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.screen import Screen

from screening.decisions.ordering import ORDERS, verdicts_in_force
from screening.decisions.session import ScreeningSession
from screening.ranking.live import LiveRanker

# Often enough that an answer (a retrain takes ~10 ms at 10,000 records) is taken in the
# reading pause it was asked for in, not at a random later moment that may be the next key's.
POLL_EVERY = 0.02

ORDER_LABELS = {
    "relevance": "most likely first",
    "import": "import order",
    "random": "random order",
}


class ScreenRanking:
    """One reviewer's ranking for one screen (the worker starts on the first use)."""

    def __init__(self, session: ScreeningSession) -> None:
        self.session = session
        self.ranker: LiveRanker | None = None
        self.rankings = 0  # rankings received
        self._sent = 0  # how many of the ledger's changes the ranker has been sent
        self._paused = False  # a decision is being drawn (see pause)
        self._reordered: Callable[[], None] = lambda: None

    def mount(self, screen: Screen[None], reordered: Callable[[], None]) -> None:
        """Start ranking (in relevance order) and tick() every POLL_EVERY; reordered() is
        called after each new ranking that changed what the screen shows or has prepared."""
        self._reordered = reordered
        if self.session.order.mode == "relevance":
            self.start()
        screen.set_interval(POLL_EVERY, self.tick)

    def tick(self) -> None:
        """Take a waiting ranking, unless a decision is being drawn: at 100,000 records a
        retrain outlasts the benchmark's 0.1 s pause, and its answer, taken between the key
        and the redraw (3 ms, up to 9), was inside 1 decision in 30 and 1 in 4 of the slowest
        tenth. The step that prepares the next record takes it instead, 30 ms on."""
        if not self._paused and self.poll():
            self._reordered()

    def pause(self, paused: bool) -> None:
        """While a decision is drawn (paused), take no ranking and stop the worker; let it go
        on once the screen rests. On two cores a retrain runs on the other one, yet at
        100,000 records (30 ms and more of scoring) it slowed the redraws beside it: the p95
        with the ranking on was 17.2 ms against 10.3 off, and 11.4 against 10.9 once stopped
        (tui_latency.py)."""
        if paused != self._paused:
            self._paused = paused
            if self.ranker is not None:
                self.ranker.pause(paused)

    def start(self) -> None:
        if self.ranker is None:
            self.ranker = LiveRanker(review_file(self.session), self.session.pool)
            self._sent = len(self.session.ledger.changed)
            self.ranker.update(verdicts_in_force(self.session.ledger))  # all of them, once

    def send(self) -> None:
        """The verdicts changed since the last send, for the next ranking (the ranker waits
        for both an include and an exclude)."""
        changed = self.session.ledger.changed
        if self.ranker is None or self.session.order.mode != "relevance":
            return  # kept: sent once the order is relevance again
        if self._sent == len(changed):
            return
        touched, self._sent = changed[self._sent :], len(changed)
        current = self.session.ledger.current
        self.ranker.update({rid: d.verdict if (d := current(rid)) else None for rid in touched})

    def poll(self, wait: bool = False) -> bool:
        """True when a new ranking changed what the screen shows or has prepared; wait: for
        the answer the ranker owes (benchmarks)."""
        ranking = self.ranker.poll(wait) if self.ranker is not None else None
        if ranking is None:
            return False
        self.rankings += 1
        s = self.session
        shown = (s.index, s.upcoming(), self.label())
        s.apply_ranking(ranking.ids)  # as it came: a list of 100,000 would take 3 ms more
        return s.order.mode == "relevance" and (s.index, s.upcoming(), self.label()) != shown

    def next_order(self) -> str:
        """Switch to the next order; what the header will say of it."""
        order = ORDERS[(ORDERS.index(self.session.order.mode) + 1) % len(ORDERS)]
        self.session.set_order(order)
        if order == "relevance":
            self.start()
            self.send()
        return self.label()

    def label(self) -> str:
        """What the header says of the order."""
        mode = self.session.order.mode
        if mode != "relevance" or self.session.order.ranked is not None:
            return ORDER_LABELS[mode]
        if self.ranker is not None and self.ranker.failed:
            return "import order (ranking failed)"
        return "import order until your first include and exclude"

    def close(self) -> None:
        self._paused = False
        if self.ranker is not None:
            self.ranker.close()
            self.ranker = None


def review_file(session: ScreeningSession) -> Path:
    """The file the session's database reads (the worker opens it read-only)."""
    row = session.db.execute("PRAGMA database_list").fetchone()
    return Path(row[2])
