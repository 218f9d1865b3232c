from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.connection import open_review
from db.errors import MetasiftError
from db.migrations import MIGRATIONS, migrate, schema_version
from screening.review import init_review


def test_open_creates_schema_and_reopening_is_idempotent(tmp_path: Path) -> None:
    db = open_review(tmp_path / "r.db", create=True)
    assert schema_version(db) == len(MIGRATIONS)
    assert {"sources", "records", "decisions", "study_links", "full_texts"} <= set(db.table_names())
    assert {"records_with_sources", "current_decisions"} <= set(db.view_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    db = open_review(tmp_path / "r.db")
    migrate(db)
    assert schema_version(db) == len(MIGRATIONS)
    db.close()


def test_foreign_keys_are_enforced(review_db) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        review_db["records"].insert({"uuid": "x", "source_id": 999, "position": 1})


def test_missing_review_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MetasiftError, match="run `metasift init`"):
        open_review(tmp_path / "nope.db")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "review.db"
    bogus.write_text("hello, I am not a database" * 100)
    with pytest.raises(MetasiftError, match="not a metasift review file"):
        open_review(bogus)


@pytest.mark.parametrize("content", ["empty", "another database"])
def test_a_file_with_no_review_in_it_is_refused_and_left_as_it_was(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "review.db"
    path.write_bytes(b"")
    if content == "another database":
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE t (x)")
        other.commit()
        other.close()
    before = path.read_bytes()
    with pytest.raises(MetasiftError, match="not a metasift review file"):
        open_review(path)
    assert path.read_bytes() == before  # not migrated into an empty review
    if content == "empty":
        with pytest.raises(MetasiftError, match="an empty file, not a review; delete it"):
            init_review(tmp_path)


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
    old = Database(tmp_path / "old.db")  # a review made with SQLite's default 4 kB pages
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.close()
    reopened = open_review(tmp_path / "old.db")
    assert reopened.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert reopened["records"].exists()


def test_raw_texts_move_to_record_raw_in_an_existing_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review made before record_raw keeps every raw text, now one join away."""
    first_five = MIGRATIONS[:5]
    monkeypatch.setattr("db.migrations.MIGRATIONS", first_five)
    db = open_review(tmp_path / "r.db", create=True)
    source = db["sources"].insert({"kind": "file", "database": "PubMed", "imported_at": "t"})
    for n in (1, 2):
        row = {"uuid": f"u{n}", "source_id": source.last_pk, "position": n, "raw": f"<r{n}/>"}
        db["records"].insert(row)
    monkeypatch.setattr("db.migrations.MIGRATIONS", MIGRATIONS)
    migrate(db)
    assert "raw" not in db["records"].columns_dict
    sql = "SELECT r.uuid, x.raw FROM records r JOIN record_raw x ON x.id = r.raw_id ORDER BY r.id"
    assert db.execute(sql).fetchall() == [("u1", "<r1/>"), ("u2", "<r2/>")]
    with pytest.raises(sqlite3.IntegrityError):  # a raw text a record points to stays
        db.execute("DELETE FROM record_raw WHERE id = 1")


def test_raw_texts_of_a_killed_import_are_removed_by_the_next(tmp_path: Path) -> None:
    from db.records import Staging

    db = open_review(tmp_path / "r.db", create=True)
    staging = Staging(db)
    staging.add([_row("<a/>"), _row("<b/>")])
    assert db["record_raw"].count == 2  # committed while the import runs
    # as if the process had been killed: its pid is gone
    db.execute("UPDATE raw_in_flight SET pid = 2147483646")
    db.conn.commit()
    Staging(db)
    assert db["record_raw"].count == 0 and db["raw_in_flight"].count == 0


def test_a_live_import_keeps_its_raw_texts_when_another_starts(tmp_path: Path) -> None:
    from db.records import Staging

    db = open_review(tmp_path / "r.db", create=True)
    Staging(db).add([_row("<a/>")])
    Staging(db)  # this process is alive: nothing of the first is removed
    assert db["record_raw"].count == 1


def _row(raw: str) -> tuple:
    from screening.citation import Citation
    from screening.rows import citation_row

    return citation_row(Citation(raw=raw, line=1, title="T"), 1)


def test_a_file_from_a_newer_metasift_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    db = open_review(path, create=True)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.execute("PRAGMA journal_mode = DELETE")  # as a newer metasift might leave it
    db.close()
    before = path.read_bytes()
    with pytest.raises(MetasiftError) as e:
        open_review(path)
    message = str(e.value)
    assert message.startswith(f"{path}: ") and "upgrade metasift" in message
    assert f"schema version {len(MIGRATIONS) + 1}" in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.db"]  # no -wal, no -shm


def test_migrate_refuses_a_newer_schema_too(tmp_path: Path) -> None:
    db = open_review(tmp_path / "r.db", create=True)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 3}")
    with pytest.raises(MetasiftError, match=r"r\.db: .*upgrade metasift"):
        migrate(db)
    assert schema_version(db) == len(MIGRATIONS) + 3


def test_migration_modules_are_numbered_in_the_order_they_run() -> None:
    """db/migrations' rule: one module per step, mNNN_..., listed in MIGRATIONS in order."""
    import pkgutil

    import db.migrations

    modules = sorted(info.name for info in pkgutil.iter_modules(db.migrations.__path__))
    listed = [step.__module__.rsplit(".", 1)[1] for step in MIGRATIONS]
    assert listed == modules
    assert [name[:5] for name in listed] == [f"m{n:03d}_" for n in range(1, len(listed) + 1)]
    assert all(step.__name__ == "upgrade" for step in MIGRATIONS)
