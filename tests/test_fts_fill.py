"""How the search index is filled (db/fts.py): the words the fill reads are the text view's,
word for word, whatever a list column holds; FTS5's merge width; and the indexer pausing for
a waiting writer only when another process has the review open (db/file_users.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

import db.fts
from db.connection import open_review
from db.file_users import lock_holders, opened_by_another_process
from db.fts import AUTOMERGE, COLUMNS, INDEX_TABLE, TEXT_VIEW, index_new_records
from tests.screening_fixtures import make_review

LINUX_LOCKS = pytest.mark.skipif(
    not Path("/proc/locks").exists(), reason="reads Linux's /proc/locks"
)


@pytest.fixture
def review(tmp_path: Path) -> Iterator[Database]:
    db = open_review(make_review(tmp_path / "rev"))
    yield db
    db.close()


def words(db: Database, table: str) -> set[tuple[str, int, str, int]]:
    """Every word of an FTS5 table where it stands: (word, record, column, position)."""
    db.execute(f"CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, '{table}', 'instance')")
    try:
        return set(db.execute("SELECT term, doc, col, offset FROM temp.words"))
    finally:
        db.execute("DROP TABLE temp.words")


def reindex(db: Database) -> None:
    db.execute(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}) VALUES ('delete-all')")
    db.execute("UPDATE search_index_state SET indexed_through = 0")
    index_new_records(db)


def test_the_fill_indexes_the_words_the_text_view_shows(review: Database) -> None:
    # the fixture records' lists, and the same lists as JSON the fast path must leave to
    # json_each: an escape, a quote, entries that are not strings, an object, no spaces
    # record 8's authors have accents (Spanish names)
    authors = json.loads(review.execute("SELECT authors FROM records WHERE id = 8").fetchone()[0])
    odd = {
        2: json.dumps(authors, ensure_ascii=True),  # accents as escapes: "\u00e1"
        3: json.dumps([f'{authors[0]} "the elder"', *authors[1:]], ensure_ascii=False),
        4: json.dumps([authors[0], None, True, 1e5], ensure_ascii=False),
        5: json.dumps({"first": authors[0]}, ensure_ascii=False),
        6: json.dumps(authors, separators=(",", ":"), ensure_ascii=False),
        7: "[]",
        8: f"[{authors[0]}]",  # not JSON at all
    }
    with review.atomic():
        for rid, value in odd.items():
            review.execute("UPDATE records SET keywords = ? WHERE id = ?", [value, rid])
        reindex(review)
    columns = ", ".join(COLUMNS)
    review.execute(
        f"CREATE VIRTUAL TABLE from_view USING fts5({columns}, content='{TEXT_VIEW}', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    review.execute(
        f"INSERT INTO from_view (rowid, {columns}) SELECT id, {columns} FROM {TEXT_VIEW}"
    )
    indexed = words(review, INDEX_TABLE)
    assert indexed == words(review, "from_view")
    assert not [w for w in indexed if w[0].startswith("u00")]  # never the escapes


def test_the_index_merges_its_segments_sixteen_at_a_time(review: Database) -> None:
    config = f"SELECT v FROM {INDEX_TABLE}_config WHERE k = 'automerge'"
    assert review.execute(config).fetchone() == (AUTOMERGE,)
    with review.atomic():  # an index made before the setting: the next fill sets it
        review.execute(f"DELETE FROM {INDEX_TABLE}_config WHERE k = 'automerge'")
    reindex(review)
    assert review.execute(config).fetchone() == (AUTOMERGE,)


@pytest.mark.parametrize("another_process", [False, True])
def test_the_indexer_pauses_only_when_another_process_has_the_review_open(
    review: Database, monkeypatch: pytest.MonkeyPatch, another_process: bool
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(db.fts, "HOLD", 0.0)  # a pause is due after every batch
    monkeypatch.setattr(db.fts.time, "sleep", pauses.append)
    monkeypatch.setattr(db.fts, "opened_by_another_process", lambda _db: another_process)
    review.execute(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}) VALUES ('delete-all')")
    review.execute("UPDATE search_index_state SET indexed_through = 0")
    assert index_new_records(review, batch=3) == 10
    assert pauses == ([db.fts.PAUSE] * 4 if another_process else [])


@LINUX_LOCKS
def test_another_process_with_the_review_open_is_seen(tmp_path: Path) -> None:
    review_file = make_review(tmp_path / "rev")
    review = open_review(review_file)
    assert not opened_by_another_process(review)
    opener = subprocess.Popen(  # opens the review, reads, then waits for its stdin to close
        [sys.executable, "-c", _OPEN_AND_WAIT, str(review_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert opener.stdout is not None and opener.stdout.readline() == "open\n"
        assert opened_by_another_process(review)
    finally:
        opener.communicate()
    assert not opened_by_another_process(review)
    review.close()


_OPEN_AND_WAIT = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "c.execute('SELECT count(*) FROM records').fetchone(); print('open', flush=True); "
    "sys.stdin.read()"
)


def test_a_file_whose_idle_connections_hold_no_lock_counts_as_opened(tmp_path: Path) -> None:
    # rollback-journal mode (a reviewer's copy): another process's idle connection holds no
    # lock, so nothing says it is not there
    review = open_review(make_review(tmp_path / "rev"))
    review.execute("PRAGMA journal_mode = DELETE")
    try:
        assert opened_by_another_process(review)
    finally:
        review.close()


def test_lock_holders_reads_proc_locks_lines() -> None:
    # /proc/locks as this machine printed it: pid, then the file as major:minor:inode (hex:hex:dec)
    listed = (
        "1: POSIX  ADVISORY  READ 7224 fe:00:2220065 128 128\n"
        "2: POSIX  ADVISORY  READ 7224 fe:00:2220120 1073741826 1073742335\n"
        "3: POSIX  ADVISORY  READ 7160 fe:00:2172504 128 128\n"
        "5: POSIX  ADVISORY  WRITE 5958 fe:00:2220120 1073741826 1073742335\n"
        "6: -> POSIX  ADVISORY  WRITE 6001 fe:00:2220120 1073741824 1073741824\n"
    )
    device = os.makedev(0xFE, 0)
    assert lock_holders(listed, device, 2220120) == {"7224", "5958", "6001"}
    assert lock_holders(listed, device, 2220065) == {"7224"}
    assert lock_holders(listed, device, 1) == set()
