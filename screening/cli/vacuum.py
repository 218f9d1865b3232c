"""`metasift vacuum`: give the review file's free pages back to the disk.

An import stopped half-way (Ctrl-C, a full disk) leaves review.db at the size it had grown to;
SQLite reuses that space for the next import, so this is only worth running when the disk space
itself is wanted back.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import click
from sqlite_utils import Database

from db.connection import open_review
from db.errors import MetasiftError, busy_is_an_error
from db.storage import storage_error
from screening.cli import review_option
from screening.review import resolve


@click.command()
@review_option
def vacuum(review_path: str | None) -> None:
    """Shrink review.db to what it holds, giving free space back to the disk.

    Worth it after an interrupted import or a large split: otherwise SQLite reuses the free
    space itself. The cost: it rewrites the whole file (about a second per 100 MB), needs
    free disk space as large as the file while it runs, and holds the write lock throughout,
    so other metasift commands on this review wait until it is done. Nothing in the review
    changes.

    Example:

    \b
        metasift vacuum --review cirrhosis-msc
    """
    path = resolve(review_path)
    db = open_review(path)
    try:
        before = _size(path)
        free_pages = db.execute("PRAGMA freelist_count").fetchone()[0]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        _refuse_without_room(path, before)
        click.echo(
            f"{path}: {_mb(before)}, of which {_mb(free_pages * page_size)} free; rewriting...",
            err=True,
        )
        _rewrite(db, path)
    finally:
        db.close()
    click.echo(f"{path}: {_mb(before)} before, {_mb(_size(path))} after")


def _rewrite(db: Database, path: Path) -> None:
    try:
        with busy_is_an_error():
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rewrite went through the WAL
    except sqlite3.OperationalError as e:
        problem = storage_error(e, path)  # the disk filled up after all: nothing changed
        if problem is None:
            raise
        raise problem from e


def _size(path: Path) -> int:
    """The review file with its WAL, as the disk counts them."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _refuse_without_room(path: Path, size: int) -> None:
    free = shutil.disk_usage(path.parent).free
    if free < size:
        raise MetasiftError(
            f"{path}: vacuum needs {_mb(size)} of free disk space while it rewrites the file, "
            f"and {_mb(free)} is free; free some space first"
        )


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def register(group: click.Group) -> None:
    group.add_command(vacuum)
