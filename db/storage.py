"""What a failed write to the review's disk means, in words a user can act on.

SQLite says "database or disk is full", or, for a review it cannot write to, "unable to open
database file" and "disk I/O error" (WAL mode creates review.db-wal and -shm beside the file,
even to read). Those say neither what is wrong nor what to do, so the file system is asked.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db.errors import MetasiftError

# Below this much free space a "disk I/O error" is taken for a full disk: a few pages of 16 kB.
NEARLY_FULL = 64 * 1024
READ_ONLY_FIX = (
    "make the file and its folder writable (chmod u+w), or copy the review folder somewhere "
    "writable and use the copy"
)
FULL_FIX = "free some space on that disk (or move the review folder to one with room)"


@dataclass(frozen=True)
class StorageProblem:
    what: str  # "the disk is full"
    fix: str  # what to do about it, lower case, no full stop

    @property
    def short_fix(self) -> str:
        """The fix in a few words, for a screen's one status line."""
        return "free some space" if self.fix == FULL_FIX else "make the review writable"


def storage_problem(error: sqlite3.Error, path: Path | None) -> StorageProblem | None:
    """The storage failure behind error (disk full; read-only file, folder or disk), or None
    when it is about something else (a corrupt or foreign file, a busy review). Without the
    review's path, only what SQLite itself says is used."""
    name = getattr(error, "sqlite_errorname", "")
    io_error = name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN"))
    if name == "SQLITE_FULL" or (io_error and path is not None and _disk_full(path)):
        return StorageProblem("the disk is full", FULL_FIX)
    if not (io_error or name.startswith("SQLITE_READONLY")):
        return None
    part = _read_only_part(path) if path is not None else None
    if part:
        return StorageProblem(part, READ_ONLY_FIX)
    if name.startswith("SQLITE_READONLY"):
        return StorageProblem("the review file is read-only", READ_ONLY_FIX)
    return StorageProblem(f"the disk failed ({error})", "check the disk and its free space")


def storage_error(error: sqlite3.Error, path: Path) -> MetasiftError | None:
    """storage_problem as the one-line error a command ends with (exit 1)."""
    problem = storage_problem(error, path)
    if problem is None:
        return None
    return MetasiftError(
        f"{path}: {problem.what}; nothing was saved: {problem.fix}, then run the command again"
    )


def _disk_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < NEARLY_FULL


def _read_only_part(path: Path) -> str | None:
    """Which part stops writes: the disk (mounted read-only), the folder or the file."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "the disk holding it is mounted read-only"
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return f"its folder {folder} is read-only (metasift keeps review.db-wal and -shm there)"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    # SQLite makes these with the review file's mode: opened while it was read-only, they
    # stay read-only after the review file is made writable again
    stuck = [p.name for p in (path.with_name(path.name + s) for s in ("-wal", "-shm"))
             if p.exists() and not os.access(p, os.W_OK)]  # fmt: skip
    if stuck:
        return f"{' and '.join(stuck)} beside it {'is' if len(stuck) == 1 else 'are'} read-only"
    return None
