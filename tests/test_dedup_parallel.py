"""Halves of a job in a forked child: the same result as doing it all here, failures included."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from db.connection import open_review
from screening.dedup import blocking, parallel
from screening.dedup.engine import run_dedup
from tests.dedup_support import cluster_ids

pytest_plugins = ("tests.dedup_fixtures",)
needs_fork = pytest.mark.skipif(not parallel.CAN_FORK, reason="no fork here")


def squares(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), n * n) for n in items]


@needs_fork
def test_the_second_half_runs_in_a_child_and_comes_back_in_order() -> None:
    result = parallel.in_halves(squares, list(range(parallel.MIN_ITEMS)))
    assert [n for _, n in result] == [n * n for n in range(parallel.MIN_ITEMS)]
    pids = {pid for pid, _ in result}
    assert len(pids) == 2 and os.getpid() in pids


def test_a_small_job_stays_here() -> None:
    result = parallel.in_halves(squares, list(range(10)))
    assert {pid for pid, _ in result} == {os.getpid()}


@needs_fork
def test_a_child_that_fails_is_replaced_by_this_process() -> None:
    parent = os.getpid()

    def fragile(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return list(items)

    items = list(range(parallel.MIN_ITEMS))
    assert parallel.in_halves(fragile, items) == items


@needs_fork
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
