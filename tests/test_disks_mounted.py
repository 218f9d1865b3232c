"""Real full and read-only disks: a small tmpfs mounted for the test (issue 11).

Mounting needs root (CI containers and this machine run as root); elsewhere these tests skip
and tests/test_cli_robustness.py covers the full disk through PRAGMA max_page_count.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from screening.cli import cli
from tests.conftest import FIXTURES
from tests.screening_fixtures import make_review
from tests.test_cli_robustness import table_dump
from tests.tui.snapshot_apps.screening_app import build as screening_app
from tests.tui.test_hostile_text import decide_on_a_full_disk

WOS = FIXTURES / "wos" / "wosfile_wos_plaintext.txt"  # 312 kB


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """An empty 4 MB tmpfs, unmounted afterwards (a review of the test files takes 1 MB, and
    its write-ahead log as much again before the last connection checkpoints it)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path, leave: int) -> Path:
    """A file taking all the free space in folder's disk but leave bytes."""
    filler = folder / "filler"
    free = shutil.disk_usage(folder).free
    filler.write_bytes(b"\0" * max(free - leave, 0))
    return filler


def test_an_import_onto_a_full_disk_fails_cleanly_and_loses_nothing(tmpfs: Path) -> None:
    db_path = make_review(tmpfs / "rev", files=())
    before = table_dump(db_path)
    fill(tmpfs, leave=100_000)
    result = invoke("import", "--review", db_path, WOS)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {db_path}: the disk is full; nothing was saved")
    assert "Traceback" not in result.output
    assert table_dump(db_path) == before


def test_a_review_on_a_read_only_disk_says_so(tmpfs: Path) -> None:
    db_path = make_review(tmpfs / "rev")
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = invoke("status", "--review", db_path)
    assert result.exit_code == 1
    assert "the disk holding it is mounted read-only" in result.stderr
    assert "copy the review folder somewhere writable" in result.stderr
    assert "not a metasift review file" not in result.stderr


async def test_a_decision_on_a_full_disk_is_not_saved_and_the_screen_stays(tmpfs: Path) -> None:
    app = screening_app(tmpfs / "rev")
    filler = fill(tmpfs, leave=0)
    try:
        await decide_on_a_full_disk(app, tmpfs / "rev", filler.unlink)
    finally:
        app.session.db.close()  # type: ignore[attr-defined]
