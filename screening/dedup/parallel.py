"""Two halves of a pure-Python job at once: the second half in a forked child process.

Reading keys from 100,000 records and judging tens of thousands of pairs is pure Python, so
threads do not help; a forked child shares the parent's memory (the records, the keys) without
copying or pickling them, and sends back only its results. Where fork is unavailable (Windows,
or a macOS Python that refuses it) or the job is small, the parent does it all.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 3000  # below this a fork costs more than it saves
CAN_FORK = hasattr(os, "fork") and sys.platform.startswith("linux")


def in_halves(
    work: Callable[..., list[R]], items: Sequence[T], report: Callable[[int], None] | None = None
) -> list[R]:
    """work(items), computed as work(first half) here and work(second half) in a child.

    report, if given, goes to this process's half only: work(first half, report).
    """
    middle = len(items) // 2
    first, second = side_by_side(
        lambda: work(items[:middle], report) if report else work(items[:middle]),
        lambda: work(items[middle:]),
        len(items) >= MIN_ITEMS,
    )
    return first + second


def side_by_side(
    here: Callable[[], R], there: Callable[[], R], worth_it: bool = True
) -> tuple[R, R]:
    """(here(), there()), there() run in a forked child when it is worth it and possible."""
    if not (worth_it and CAN_FORK and (os.cpu_count() or 1) >= 2):
        return here(), there()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running any cleanup of the parent's
        os.close(read_end)
        status = 0
        try:
            payload = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except BaseException:  # noqa: BLE001 - the parent redoes the work
            status = 1
        os._exit(status)
    os.close(write_end)
    mine = here()
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return mine, there()
    return mine, pickle.loads(payload)
