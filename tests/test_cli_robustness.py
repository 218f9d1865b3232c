"""Commands on hostile, missing and unwritable things (issue 11): record text with terminal
control codes, output folders that do not exist, a deleted review.toml, read-only and full
disks. Each ends in one clear line and exit 1 (2 for a bad option), never a traceback, and
leaves the review as it was."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from db.connection import ReviewDatabase
from screening.cli import cli
from tests.conftest import FIXTURES
from tests.hostile_review import HOSTILE, SHOWN, poison, raw_controls
from tests.resolve_fixtures import copy_conflicted
from tests.screening_fixtures import make_review


def invoke(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    db_path = make_review(tmp_path / "rev")
    poison(db_path)
    return db_path


def table_dump(db_path: Path) -> list[str]:
    """The review's schema and rows as SQL, in an order VACUUM does not change."""
    conn = sqlite3.connect(db_path)
    try:
        return sorted(conn.iterdump())
    finally:
        conn.close()


# -- control characters --------------------------------------------------------------------


def test_records_listing_escapes_control_characters(hostile: Path) -> None:
    result = invoke("records", "--review", hostile, "--limit", 2)
    assert result.exit_code == 0
    assert raw_controls(result.output) == set()
    assert SHOWN in result.output.splitlines()[0]


def test_records_json_escapes_them_and_keeps_the_text(hostile: Path) -> None:
    result = invoke("records", "--review", hostile, "--json")
    assert result.exit_code == 0
    assert raw_controls(result.output) == set()
    records = json.loads(result.output)
    assert records[0]["title"] == HOSTILE  # JSON escapes: the data itself is intact
    assert len(records) == 10


def test_records_json_streamed_is_the_same_text_as_one_dump(hostile: Path) -> None:
    result = invoke("records", "--review", hostile, "--json", "--limit", 3)
    whole = json.dumps(json.loads(result.output), indent=2, ensure_ascii=False)
    assert result.output == whole.replace("\x9b", "\\u009b") + "\n"
    empty = invoke("records", "--review", hostile, "--json", "--search", "no such words")
    assert empty.stdout == "[]\n" and empty.stderr == "no records match\n"


def test_status_and_conflicts_escape_record_text(tmp_path: Path) -> None:
    db_path = copy_conflicted(tmp_path / "rev")
    poison(db_path, (7, 8))
    status = invoke("status", "--review", db_path)
    listed = invoke("conflicts", "--review", db_path, "--reviewer", "cleo")
    as_json = invoke("conflicts", "--review", db_path, "--reviewer", "cleo", "--json")
    for result in (status, listed, as_json):
        assert result.exit_code == 0, result.output
        assert raw_controls(result.output) == set()
    assert SHOWN in status.output and SHOWN in listed.output
    assert json.loads(as_json.output)["conflicts"][0]["title"] == HOSTILE


def test_an_error_quoting_record_text_escapes_it(hostile: Path) -> None:
    toml = hostile.with_name("review.toml")  # a key with ESC in it, written as TOML allows
    toml.write_text('"title\\u001b[2J" = 1\n' + toml.read_text(), encoding="utf-8")
    result = invoke("status", "--review", hostile)
    assert result.exit_code == 1
    assert raw_controls(result.stderr) == set()
    assert "title\\x1b[2J" in result.stderr


# -- outputs checked before anything changes ----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("export", "records", "--format", "csv", "-o"),
        ("export", "decisions", "--format", "json", "-o"),
        ("dedup", "--export"),
    ],
)
def test_an_output_in_a_missing_folder_is_refused_before_any_change(
    hostile: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    before = table_dump(hostile)
    result = invoke(*args, tmp_path / "nonexistent" / "x.csv", "--review", hostile)
    assert result.exit_code == 2
    assert "the folder" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.output
    assert table_dump(hostile) == before  # dedup did not run


OUTPUTS = [
    ("export", "records", "--format", "csv", "-o"),
    ("export", "sheet", "--format", "xlsx", "-o"),
    ("export", "sheet", "--for", "metafor", "-o"),
    ("rob", "export", "-o"),
    ("rob", "plot", "--kind", "summary", "-o"),
    ("prisma", "--csv"),
    ("prisma", "--svg"),
    ("analyse", "--outcome", "x", "--plot"),
]


@pytest.mark.parametrize("args", OUTPUTS)
@pytest.mark.parametrize("name", ["review.db", "review.toml", "review.db-wal"])
def test_no_output_is_written_over_a_review_file(
    hostile: Path, args: tuple[str, ...], name: str
) -> None:
    target = hostile.with_name(name)
    if not target.exists():
        target.write_bytes(b"")  # SQLite's own file beside the review, as while it is open
    before = target.read_bytes()
    result = invoke(*args, target, "--review", hostile)
    assert result.exit_code == 2, result.output
    assert "is a review's own file" in result.stderr
    assert "Traceback" not in result.output
    assert target.read_bytes() == before


@pytest.mark.parametrize("args", OUTPUTS)
def test_an_extraction_output_in_a_missing_folder_is_refused(
    hostile: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    suffix = ".svg" if {"plot", "--svg", "--plot"} & set(args) else ".csv"
    result = invoke(*args, tmp_path / "nonexistent" / f"x{suffix}", "--review", hostile)
    assert result.exit_code == 2, result.output
    assert "the folder" in result.stderr and "does not exist" in result.stderr


def test_dedup_export_into_an_existing_folder_still_works(hostile: Path, tmp_path: Path) -> None:
    result = invoke("dedup", "--review", hostile, "--export", tmp_path / "clusters.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clusters.csv").read_text().startswith("record_id")


# -- a deleted review.toml -----------------------------------------------------------------


def test_a_deleted_protocol_is_restored_from_the_review_file(hostile: Path) -> None:
    toml = hostile.with_name("review.toml")
    text = toml.read_text(encoding="utf-8")
    toml.unlink()
    status = invoke("status", "--review", hostile)
    assert status.exit_code == 1
    assert "metasift init --restore-protocol" in status.stderr
    init = invoke("init", hostile.parent)
    assert init.exit_code == 1
    assert "--restore-protocol" in init.stderr
    restored = invoke("init", hostile.parent, "--restore-protocol")
    assert restored.exit_code == 0, restored.output
    assert toml.read_text(encoding="utf-8") == text
    again = invoke("init", hostile.parent, "--restore-protocol")
    assert again.exit_code == 1 and "already there" in again.stderr


# -- vacuum --------------------------------------------------------------------------------


def test_vacuum_gives_back_the_space_an_interrupted_import_left(tmp_path: Path) -> None:
    db_path = make_review(tmp_path / "rev")
    conn = sqlite3.connect(db_path)
    with conn:  # a stopped import's raw texts, removed again: free pages in the file
        conn.executemany("INSERT INTO record_raw (raw) VALUES (?)", [("x" * 20_000,)] * 200)
    with conn:
        conn.execute("DELETE FROM record_raw WHERE id NOT IN (SELECT raw_id FROM records)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before, records = db_path.stat().st_size, table_dump(db_path)
    result = invoke("vacuum", "--review", db_path)
    assert result.exit_code == 0, result.output
    assert db_path.stat().st_size < before - 3_000_000
    assert "before" in result.stdout and "after" in result.stdout
    assert table_dump(db_path) == records
    assert "holds the write lock" in invoke("vacuum", "--help").output


# -- read-only and full disks --------------------------------------------------------------


NOBODY = 65534
METASIFT = Path(sys.executable).with_name("metasift")


@pytest.fixture
def shared_review(tmp_path: Path) -> Iterator[Path]:
    """A review another user can reach: permissions bind root only through another user, so
    as root the commands run as nobody (setpriv), and a folder under /tmp of their own."""
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("as root, read-only files need setpriv to run as another user")
    top = Path(tempfile.mkdtemp(prefix="metasift-ro-"))
    top.chmod(0o755)
    try:
        yield make_review(top / "rev")
    finally:
        for path in (top / "rev", top / "rev" / "review.db"):
            path.chmod(0o755)
        shutil.rmtree(top)


def as_someone_else(*args: object) -> subprocess.CompletedProcess[str]:
    """metasift ARGS in a process of its own, as nobody when running as root."""
    user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    cmd = [*(user if os.geteuid() == 0 else []), str(METASIFT), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd="/")


def test_a_read_only_review_folder_says_so_and_how_to_fix_it(shared_review: Path) -> None:
    shared_review.parent.chmod(0o555)
    result = as_someone_else("status", "--review", shared_review)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {shared_review}: its folder ")
    assert "is read-only" in result.stderr and "chmod u+w" in result.stderr
    assert "not a metasift review file" not in result.stderr


def test_a_read_only_review_file_reads_but_refuses_writes_clearly(shared_review: Path) -> None:
    shared_review.parent.chmod(0o777)  # room for the -wal and -shm files; the file itself:
    shared_review.chmod(0o444)
    assert as_someone_else("status", "--review", shared_review).returncode == 0
    result = as_someone_else("dedup", "--review", shared_review)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {shared_review}: the file is read-only; nothing was saved: make the file and "
        "its folder writable (chmod u+w), or copy the review folder somewhere writable and "
        "use the copy, then run the command again\n"
    )


def test_side_files_left_read_only_are_named(shared_review: Path) -> None:
    shared_review.parent.chmod(0o777)
    shared_review.chmod(0o444)
    assert as_someone_else("status", "--review", shared_review).returncode == 0
    shared_review.chmod(0o666)  # writable again; SQLite made its -shm read-only, as it was
    side = [p for p in shared_review.parent.iterdir() if p.name.endswith("-shm")]
    if not side or side[0].stat().st_mode & 0o222:
        pytest.skip("SQLite left no read-only -shm file here")
    result = as_someone_else("dedup", "--review", shared_review)
    assert result.returncode == 1
    assert "review.db-shm beside it is read-only" in result.stderr, result.stderr


def fill_up_soon(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk simulated by SQLite's PRAGMA max_page_count: every review connection may
    grow its file by 8 pages (128 kB) at most, and SQLite then fails the write with the same
    SQLITE_FULL "database or disk is full" a full disk gives (the real thing, a tmpfs, needs
    root: tests/test_disks_mounted.py)."""
    opened = ReviewDatabase.__init__

    def limited(self: ReviewDatabase, path: Path) -> None:
        opened(self, path)
        pages = self.execute("PRAGMA page_count").fetchone()[0]
        self.execute(f"PRAGMA max_page_count = {pages + 8}")

    monkeypatch.setattr(ReviewDatabase, "__init__", limited)


def test_an_import_that_fills_the_disk_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = make_review(tmp_path / "rev", files=())
    fill_up_soon(monkeypatch)
    before = table_dump(db_path)
    big = FIXTURES / "wos" / "wosfile_wos_plaintext.txt"  # 312 kB: more than 8 pages
    result = invoke("import", "--review", db_path, big)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {db_path}: the disk is full; nothing was saved")
    assert "free some space" in result.stderr
    assert "Traceback" not in result.output
    assert table_dump(db_path) == before
