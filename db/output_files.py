"""Whether a command may write a file it was asked to write: checked before it changes
anything, and never over a review.

An export named like the review file (`-o review.db` for `-o review.csv`) would replace the
whole review with a sheet; no command writes a database, so an existing SQLite file, a review's
protocol or SQLite's files beside a database are never an output.
"""

from __future__ import annotations

import os
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
PROTOCOL_NAME = "review.toml"  # screening.review names it too; db cannot import screening
BESIDE_A_DATABASE = ("-wal", "-shm", "-journal")


def output_problem(path: Path) -> str | None:
    """Why `path` cannot be written as an output file, or None if it can."""
    folder = path.parent
    if path.is_dir():
        return f"{path} is a folder; name a file inside it"
    if not folder.is_dir():
        return f"the folder {folder} does not exist; create it first (mkdir -p {folder})"
    if path.exists() and _review_file(path):
        return f"{path} is a review's own file; metasift never writes an export over it"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{path} cannot be written (read-only)"
    return None


def _review_file(path: Path) -> bool:
    if path.name == PROTOCOL_NAME or path.name.endswith(BESIDE_A_DATABASE):
        return True
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False
