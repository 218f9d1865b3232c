"""Is a process still running? For work a process marks as its own in the review file (raw texts
of an import in flight, a harvest running), so that a dead process's marks can be taken over."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True if a process with this pid runs on this machine (a review file in WAL mode is only
    ever opened from one machine, so the pid is enough)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
