"""StatusLine: the line under a screen that answers each key, and attempt(), the one way a
screen calls the core.

The core refuses what it cannot do with a MetasiftError (a verdict the stage does not allow, a
review file another process holds busy), and a full or read-only disk fails the write with
SQLite's error; attempt() shows either here, in the error style,
and returns FAILED instead of the call's result, so the screen stays up and its state is the
core's state (nothing half done). FAILED is a sentinel rather than None because some core calls
answer None for "nothing to do" (DedupReview.undo).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from enum import Enum
from typing import Final, Literal, TypeVar

from textual.widgets import Static

from db.errors import MetasiftError
from db.storage import storage_problem
from screening.tui.escaping import safe

T = TypeVar("T")


class Failed(Enum):
    FAILED = "failed"


FAILED: Final = Failed.FAILED


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; color: $text-muted; }
    StatusLine.error { color: $error; text-style: bold; }
    """

    def say(self, message: str, error: bool = False) -> None:
        self.set_class(error, "error")
        self.update(safe(message), layout=False)  # always one line: spare a layout pass per key

    def attempt(self, call: Callable[[], T]) -> T | Literal[Failed.FAILED]:
        """call() (a core call), or FAILED with its MetasiftError's message shown here."""
        try:
            return call()
        except MetasiftError as e:
            self.say(str(e), error=True)
            return FAILED
        except sqlite3.OperationalError as e:
            problem = storage_problem(e, None)
            if problem is None:
                raise
            message = f"Not saved, nothing changed: {problem.what}; {problem.short_fix}, then retry"
            self.say(message, error=True)
            return FAILED
