"""Errors a user can act on. The CLI prints them as one line and exits 1."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class MetasiftError(Exception):
    """Something the user can fix: bad input, a missing review, a malformed protocol."""


class ReviewBusy(MetasiftError):
    """Another connection held the review's write lock past the busy timeout."""

    def __init__(self) -> None:
        super().__init__(
            "the review file is busy: another metasift command is writing to it; "
            "nothing was saved, try again in a moment"
        )


@contextmanager
def busy_is_an_error() -> Iterator[None]:
    """Turn SQLite's "database is locked" (the busy timeout ran out) into ReviewBusy, which a
    screen shows on its status line instead of stopping."""
    try:
        yield
    except sqlite3.OperationalError as e:
        if "locked" in str(e) or "busy" in str(e):
            raise ReviewBusy() from e
        raise


class ParseError(MetasiftError):
    """A file that cannot be read, with the place that went wrong.

    >>> str(ParseError("embase.ris", "record has no ER line", line=812))
    'embase.ris: line 812: record has no ER line'
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        record: int | None = None,
    ) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        self.record = record
        where = [self.path]
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record}")
        super().__init__(": ".join([*where, message]))

    def __reduce__(self) -> tuple:
        # so that a ParseError raised in a worker process arrives whole in the parent
        return (_parse_error, (self.path, self.message, self.line, self.record))


def _parse_error(path: str, message: str, line: int | None, record: int | None) -> ParseError:
    return ParseError(path, message, line=line, record=record)
