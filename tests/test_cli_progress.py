"""The progress line: stderr only on a terminal, only after its delay, one line that fits."""

from __future__ import annotations

import io
import re

import pytest

from screening.cli.progress import ProgressLine

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def frames(stream: io.StringIO) -> list[str]:
    """What each redraw left on the line, escape codes removed."""
    parts = (ESCAPE.sub("", part) for part in stream.getvalue().split("\r"))
    return [part for part in parts if part.strip()]


def test_nothing_is_drawn_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressLine("refs.ris", delay=0, stream=stream)
    bar.update(1_000, 50, 100)
    bar.finish()
    assert stream.getvalue() == ""


def test_nothing_is_drawn_before_the_delay() -> None:
    stream = Terminal()
    bar = ProgressLine("refs.ris", delay=60, stream=stream)
    bar.update(1_000, 50, 100)
    bar.finish()
    assert stream.getvalue() == ""


def test_the_line_shows_label_percent_count_and_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    stream = Terminal()
    bar = ProgressLine("refs.ris", delay=0, stream=stream)
    bar.update(12_345, 45, 100)
    (line,) = frames(stream)
    assert line.startswith("refs.ris ")
    assert " 45% " in line
    assert re.search(r"12,345 records  [\d,]+/s$", line.rstrip())
    bar.finish()
    assert stream.getvalue().endswith("\x1b[2K")  # the line is erased, nothing left behind


def test_a_long_label_is_cut_to_keep_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    stream = Terminal()
    bar = ProgressLine("exports/" + "a_very_long_file_name_" * 5 + ".bib", delay=0, stream=stream)
    bar.update(2_000, 20, 100)
    (line,) = frames(stream)
    assert "\n" not in line and len(line) <= 80
    assert "…" in line and " 20% " in line and "2,000 records" in line
    bar.finish()


def test_restart_shows_the_new_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    stream = Terminal()
    bar = ProgressLine("Reading", delay=0, stream=stream)
    bar.update(10, 10, 100)
    bar.restart("Comparing", "pairs")
    bar.update(5, 5, 50)
    assert frames(stream)[-1].startswith("Comparing ")
    assert "5 pairs" in frames(stream)[-1]
    bar.finish()
