"""Stopping an import half-way (Ctrl-C, kill, kill -9): the review stays as it was and no
worker process is left behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
# The CLI, with PubMed XML parsed by worker processes even for a test-sized file.
RUN_CLI = """
import sys
from screening.importers import pubmed_xml
pubmed_xml.PARALLEL_FROM_BYTES = 0
pubmed_xml.os.sched_getaffinity = lambda _: {0, 1}
from screening.cli import main
sys.argv = ["metasift", *sys.argv[1:]]
main()
"""


@pytest.fixture
def big_xml(tmp_path: Path) -> Path:
    """4,800 real records (the six of efetch_6_records, repeated): seconds of work."""
    data = (FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()
    start, end = data.index(b"<PubmedArticle>"), data.rindex(b"</PubmedArticleSet>")
    path = tmp_path / "big.xml"
    path.write_bytes(data[:start] + data[start:end] * 800 + data[end:])
    return path


def start_import(review: Path, xml: Path) -> subprocess.Popen[str]:
    subprocess.run(
        [sys.executable, "-c", RUN_CLI, "init", str(review)], check=True, cwd=ROOT, text=True
    )
    # a session of its own: a signal to its group reaches the workers too, as from a terminal
    return subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "import", "--review", str(review), str(xml)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_for_staging(process: subprocess.Popen[str], review: Path) -> list[int]:
    """Wait until the import has committed a first batch of raw texts; its workers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        workers = children(process.pid)
        if len(workers) >= 2 and review_counts(review)[3] > 0:
            return workers
        time.sleep(0.05)
    raise AssertionError("the import staged nothing")


def review_counts(review: Path) -> tuple[int, int, int, int]:
    db = sqlite3.connect(review / "review.db", timeout=10)
    try:
        return tuple(  # type: ignore[return-value]
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("sources", "records", "record_raw", "raw_in_flight")
        )
    finally:
        db.close()


pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="reads /proc and sends POSIX signals"
)


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_an_interrupted_import_leaves_the_review_as_it_was(
    how: str, big_xml: Path, tmp_path: Path
) -> None:
    review = tmp_path / "review"
    process = start_import(review, big_xml)
    workers = wait_for_staging(process, review)
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole group
    else:
        process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert f"interrupted: nothing of {big_xml} was imported" in err
    assert "Traceback" not in err
    assert review_counts(review) == (0, 0, 0, 0)
    assert not [w for w in workers if running(w)]


def test_a_killed_import_leaves_no_worker_and_the_next_import_tidies_up(
    big_xml: Path, tmp_path: Path
) -> None:
    review = tmp_path / "review"
    process = start_import(review, big_xml)
    workers = wait_for_staging(process, review)
    process.kill()  # SIGKILL: no cleanup runs in the importing process
    process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if running(w)]  # they noticed their parent was gone
    small = FIXTURES / "entrez/hawc/efetch_6_records.xml"
    subprocess.run(
        [sys.executable, "-c", RUN_CLI, "import", "--review", str(review), str(small)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    assert review_counts(review) == (1, 6, 6, 0)  # the killed import's raw texts are gone
