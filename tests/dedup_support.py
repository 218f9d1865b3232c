"""A real deduplication review for the dedup tests: tests/fixtures/dedup/sample.csv imported.

The pytest fixtures built on it are in tests/dedup_fixtures.py (loaded with pytest_plugins).

The sample holds whole clusters of the three labelled sets (see tests/fixtures/dedup/SOURCES.md);
its group_id column is the truth, and metasift never reads it. Importing and deduplicating take
a fraction of a second, so one template review is built per test session and each test gets
its own copy.
"""

from __future__ import annotations

import atexit
import csv
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlite_utils import Database

from db.connection import open_review
from screening.dedup import tuning
from screening.dedup.engine import prepare, run_dedup
from screening.dedup.keys import Keys, clear_caches
from screening.importing import import_file
from screening.review import init_review
from tests.conftest import FIXTURES
from tests.other_process import committed_rows

SAMPLE = FIXTURES / "dedup" / "sample.csv"
SLIPS = FIXTURES / "dedup" / "sra_slips.csv"  # pairs of issue 18's rules
TRUTH = {row["record_id"]: row["group_id"] for row in csv.DictReader(SAMPLE.open(encoding="utf-8"))}
SLIPS_TRUTH = {
    row["record_id"]: row["group_id"] for row in csv.DictReader(SLIPS.open(encoding="utf-8"))
}


def import_csv(db: Database, path: Path, database: str | None = None) -> None:
    import_file(db, path, fmt="csv", database=database, columns={"record_type": "entry_type"})
    if db.conn.in_transaction:  # import_file leaves committing to its caller's connection
        db.conn.commit()


def make_review(folder: Path, *, dedup: bool, path: Path = SAMPLE) -> Path:
    db_path = init_review(folder, title="Deduplication sample")
    db = open_review(db_path)
    try:
        import_csv(db, path)
        if dedup:
            run_dedup(db)
    finally:
        db.close()
    return db_path


@cache
def templates() -> dict[bool, Path]:
    """Two template reviews for the whole test run: imported, and imported + deduplicated."""
    base = Path(tempfile.mkdtemp(prefix="metasift-dedup-tests-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    return {flag: make_review(base / f"dedup-{flag}", dedup=flag).parent for flag in (False, True)}


@cache
def slips_review() -> Path:
    """sra_slips.csv imported, once for the whole test run."""
    base = Path(tempfile.mkdtemp(prefix="metasift-dedup-slips-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    return make_review(base / "slips", dedup=False, path=SLIPS)


def keys_by_source_id(db_path: Path) -> dict[str, Keys]:
    """Comparison keys of every record of a review, by its CSV record_id."""
    db = open_review(db_path)
    try:
        keys = prepare(db).keys
        source = dict(db.execute("SELECT id, source_record_id FROM records"))
    finally:
        db.close()
    return {source[k.record_id]: k for k in keys}


@contextmanager
def rules_left_out(*rules: str) -> Iterator[None]:
    """These rules of screening/dedup/tuning.py switched off inside the block."""
    tuning.leave_out(rules)
    clear_caches()
    try:
        yield
    finally:
        tuning.leave_out([])
        clear_caches()


def copy_template(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    shutil.copytree(template, folder)
    return folder / "review.db"


def record_id(db: Database, source_record_id: str) -> int:
    """The review's id of a sample record."""
    row = db.execute(
        "SELECT id FROM records WHERE source_record_id = ?", [source_record_id]
    ).fetchone()
    if row is None:
        raise KeyError(source_record_id)
    return int(row[0])


def cluster_ids(db: Database) -> dict[str, int]:
    """source_record_id -> cluster id, for every record."""
    rows = db.execute(
        "SELECT r.source_record_id, c.cluster_id FROM records r "
        "JOIN record_clusters c ON c.record_id = r.id"
    )
    return dict(rows)


def verdicts(db_path: Path) -> list[tuple]:
    """Committed pair verdicts, read by a connection of its own."""
    return committed_rows(
        db_path,
        "SELECT record_a, record_b, verdict, reviewer, undoes IS NOT NULL "
        "FROM dedup_decisions ORDER BY id",
    )
