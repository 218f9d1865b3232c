"""Search on the FTS5 index: the query language (screening/query.py) over a real review (the
fixture PubMed records), the index kept up to date, and a review migrated to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

import db.fts
import screening.importing
from db.connection import open_review
from db.errors import ReviewBusy
from db.fts import SearchUnavailable, index_new_records, ready_for_search
from db.query_sql import record_ids_matching
from screening.query import SearchError, describe, parse_query
from tests.other_process import committed_rows, write_lock_held
from tests.screening_fixtures import FILES, RATS_PMID, RCT_PMID, make_review

ALL = set(range(1, 11))


@pytest.fixture(scope="module")
def review_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_review(tmp_path_factory.mktemp("search") / "rev")


@pytest.fixture
def review(review_file: Path) -> Iterator[Database]:
    db = open_review(review_file)
    yield db
    db.close()


def found(db: Database, text: str) -> set[int]:
    return record_ids_matching(db, parse_query(text).node)


def test_words_match_whole_words_never_inside_one(review: Database) -> None:
    # record 5's title says "proliferation", record 8's "fetal rats": a substring search
    # found "rat" in six records
    assert 5 not in found(review, "rat")
    assert found(review, "rat") == {8}  # its MeSH heading "Rats" aside, record 4 says "rats"
    assert found(review, "rats") == {4, 8}
    assert found(review, "RATS") == {4, 8}  # case aside
    assert found(review, "rat*") >= {4, 8}
    assert found(review, "cancer") == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("word", ["cancer", "rats", "rat", "genes", "chlorhexidine", "dna"])
def test_a_word_finds_what_a_whole_word_regex_finds(review: Database, word: str) -> None:
    columns = " || ' ' || ".join(
        f"coalesce({c}, '')"
        for c in ("title", "abstract", "authors", "journal", "keywords", "mesh_terms")
    )
    rows = review.execute(f"SELECT id, {columns} FROM record_search_text").fetchall()
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    assert found(review, word) == {rid for rid, text in rows if pattern.search(text)}


def test_phrases_keep_their_words_in_order(review: Database) -> None:
    assert found(review, '"fetal rats"') == {8}
    assert found(review, '"rats fetal"') == set()
    assert found(review, 'title:"breast cancer"') == {2}


def test_field_filters_kept_from_the_screen(review: Database) -> None:
    assert found(review, "title:cancer") == {1, 2, 5}
    assert found(review, 'journal:"pediatric surgery"') == {8}
    assert found(review, "type:review") == {10}
    assert found(review, "type:*trial") == {7}
    assert found(review, "type:news") == {2}
    assert found(review, "year:2013") == {7}
    assert found(review, "year:>2010") == {7, 9}
    assert found(review, f"pmid:{RCT_PMID}") == {7}
    assert found(review, "source:pubmed") == ALL
    assert found(review, "-type:review") == ALL - {10}


def test_a_bare_pmid_or_doi_finds_its_record(review: Database) -> None:
    assert found(review, RATS_PMID) == {8}
    doi = review.execute("SELECT doi FROM records WHERE id = 7").fetchone()[0]
    assert found(review, doi.upper()) == {7}
    assert found(review, f"{RATS_PMID} OR {RCT_PMID}") == {7, 8}


def test_db_names_the_records_own_database(review: Database) -> None:
    assert found(review, "db:pubmed") == ALL
    assert found(review, "db:embase") == set()


def test_or_parentheses_and_negation_combine(review: Database) -> None:
    assert found(review, "rats OR chlorhexidine") == {4, 7, 8}
    assert found(review, "(rats OR chlorhexidine) -year:2013") == {4, 8}
    assert found(review, "cancer -(title:breast OR type:news)") == {1, 3, 4, 5}
    assert found(review, "-cancer") == ALL - {1, 2, 3, 4, 5}
    assert found(review, "cancer AND title:genomic") == {1}
    assert found(review, "cancer NOT title:cancer") == {3, 4}


def test_a_term_with_no_word_matches_nothing_and_says_so() -> None:
    for text in ("%", "title:%", "*", "-%"):
        with pytest.raises(SearchError, match="no word"):
            parse_query(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"stem cell', "close the quotes"),
        ("(rats OR mice", "not closed"),
        ("rats)", "closes no"),
        ("OR rats", "missing"),
        ("rats OR", "missing"),
        ("title:", "needs a value"),
        ("year:20x", "not a year"),
        ("rats -", "needs a term"),
        ("rats -)", "needs a term"),
    ],
)
def test_a_broken_query_is_an_error_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(SearchError, match=message):
        parse_query(text)


@pytest.mark.parametrize(
    "text",
    [
        "cancer",
        'stem* title:"stem cell" -type:review',
        "(rats OR mice) cancer",
        "-(a OR b) year:2010-2015 db:embase",
        'mesh:"liver cirrhosis" OR keyword:msc*',
    ],
)
def test_describe_writes_back_a_query_that_parses_the_same(text: str) -> None:
    query = parse_query(text)
    assert parse_query(describe(query)).node == query.node


def test_a_record_landed_but_not_indexed_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an import interrupted between its landing step and its indexing: records, no index rows
    monkeypatch.setattr(screening.importing, "index_new_records", lambda _db: 0)
    review_file = make_review(tmp_path / "rev")
    db = open_review(review_file)
    try:
        assert db.execute("SELECT indexed_through FROM search_index_state").fetchone() == (0,)
        assert found(db, "rats") == {4, 8}
        assert db.execute("SELECT indexed_through FROM search_index_state").fetchone() == (10,)
        assert index_new_records(db) == 0  # up to date: nothing written
    finally:
        db.close()


def test_the_import_indexes_once_its_records_are_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, list[tuple[int]]]] = []
    review_file = tmp_path / "rev" / "review.db"

    def spy(db: Database) -> int:
        landed = committed_rows(review_file, "SELECT count(*) FROM records")
        seen.append((db.conn.in_transaction, landed))
        return index_new_records(db)

    monkeypatch.setattr(screening.importing, "index_new_records", spy)
    make_review(tmp_path / "rev", files=FILES[:1])
    assert seen == [(False, [(6,)])]  # outside the landing transaction, after its commit
    assert committed_rows(review_file, "SELECT indexed_through FROM search_index_state") == [(6,)]


def test_a_search_while_another_writer_holds_the_lock_says_the_review_is_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screening.importing, "index_new_records", lambda _db: 0)
    review_file = make_review(tmp_path / "rev", files=FILES[:1])
    db = open_review(review_file)
    try:
        with write_lock_held(db, review_file), pytest.raises(ReviewBusy):
            found(db, "cancer")
        assert found(db, "cancer") == {1, 2, 3, 4, 5}  # once free, the index catches up
    finally:
        db.close()


def test_indexing_in_small_transactions_indexes_every_record_once(tmp_path: Path) -> None:
    db = open_review(make_review(tmp_path / "rev"))
    try:
        db.execute("INSERT INTO records_fts(records_fts) VALUES ('delete-all')")
        db.execute("UPDATE search_index_state SET indexed_through = 0")
        assert index_new_records(db, batch=3) == 10
        assert db.execute("SELECT count(*) FROM records_fts_docsize").fetchone() == (10,)
        assert found(db, "cancer") == {1, 2, 3, 4, 5}
    finally:
        db.close()


def test_the_migration_indexes_an_existing_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.migrations import MIGRATIONS, m015_search_index

    # a review as it was just before migration 15 (the later steps are not part of this)
    monkeypatch.setattr("db.migrations.MIGRATIONS", MIGRATIONS[:15])
    assert MIGRATIONS[14] is m015_search_index.upgrade
    review_file = make_review(tmp_path / "rev")
    db = open_review(review_file)
    db.executescript(
        "DROP TABLE records_fts; DROP VIEW record_search_text; DROP TABLE search_index_state;"
        "DROP TABLE record_facets;"
        "PRAGMA user_version = 14;"
    )
    db.close()
    again = open_review(review_file)  # migrates: m015 builds the index
    try:
        assert again.execute("SELECT count(*) FROM records_fts_docsize").fetchone() == (10,)
        assert found(again, f"pmid:{RATS_PMID} rats") == {8}
    finally:
        again.close()


def test_without_fts5_the_review_opens_and_search_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db.fts, "fts5_available", lambda _db: False)
    review_file = make_review(tmp_path / "rev", files=FILES[:1])
    review = open_review(review_file)
    try:
        assert not review["records_fts"].exists()
        with pytest.raises(SearchUnavailable, match="FTS5"):
            ready_for_search(review)
        assert record_ids_matching(review, parse_query("year:2008").node) == set(range(1, 7))
        monkeypatch.undo()  # a Python with FTS5: the first search builds the index
        assert found(review, "cancer") == {1, 2, 3, 4, 5}
    finally:
        review.close()
