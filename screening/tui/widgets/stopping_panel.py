"""StoppingPanel: the reviewer's stopping guidance under the counts, at title/abstract.

The figures come from the reviewer's own decisions (blinding holds) and are recomputed off
the UI thread: a decision only notes that the history changed; once the reviewer has paused
for `refresh_after` seconds (reading the next record), a thread with its own read-only
connection reads what is new in the history (the whole of it once) and computes the
guidance, and the panel redraws when it is ready. A decision never waits for it. The
panel stays hidden until the reviewer has screened SHOWN_FROM records (before that no
figure means much); it never stops anyone (`metasift stop-screening` is the team's).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from rich.text import Text
from sqlite_utils import Database
from textual import work
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from screening.decisions.session import ScreeningSession
from screening.protocol import StoppingRule
from screening.stopping.decision import STOPPABLE
from screening.stopping.estimates import Estimate
from screening.stopping.guidance import Guidance, guidance, summary_line
from screening.stopping.history import History, ScreeningLog
from screening.tui.escaping import safe

UNSEEN = object()  # no history read yet
SHOWN_FROM = 5  # records screened before the panel appears
# below this many rows the panel keeps to the history and a met rule: its five lines at
# 80x24 left the abstract three (`metasift status` gives every method)
WHOLE_FROM_ROWS = 32


class StoppingPanel(Static):
    DEFAULT_CSS = """
    StoppingPanel { height: auto; padding: 0 1; background: $boost; display: none; }
    """
    refresh_after = 0.5  # seconds of quiet after a decision before the figures are recomputed

    def __init__(self, db_path: Path, stage: str, reviewer: str, rule: StoppingRule) -> None:
        super().__init__(id="stopping")
        self.db_path, self.stage, self.reviewer, self.rule = db_path, stage, reviewer, rule
        self._seen: object = UNSEEN
        self._timer: Timer | None = None
        self._total = 0
        self._log = ScreeningLog(stage, reviewer)  # read once, then only what is new
        self._reading = threading.Lock()  # a recount still running when the next starts
        self._shown: Guidance | None = None

    @classmethod
    def for_session(cls, session: ScreeningSession) -> StoppingPanel:
        path = session.db.execute("PRAGMA database_list").fetchone()[2]
        return cls(Path(path), session.stage, session.reviewer, session.protocol.stopping)

    def follow(self, session: ScreeningSession) -> None:
        """Called after every redraw: schedule a recount if the reviewer's history changed
        (a decision, an undo); cheap enough for every key."""
        if self.stage != STOPPABLE:
            return
        last = session.last_decision()
        latest = last.uuid if last else None
        if latest == self._seen:
            return
        self._seen, self._total = latest, len(session.pool)
        if not self.display and session.counts().decided < SHOWN_FROM:
            return  # nothing to show yet: no thread, no redraw
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.refresh_after, self._recount)

    def _recount(self) -> None:
        self._count(self._total)

    def recount_now(self) -> None:
        """Recount without waiting for the pause (tests; a later worker replaces it)."""
        if self._timer is not None:
            self._timer.stop()
        if self.stage == STOPPABLE:
            self._recount()

    @work(thread=True, exclusive=True, group="stopping")
    def _count(self, total: int) -> None:
        uri = self.db_path.resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True)
        try:
            with self._reading:
                labels = self._log.read(Database(conn)).labels()
        finally:
            conn.close()
        history = History(self.stage, self.reviewer, labels, max(total, len(labels)))
        shown = guidance(history, self.rule)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, shown)

    def show(self, g: Guidance) -> None:
        self.display = g.history.screened >= SHOWN_FROM
        self._shown = g
        self.update(safe(panel_text(g, compact=self.app.size.height < WHOLE_FROM_ROWS)))

    def fit(self) -> None:
        """Redraw for the terminal's size (the screen calls it on resize)."""
        if self._shown is not None:
            self.show(self._shown)


def panel_text(g: Guidance, compact: bool = False) -> Text:
    """Two or three lines: the history, each method's verdict, the protocol's rule; compact,
    the history and the rule only when it is met."""
    text = Text("Stopping: ", "bold")
    text.append(summary_line(g))
    if compact:
        if g.protocol_rule is not None and g.protocol_rule.met:
            text.append(f" · review.toml's rule ({g.rule.rule}): ")
            text.append("MET", "bold")
        return text.append(" · every method: metasift status", "dim")
    text.append("\n" + " · ".join(_short(e) for e in g.estimates), "dim")
    rule = g.protocol_rule
    if rule is None:
        text.append("\nNo stopping rule in review.toml · guidance only: the team decides")
    else:
        met = {True: "MET", False: "not met", None: "not computable yet"}[rule.met]
        text.append(f"\nreview.toml's rule ({g.rule.rule}): ")
        text.append(met, "bold" if rule.met else "")
        text.append(" · guidance only: the team decides (metasift stop-screening)")
    return text


def _short(e: Estimate) -> str:
    """One method in a few words: its verdict or bound and its confidence."""
    f = e.figures
    if e.method == "consecutive-excludes":
        return f"Run: {f['run']:,}/{e.parameters['consecutive_excludes']:,} excludes in a row"
    if e.method == "zero-event-bound" and e.unseen_upper is not None:
        return f"Unseen: <={e.unseen_upper:,.1f} ({e.confidence:.0%}, rule of 3)"
    if e.method == "knee" and "ratio" in f:
        return f"Knee: ratio {f['ratio']:,.1f} of {f['ratio_needed']}"
    if e.method == "random-sample" and e.unseen is not None:
        return (
            f"Random: ~{e.unseen:,.1f}, <={e.unseen_upper:,.1f} left "
            f"({e.confidence:.0%}), p={f['p']:.2g}"
        )
    if e.method == "random-sample" and e.parameters.get("random_after") is None:
        return "Random: set random_after"
    return f"{e.title.split(' (')[0]}: {e.note.removeprefix('cannot be computed: ')}"
