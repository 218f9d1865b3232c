"""DedupReview's writes: a verdict and the clusters it rebuilds land together or not at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from db.dedup import DIFFERENT, SAME
from db.errors import ReviewBusy
from screening.dedup import pair_review
from screening.dedup.pair_review import DedupReview
from tests.dedup_support import verdicts
from tests.other_process import committed_rows, write_lock_held

pytest_plugins = ("tests.dedup_fixtures",)


def members(db_path: Path) -> list[tuple]:
    """The committed cluster membership, read by a connection of its own."""
    return committed_rows(db_path, "SELECT * FROM dedup_members ORDER BY record_id")


def break_recluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-clustering does its work inside the caller's transaction, then fails."""
    real = pair_review.recluster

    def recluster_then_fail(*args: Any) -> None:
        real(*args)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(pair_review, "recluster", recluster_then_fail)


def test_a_failing_recluster_leaves_no_verdict_behind(
    deduped_db: Database, deduped_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = DedupReview(deduped_db, "ana")
    first, clusters = review.items[0], members(deduped_path)
    break_recluster(monkeypatch)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        review.decide(SAME)
    assert verdicts(deduped_path) == [] and members(deduped_path) == clusters
    assert not deduped_db.conn.in_transaction
    assert review.items[0] == first and (review.decided, review.history) == (0, [])
    monkeypatch.undo()
    assert review.decide(SAME) == first  # the same pair, decided once the fault is gone
    assert verdicts(deduped_path) == [(first.record_a, first.record_b, "same", "ana", 0)]
    assert members(deduped_path) != clusters  # "same" joined two clusters


def test_a_failing_recluster_leaves_the_verdict_to_undo(
    deduped_db: Database, deduped_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = DedupReview(deduped_db, "ana")
    first = review.decide(SAME)
    clusters = members(deduped_path)
    break_recluster(monkeypatch)
    with pytest.raises(sqlite3.OperationalError):
        review.undo()
    assert [v[2] for v in verdicts(deduped_path)] == ["same"]
    assert members(deduped_path) == clusters and review.decided == 1
    monkeypatch.undo()
    assert review.undo() == first and review.items[0] == first


def test_a_busy_review_file_saves_no_verdict(deduped_db: Database, deduped_path: Path) -> None:
    review = DedupReview(deduped_db, "ana")
    first = review.items[0]
    with write_lock_held(deduped_db, deduped_path), pytest.raises(ReviewBusy, match="is busy"):
        review.decide(DIFFERENT)
    assert verdicts(deduped_path) == [] and review.items[0] == first
    review.decide(DIFFERENT)
    assert verdicts(deduped_path) == [(first.record_a, first.record_b, "different", "ana", 0)]
