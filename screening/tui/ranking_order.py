"""The screen's side of prioritised screening: starts the reviewer's ranker, sends it their
decisions after each one is drawn, and takes new rankings as they arrive (a 0.1 s poll that
never waits), without moving the record on screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.screen import Screen

from screening.decisions.ordering import ORDERS, verdicts_in_force
from screening.decisions.session import ScreeningSession
from screening.ranking.live import LiveRanker

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

    def mount(self, screen: Screen[None], reordered: Callable[[], None]) -> None:
        """Start ranking (in relevance order) and poll every 0.1 s; reordered() is called
        after each new ranking that changed the list."""

        def take() -> None:
            if self.poll():
                reordered()

        if self.session.order.mode == "relevance":
            self.start()
        screen.set_interval(0.1, take)

    def start(self) -> None:
        if self.ranker is None:
            self.ranker = LiveRanker(review_file(self.session), self.session.pool)
            self.send()

    def send(self) -> None:
        """The reviewer's verdicts, for the next ranking (the ranker waits for both an
        include and an exclude)."""
        if self.ranker is not None and self.session.order.mode == "relevance":
            self.ranker.submit(verdicts_in_force(self.session.ledger))

    def poll(self) -> bool:
        """True when a new ranking reordered the list."""
        ranking = self.ranker.poll() if self.ranker is not None else None
        if ranking is None:
            return False
        self.rankings += 1
        self.session.apply_ranking(ranking.order)
        return self.session.order.mode == "relevance"

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
        if self.ranker is not None:
            self.ranker.close()
            self.ranker = None


def review_file(session: ScreeningSession) -> Path:
    """The file the session's database reads (the worker opens it read-only)."""
    row = session.db.execute("PRAGMA database_list").fetchone()
    return Path(row[2])
