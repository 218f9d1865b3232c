"""Whether another process has a review file open, from the locks Linux lists in /proc/locks.

A SQLite connection in WAL mode holds a shared lock on its database file from its first read
until it closes, idle or not, so the file's entries in /proc/locks name every process that has
the review open, and so every process that could be waiting for its write lock. A long writer
(the search indexer, db/fts.py) pauses for such a waiter only when there can be one.

The answer errs on the side of "yes": anything it cannot read or check (another system, a file
in rollback-journal mode, whose idle connections hold no lock, or an entry for this process's
own connection that it cannot find, as on some overlay file systems) counts as another process.
It cannot see a second connection in this same process: metasift writes through one.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlite_utils import Database

LOCKS = Path("/proc/locks")


def opened_by_another_process(db: Database) -> bool:
    """True unless /proc/locks shows this process's lock on the review file and no other's."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    if not path or db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return True
    try:
        file = os.stat(path)
        listed = LOCKS.read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    holders = lock_holders(listed, file.st_dev, file.st_ino)
    return str(os.getpid()) not in holders or len(holders) > 1


def lock_holders(listed: str, device: int, inode: int) -> set[str]:
    """The process ids holding locks on one file in /proc/locks' text, whose lines read
    "1: POSIX  ADVISORY  READ 7224 fe:00:2220065 128 128" (pid, then major:minor:inode)."""
    wanted = f"{os.major(device):02x}:{os.minor(device):02x}:{inode}"
    holders = set()
    for line in listed.splitlines():
        fields = line.split()
        if wanted in fields[1:]:
            holders.add(fields[fields.index(wanted) - 1])
    return holders
