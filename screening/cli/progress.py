"""A one-line progress bar on stderr, drawn only on a terminal and only for work that lasts."""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click


class ProgressLine:
    """`label  [#####.....]  45%  12,345 records  8,123/s  ETA 0:04`, redrawn in place.

    Nothing is drawn for the first `delay` seconds, so quick work stays quiet, nor when stderr
    is not a terminal (scripts and CI get clean logs).
    """

    def __init__(
        self, label: str, unit: str = "records", delay: float = 0.3, stream: TextIO | None = None
    ) -> None:
        self.label, self.unit, self.delay = label, unit, delay
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.start = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def update(self, count: int, done: float | None = None, total: float | None = None) -> None:
        """count items so far; done/total (bytes, or items of an expected count) for the bar."""
        now = time.monotonic()
        elapsed = now - self.start
        if not self.enabled or elapsed < self.delay or now - self.last_draw < 0.1:
            return
        self.last_draw = now
        rate = count / elapsed if elapsed else 0.0
        parts = [self.label]
        if done is not None and total:
            fraction = min(done / total, 1.0)
            filled = int(fraction * 24)
            parts.append(f"[{'#' * filled}{'.' * (24 - filled)}] {fraction:4.0%}")
            if 0 < fraction < 1:
                parts.append(f"ETA {_clock(elapsed * (1 - fraction) / fraction)}")
        parts.append(f"{count:,} {self.unit}")
        parts.append(f"{rate:,.0f}/s")
        click.echo("\r" + "  ".join(parts) + "\x1b[K", file=self.stream, nl=False)
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[K", file=self.stream, nl=False)
            self.drawn = False


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
