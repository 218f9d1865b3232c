"""One progress line on stderr, drawn by rich.progress, only on a terminal and only for long work.

rich draws the line and fits it to the terminal: a label too long is cut with an ellipsis. The
hand-drawn line it replaced wrapped when wider than the terminal, and every redraw then left a
row behind (4 stray rows for a 10,000-entry import at 120 columns, 11 at 60, seen in tmux).
rich also estimates the ETA from the recent speed rather than the average since the start.

What rich lacks is added here: nothing is drawn for the first `delay` seconds, so quick work
stays quiet, nor when stderr is not a terminal (scripts and CI get clean logs); the rate counts
items (records) while the bar may count bytes. The line is redrawn from update, at most ten
times a second, with no refresh thread of rich's (auto_refresh=False), since dedup and harvest
start worker processes while it is up. rich is imported only when a line is first drawn, so
`metasift --help` does not pay for it.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressLine:
    """`label  ━━━━━━━━╺━━━━━━━  45% 0:00:04  12,345 records  8,123/s`, redrawn in place."""

    def __init__(
        self, label: str, unit: str = "records", delay: float = 0.3, stream: TextIO | None = None
    ) -> None:
        self.label, self.unit, self.delay = label, unit, delay
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.start = time.monotonic()
        self.last_draw = 0.0
        self.drawing: _Drawing | None = None

    def restart(self, label: str, unit: str) -> None:
        """A new stage on the same line: its label, and a rate and ETA that start now."""
        self.label, self.unit, self.start = label, unit, time.monotonic()
        self.last_draw = 0.0  # shown at the next update
        if self.drawing is not None:
            self.drawing.relabel(label)

    def update(self, count: int, done: float | None = None, total: float | None = None) -> None:
        """count items so far; done/total (bytes, or items of an expected count) for the bar."""
        now = time.monotonic()
        elapsed = now - self.start
        if not self.enabled or elapsed < self.delay or now - self.last_draw < 0.1:
            return
        self.last_draw = now
        if self.drawing is None:
            self.drawing = _Drawing(self.stream, self.label)
        rate = count / elapsed if elapsed else 0.0
        self.drawing.show(f"{count:,} {self.unit}  {rate:,.0f}/s", done, total)

    def finish(self) -> None:
        """Clear the line (if one was drawn)."""
        if self.drawing is not None:
            self.drawing.stop()
            self.drawing = None


class _Drawing:
    """rich's Progress with one task, drawn from its first show."""

    def __init__(self, stream: TextIO, label: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.table import Column

        console = Console(file=stream)
        label_column = Column(no_wrap=True, overflow="ellipsis", max_width=console.width // 3)
        self.progress: Progress = Progress(
            TextColumn("{task.description}", table_column=label_column),
            BarColumn(bar_width=None),  # what the other columns leave
            TaskProgressColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counted]}", table_column=Column(no_wrap=True)),
            console=console,
            auto_refresh=False,  # no thread: we redraw from update
            transient=True,  # finish leaves no line behind
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.task: TaskID = self.progress.add_task(label, total=None, counted="")
        self.started = False

    def show(self, counted: str, done: float | None, total: float | None) -> None:
        self.progress.update(self.task, completed=done or 0, total=total or None, counted=counted)
        if self.started:
            self.progress.refresh()
        else:  # starting draws the first frame
            self.progress.start()
            self.started = True

    def relabel(self, label: str) -> None:
        self.progress.reset(self.task, description=label, counted="")

    def stop(self) -> None:
        self.progress.stop()
