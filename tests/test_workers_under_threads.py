"""Both parallel paths start their workers while another thread runs, as they do inside the
Textual app (`dedup review`) and beside a harvest's fetcher thread, and give what the
one-process path gives. A forked child would inherit a lock that another thread holds, held
for ever; a worker is a fresh interpreter, so it cannot."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from db.connection import open_review
from screening.citation import Citation
from screening.dedup import blocking, parallel
from screening.dedup.engine import run_dedup
from screening.harvest.harvest import HarvestSpec, harvest
from screening.importers import pubmed_xml
from screening.workers import CAN_START, WorkerPool
from tests.conftest import FIXTURES
from tests.dedup_support import cluster_ids
from tests.entrez_corpus import SCIENCE
from tests.harvest_support import client_for, entrez_env, serve

pytest_plugins = ("tests.dedup_fixtures",)
pytestmark = pytest.mark.skipif(not CAN_START, reason="no worker process here")
__all__ = ["entrez_env"]
LOCK = threading.Lock()  # held by another thread of the test's process while workers run


@pytest.fixture
def busy_thread() -> Iterator[threading.Thread]:
    """A thread that holds LOCK and waits, as the app's or the fetcher's thread may be doing
    at the moment a worker starts; fork warnings are errors meanwhile (Python 3.12 warns)."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with LOCK:
            holding.set()
            release.wait()

    thread = threading.Thread(target=hold, name="busy", daemon=True)
    thread.start()
    holding.wait()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        yield thread
    release.set()
    thread.join()


def take_lock_unless_in(caller: int, items: Sequence[int]) -> list[tuple[int, bool]]:
    """(pid, LOCK taken) per item; in the caller's own process LOCK is left alone."""
    if os.getpid() == caller:
        return [(caller, True)] * len(items)
    taken = LOCK.acquire(timeout=2)
    if taken:
        LOCK.release()
    return [(os.getpid(), taken)] * len(items)


def test_a_worker_does_not_inherit_a_lock_another_thread_holds(
    busy_thread: threading.Thread,
) -> None:
    items = list(range(parallel.MIN_ITEMS))
    result = parallel.in_two_processes(partial(take_lock_unless_in, os.getpid()), items)
    assert len(result) == len(items)
    assert len({pid for pid, _ in result}) == 2 and busy_thread.is_alive()
    assert all(taken for _, taken in result)


def test_dedup_shares_its_work_while_another_thread_runs(
    sample_path: Path, monkeypatch: pytest.MonkeyPatch, busy_thread: threading.Thread
) -> None:
    db = open_review(sample_path)
    try:
        run_dedup(db)  # 284 records: all in this process
        alone = cluster_ids(db)
        started = spy_on_workers(monkeypatch, parallel, "Worker")
        monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
        monkeypatch.setattr(blocking, "MIN_ITEMS", 10)
        run_dedup(db, rescan=True)
        assert cluster_ids(db) == alone
    finally:
        db.close()
    assert started and all("busy" in names for names in started)


def test_pubmed_xml_is_parsed_in_workers_while_another_thread_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, busy_thread: threading.Thread
) -> None:
    path = tmp_path / "many.xml"
    path.write_bytes(repeated_records(100))  # 600 records, 3 batches
    serial = articles_in(path)
    started = parse_in_workers(monkeypatch)
    assert articles_in(path) == serial and len(serial) == 600
    assert started and all("busy" in names for names in started)


def test_a_harvest_parses_in_workers_while_its_fetcher_thread_runs(
    review_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entrez_env: None
) -> None:
    today = date(2025, 6, 30)
    other = open_review(tmp_path / "serial.db", create=True)
    try:
        with serve() as server:
            harvest(other, client_for(server), HarvestSpec(SCIENCE), today=today, batch_size=2)
            started = parse_in_workers(monkeypatch)
            harvest(review_db, client_for(server), HarvestSpec(SCIENCE), today=today, batch_size=2)
        assert landed(review_db) == landed(other) and len(landed(other)) == 6
    finally:
        other.close()
    assert len(started) == 3  # a pool for each batch of two
    # the fetcher cannot finish before the second batch is taken from it: it ran beside the first
    assert any("_fetch_jobs" in name for name in started[0])


def spy_on_workers(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[list[str]]:
    """Each time module.name starts workers: the names of the other threads alive then."""
    started: list[list[str]] = []
    real = getattr(module, name)

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            others = [t for t in threading.enumerate() if t is not threading.main_thread()]
            started.append([t.name for t in others])
            super().__init__(*args)

    monkeypatch.setattr(module, name, Spy)
    return started


def parse_in_workers(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    monkeypatch.setattr(pubmed_xml, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pubmed_xml.os, "sched_getaffinity", lambda _: {0, 1})
    return spy_on_workers(monkeypatch, pubmed_xml, WorkerPool.__name__)


def repeated_records(times: int) -> bytes:
    data = (FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()
    start, end = data.index(b"<PubmedArticle>"), data.rindex(b"</PubmedArticleSet>")
    return data[:start] + data[start:end] * times + data[end:]


def articles_in(path: Path) -> list[Citation]:
    with path.open("rb") as f:
        return list(pubmed_xml.stream_articles(f, path, path.stat().st_size))


def landed(db: Database) -> list[tuple[Any, ...]]:
    sql = (
        "SELECT r.pmid, r.title, r.doi, r.authors, x.raw FROM records r "
        "JOIN record_raw x ON x.id = r.raw_id ORDER BY r.position"
    )
    return list(db.execute(sql).fetchall())
