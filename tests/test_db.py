from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db.connection import open_review
from db.errors import MetasiftError
from db.migrations import MIGRATIONS, migrate, schema_version


def test_open_creates_schema_and_reopening_is_idempotent(tmp_path: Path) -> None:
    db = open_review(tmp_path / "r.db", create=True)
    assert schema_version(db) == len(MIGRATIONS)
    assert {"sources", "records", "decisions", "studies", "reports"} <= set(db.table_names())
    assert {"records_with_sources", "current_decisions"} <= set(db.view_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    db = open_review(tmp_path / "r.db")
    migrate(db)
    assert schema_version(db) == len(MIGRATIONS)
    db.close()


def test_foreign_keys_are_enforced(review_db) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        review_db["records"].insert({"uuid": "x", "source_id": 999, "raw": "", "position": 1})


def test_missing_review_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MetasiftError, match="run `metasift init`"):
        open_review(tmp_path / "nope.db")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "review.db"
    bogus.write_text("hello, I am not a database" * 100)
    with pytest.raises(MetasiftError, match="not a metasift review file"):
        open_review(bogus)


def test_failed_migration_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    def broken(db) -> None:
        db["half_done"].create({"id": int}, pk="id")
        raise RuntimeError("boom")

    db = open_review(tmp_path / "r.db", create=True)
    monkeypatch.setattr("db.migrations.MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        migrate(db)
    assert "half_done" not in db.table_names()
    assert schema_version(db) == len(MIGRATIONS)


def test_new_reviews_use_16k_pages_and_old_ones_keep_theirs(tmp_path: Path) -> None:
    new = open_review(tmp_path / "new.db", create=True)
    assert new.execute("PRAGMA page_size").fetchone()[0] == 16384
    old = sqlite3.connect(tmp_path / "old.db")
    old.execute("CREATE TABLE t (x)")  # a file made with the default 4 kB pages
    old.close()
    reopened = open_review(tmp_path / "old.db")
    assert reopened.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert reopened["records"].exists()
