"""A job shared with a worker process: the same result as doing it all here, failures included."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pytest

from db.connection import open_review
from screening.dedup import blocking, parallel
from screening.dedup.engine import run_dedup
from tests.dedup_support import cluster_ids

pytest_plugins = ("tests.dedup_fixtures",)
needs_workers = pytest.mark.skipif(not parallel.CAN_SPLIT, reason="no worker process here")


def squares(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), n * n) for n in items]


@needs_workers
def test_the_second_half_runs_in_a_child_and_comes_back_in_order() -> None:
    result = parallel.in_two_processes(squares, list(range(parallel.MIN_ITEMS)))
    assert [n for _, n in result] == [n * n for n in range(parallel.MIN_ITEMS)]
    pids = {pid for pid, _ in result}
    assert len(pids) == 2 and os.getpid() in pids


def test_a_small_job_stays_here() -> None:
    result = parallel.in_two_processes(squares, list(range(10)))
    assert {pid for pid, _ in result} == {os.getpid()}


@needs_workers
def test_a_child_that_fails_is_replaced_by_this_process() -> None:
    parent = os.getpid()

    def fragile(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return list(items)

    items = list(range(parallel.MIN_ITEMS))
    assert parallel.in_two_processes(fragile, items) == items


@needs_workers
def test_a_forked_run_finds_the_same_clusters(
    sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_review(sample_path)
    try:
        run_dedup(db)
        alone = cluster_ids(db)
        monkeypatch.setattr(parallel, "MIN_ITEMS", 10)  # fork even for the 284-record sample
        monkeypatch.setattr(blocking, "MIN_ITEMS", 10)
        run_dedup(db, rescan=True)
        assert cluster_ids(db) == alone
    finally:
        db.close()


def fails_in_a_worker(caller: int, items: Sequence[int]) -> list[int]:
    if os.getpid() != caller:
        raise RuntimeError("the worker breaks")
    return list(items)


def dies_in_a_worker(caller: int, items: Sequence[int]) -> list[int]:
    if os.getpid() != caller:
        os._exit(1)
    return list(items)


@needs_workers
@pytest.mark.parametrize("work", [fails_in_a_worker, dies_in_a_worker])
def test_pieces_a_worker_fails_on_are_redone_here(work) -> None:
    items = list(range(parallel.MIN_ITEMS))
    assert parallel.in_two_processes(partial(work, os.getpid()), items) == items


@needs_workers
def test_progress_counts_the_pieces_done_on_both_sides() -> None:
    done: list[int] = []
    items = list(range(parallel.MIN_ITEMS))
    parallel.in_two_processes(squares, items, done.append)
    assert done == sorted(done) and done[-1] == len(items) and len(done) == parallel.PIECES
