"""The search index: SQLite FTS5 over each record's title, abstract, authors, journal,
keywords and MeSH terms, and keeping it up to date.

records_fts is an external-content table: it holds only the index, and its text is
record_search_text's (db/migrations/m015_search_index.py), a view that writes the JSON lists
(authors, keywords, MeSH) as plain text; the fill reads the same words from records. Records
are never deleted or rewritten after an import, so the index grows only at its end:
search_index_state remembers the highest record id indexed, and index_new_records indexes the
records after it in short transactions of its own, with each record's facets (record_facets:
year, identifiers and the JSON lists, the fields the other search terms test), a narrow copy a
search reads instead of the wide records rows (abstracts spill onto overflow pages:
"title:cancer year:>2010" took 30 ms at 100,000 records reading records, 13 ms reading
record_facets). An import calls it once its records have landed, outside its one atomic step,
so the write lock that step holds does not grow; every search calls it first (one read when
nothing is new), so a record that landed without being indexed (an import interrupted between
the two, a harvest) is still found.

The fill is what the index costs an import (at 100,000 PubMed records, 2.3 s of CPU beside
the import's 33 s; 3.6 s before). It reads a JSON list as stored when it is a plain list of
strings (brackets, quotes and commas are in no word: the view's words without json_each),
lets FTS5 merge its segments 16 at a time, and pauses for a waiting writer only when another
process has the review open (db/file_users.py).
"""

from __future__ import annotations

import sqlite3
import time

from sqlite_utils import Database

from db.errors import MetasiftError, busy_is_an_error
from db.file_users import opened_by_another_process

INDEX_TABLE = "records_fts"
TEXT_VIEW = "record_search_text"
COLUMNS = ("title", "abstract", "authors", "journal", "keywords", "mesh_terms")
# records per transaction: at 100,000 PubMed records each held the write lock 47 ms (88 at most;
# 5,000 held it up to 458 ms)
BATCH = 1000
# Back to back, batches left a waiting writer no gap: a decision waited up to 0.86 s behind
# 0.2 s batches at 100,000 records. After HOLD seconds of batches, a pause longer than SQLite's
# busy-handler sleep lets it in (a quarter of the indexing time), when another process has the
# review open: alone, an import has nobody to wait for.
HOLD, PAUSE = 0.4, 0.11
# FTS5 merges a level's segments once it holds this many (its default is 4); each batch adds
# one. At 100,000 records the fill took 2.0 s of CPU against 3.0 s with 4 (queries as fast).
AUTOMERGE = 16

_NEW = "SELECT max(id) FROM records WHERE id > (SELECT indexed_through FROM search_index_state)"
_LISTS = ("authors", "keywords", "mesh_terms")


def list_text(column: str) -> str:
    """A JSON list column of records r as its entries joined by "; " (the JSON's quotes and
    escapes would otherwise be indexed: "M\\u00fcller"): how the text view writes them."""
    return (
        f"CASE WHEN json_valid(r.{column}) THEN (SELECT group_concat(j.value, '; ') "
        f"FROM json_each(r.{column}) j) ELSE r.{column} END"
    )


def _list_words(column: str) -> str:
    """The column as the fill reads it: as stored when it is a list of strings with no escape,
    whose words are list_text's, in the same order (json_each was 0.6 s of CPU in a 100,000-
    record fill); else as list_text writes it."""
    c = f"r.{column}"
    plain = (
        f"instr({c}, '\\') = 0 AND ({c} = '[]' OR ({c} GLOB '[[]\"*\"]' AND "
        f"instr(replace(substr({c}, 3, length({c}) - 4), '\", \"', ''), '\"') = 0))"
    )
    return f"CASE WHEN {plain} THEN {c} ELSE {list_text(column)} END"


_TEXTS = ", ".join(_list_words(c) if c in _LISTS else f"r.{c}" for c in COLUMNS)
_FILL = (
    f"INSERT INTO {INDEX_TABLE} (rowid, {', '.join(COLUMNS)}) "
    f"SELECT r.id, {_TEXTS} FROM records r WHERE r.id > ? AND r.id <= ? ORDER BY r.id"
)
FACETS_TABLE = "record_facets"
FACET_COLUMNS = ("year", "pmid", "doi", "publication_types", "mesh_terms", "keywords")
_FACETS = (
    f"INSERT OR REPLACE INTO {FACETS_TABLE} (id, {', '.join(FACET_COLUMNS)}) "
    f"SELECT id, {', '.join(FACET_COLUMNS)} FROM records WHERE id > ? AND id <= ? ORDER BY id"
)


class SearchUnavailable(MetasiftError):
    """This Python's SQLite was built without FTS5, which search needs."""


def fts5_available(db: Database) -> bool:
    """Whether this connection's SQLite can create an FTS5 table (a throwaway one in temp)."""
    try:
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts5_probe USING fts5(x)")
        db.execute("DROP TABLE temp.fts5_probe")
    except sqlite3.OperationalError:
        return False
    return True


def create_index(db: Database) -> None:
    """Create the index table (empty) if FTS5 is there; the caller holds the transaction."""
    if fts5_available(db) and not db[INDEX_TABLE].exists():
        db.execute(
            f"CREATE VIRTUAL TABLE {INDEX_TABLE} USING fts5({', '.join(COLUMNS)}, "
            f"content='{TEXT_VIEW}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        tune_index(db)
        db.execute("UPDATE search_index_state SET indexed_through = 0")


def tune_index(db: Database) -> None:
    """Set the index's merge width (kept in its config table); the caller holds the transaction."""
    db.execute(
        f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}, rank) VALUES ('automerge', ?)", [AUTOMERGE]
    )


def ready_for_search(db: Database, words: bool = True) -> None:
    """Make sure a search can run: the index holds every record and, for a search with words
    in it, FTS5 is there (else SearchUnavailable, saying so) and the word index exists (a
    review migrated by a Python without FTS5 gets it now)."""
    if words and not db[INDEX_TABLE].exists():
        if not fts5_available(db):
            raise SearchUnavailable(
                f"search needs SQLite's FTS5, which this Python's SQLite {sqlite3.sqlite_version} "
                "lacks; install a Python built with it (python.org and most distributions' are)"
            )
        with busy_is_an_error(), db.atomic():
            create_index(db)
    with busy_is_an_error():  # another writer past the busy timeout: "try again", not a crash
        index_new_records(db)


def index_new_records(db: Database, batch: int = BATCH) -> int:
    """Index the records added since the last call, in transactions of `batch` records; how
    many were indexed. Does nothing (and writes nothing) when the index is up to date. Without
    FTS5 only the facets are kept (ready_for_search says so when someone searches words)."""
    if db.execute(_NEW).fetchone()[0] is None:
        return 0
    words = db[INDEX_TABLE].exists()
    done, held = 0, 0.0
    while True:
        if held > HOLD:
            if opened_by_another_process(db):  # a writer may wait; it retries every 0.1 s
                time.sleep(PAUSE)
            held = 0.0
        started = time.monotonic()
        with db.atomic():  # read the mark under the lock: two indexers never index a record twice
            # an index made before AUTOMERGE was set takes it with its first batch
            indexed = _index_batch(db, batch, words, tune=words and not done)
        if indexed is None:
            return done
        done += indexed
        held += time.monotonic() - started


def _index_batch(db: Database, batch: int, words: bool, tune: bool) -> int | None:
    """Index up to `batch` records after the mark and move it on; how many (None if there
    were none). The caller holds the transaction."""
    last = db.execute("SELECT indexed_through FROM search_index_state").fetchone()[0]
    ids = "SELECT id FROM records WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?"
    upto = db.execute(ids, [last, batch - 1]).fetchone()
    end = upto[0] if upto else db.execute("SELECT max(id) FROM records").fetchone()[0]
    if end is None or end <= last:
        return None
    if tune:
        tune_index(db)
    cursor = db.execute(_FACETS, [last, end])
    if words:
        db.execute(_FILL, [last, end])
    db.execute("UPDATE search_index_state SET indexed_through = ?", [end])
    return max(cursor.rowcount, 0)
