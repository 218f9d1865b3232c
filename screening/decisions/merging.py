"""`metasift merge`: reviewers' copies brought back into the main review file.

Every per-person event a copy holds (the tables in event_tables.py) is added to the main file
unless an event with its UUID is already there, so merging the same copy twice adds nothing and
copies merged in any order give the same events. Records are found by their UUID, never by
local id: a copy's ids may differ from the main file's. An event on a record the main file
lacks cannot be placed; it is counted and the record named, never guessed.

A copy is only read: it is opened read-only (a file in WAL mode with no -wal beside it as
immutable, since reading it otherwise would create -wal and -shm files), never migrated, and
only the columns both files have are read, so an older copy merges too. A copy of another
review (its review UUID differs) is refused before anything is merged, and so is a copy
bringing events by someone this review's review.toml never listed (once it lists people): their
votes would count. The main file's protocol stays the authority: a copy's protocol is never
merged, only reported when it differs.

Each copy is merged in one transaction on the main file, with the duplicate clusters rebuilt
in it when the copy brought duplicate verdicts, so no view ever sees half a merge.

An event merged is not always the one in force (a later one already here stays): those
records are counted and the first few named (superseded.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from db.connection import REVIEWER_COPY_ID
from db.errors import MetasiftError
from db.migrations import refuse_newer_schema
from screening.decisions.event_tables import EVENT_TABLES, EventTable
from screening.decisions.kept_outcomes import keep_fresh
from screening.decisions.superseded import IN_FORCE, last_id, superseded_rows
from screening.protocol import Protocol, parse_protocol
from screening.review import DB_NAME, PROTOCOL_NAME

if TYPE_CHECKING:
    from screening.dedup.engine import Prepared

BATCH = 5000  # events read from a copy at a time: memory stays flat whatever its size
# The main file's page cache while merging, in KiB: the records' UUID index and the event
# indexes, looked up in random order, stay in memory (merging two copies of 50,000 decisions
# into 100,000 records took 1.2-1.3 s CPU with it, 1.9-2.2 s with SQLite's default 2 MB)
CACHE_KIB = 16384
MISSING_SHOWN = 5  # records the main file lacks, named in the report
SUPERSEDED_SHOWN = 5  # per person and table: records where an event already here stays in force
INCOMING, MISSING = "temp.merge_incoming", "temp.merge_missing"
SAME_PROTOCOL, EARLIER_PROTOCOL, OTHER_PROTOCOL = "same", "earlier", "other"


@dataclass
class Tally:
    added: int = 0
    present: int = 0  # already in the main file
    unplaceable: int = 0  # on a record the main file lacks
    # records (per stage) where the merged events lost to a later one already here, which
    # stays in force: decisions (the same reviewer's) and resolutions (anyone's)
    superseded: int = 0


@dataclass(frozen=True)
class SupersededEvent:
    """A record and stage where a merged event is not in force: one already here is later."""

    person: str
    table: str
    record_id: int  # the main file's
    stage: str


@dataclass(frozen=True)
class MissingRecord:
    uuid: str
    title: str | None


@dataclass
class CopyMerge:
    """What merging one copy did."""

    path: Path
    protocol: str  # SAME_PROTOCOL, EARLIER_PROTOCOL or OTHER_PROTOCOL: the copy's against ours
    tallies: dict[str, dict[str, Tally]] = field(default_factory=dict)  # person -> table ->
    missing: list[MissingRecord] = field(default_factory=list)  # the first few
    missing_count: int = 0
    superseded: list[SupersededEvent] = field(default_factory=list)  # the first few per person
    reclustered: bool = False
    # people review.toml no longer names (an earlier version did): merged, they still count
    unlisted: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(t.added for tables in self.tallies.values() for t in tables.values())


@dataclass
class Copy:
    """A copy opened read-only and checked against the main file."""

    path: Path
    conn: sqlite3.Connection
    protocol: str


def merge_copies(
    db: Database, protocol: Protocol, main_path: Path, paths: Sequence[Path | str]
) -> list[CopyMerge]:
    """Merge each copy (a review.db, or a folder holding one) into the main file, in order.
    Every copy is checked before any is merged."""
    if db.execute("PRAGMA application_id").fetchone()[0] == REVIEWER_COPY_ID:
        # a copy holds one reviewer's events: others' merged in would unblind them
        raise MetasiftError(
            f"{main_path}: this is a reviewer's copy (`metasift copy`), not the main review; "
            "merge copies into the main review"
        )
    clusters = _Clusters(db, protocol)
    with ExitStack() as stack:
        copies = [stack.enter_context(open_copy(db, main_path, Path(p))) for p in paths]
        former = _refuse_strangers(db, protocol, copies)
        stack.enter_context(_page_cache(db, CACHE_KIB))
        results = [merge_copy(db, protocol, copy, clusters) for copy in copies]
    for result in results:
        result.unlisted = sorted(p for p in result.tallies if p in former)
    return results


def _refuse_strangers(db: Database, protocol: Protocol, copies: Sequence[Copy]) -> set[str]:
    """Refuse the merge when a copy brings events by someone this review's review.toml has
    never listed (a name added to the copy's own review.toml): merged, their votes would
    count. Return the former members among the copies' people: listed by an earlier version
    of the protocol, taken off since, whose events count like those already here. A review
    whose review.toml lists nobody accepts any name, as every command does."""
    if not protocol.people:
        return set()
    listed, former = set(protocol.people), _former_people(db) - set(protocol.people)
    refused = []
    for copy in copies:
        strangers = sorted(_people_with_new_events(db, copy.conn, listed | former))
        if strangers:
            refused.append(f"{copy.path}: holds events by {', '.join(strangers)}")
    if refused:
        raise MetasiftError(
            "; ".join(refused) + ", not listed in this review's review.toml (reviewers: "
            f"{', '.join(protocol.reviewers) or 'none'}; adjudicators: "
            f"{', '.join(protocol.adjudicators) or 'none'}), so their votes would count "
            "unchecked; add them to review.toml's reviewers (or adjudicators) first, then "
            "merge again. Nothing was merged"
        )
    return former


def _former_people(db: Database) -> set[str]:
    """Everyone an earlier version of this review's protocol listed (kept in review.db)."""
    names: set[str] = set()
    for (text,) in db.execute("SELECT toml FROM protocol_versions"):
        try:
            names.update(parse_protocol(text).people)
        except MetasiftError:  # a version this metasift no longer reads: it names nobody
            continue
    return names


def _people_with_new_events(db: Database, source: sqlite3.Connection, known: set[str]) -> set[str]:
    """The people but those known with an event of any table in the copy that the main file
    lacks (by UUID): their events already here (made before review.toml listed anyone, and
    carried back in a settled stage) add nothing."""
    people: set[str] = set()
    for table in EVENT_TABLES:
        if not (_has_table(source, table.name) and db[table.name].exists()):
            continue
        named = f"SELECT DISTINCT {table.who} FROM {table.name} WHERE {table.who} IS NOT NULL"
        for (person,) in source.execute(named).fetchall():
            if person not in known | people and _has_new_events(db, source, table, person):
                people.add(person)
    return people


@contextmanager
def _page_cache(db: Database, kib: int) -> Iterator[None]:
    """The connection's page cache at least this size while the block runs."""
    held = db.execute("PRAGMA cache_size").fetchone()[0]
    held_kib = -held if held < 0 else held * db.execute("PRAGMA page_size").fetchone()[0] // 1024
    db.execute(f"PRAGMA cache_size = -{max(kib, held_kib)}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {held}")


@contextmanager
def open_copy(db: Database, main_path: Path, given: Path) -> Iterator[Copy]:
    """The copy at `given`, open read-only for as long as the block runs, once it is known
    to be a copy of this review."""
    path = given / DB_NAME if given.is_dir() else given
    if not path.is_file():
        raise MetasiftError(f"{given}: no review.db here")
    if path.resolve() == main_path.resolve():
        raise MetasiftError(f"{given}: this is the main review file itself; name a copy")
    conn = _read_only(path)
    try:
        try:
            conn.execute("BEGIN")  # one snapshot of the copy for the whole merge
            _check_same_review(db, conn, given)
            copy = Copy(path, conn, _protocol_state(db, conn, path))
        except sqlite3.DatabaseError as e:
            raise MetasiftError(f"{given}: cannot read it as a metasift review ({e})") from e
        yield copy
    finally:
        conn.close()


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to the copy nor create any file beside it."""
    uri = path.resolve().as_uri() + "?mode=ro"
    with path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(b"SQLite format 3\x00"):
        raise MetasiftError(f"{path}: not a metasift review file")
    if header[18] == 2:  # WAL mode: a main file, not a copy made by `metasift copy`
        if path.with_name(path.name + "-wal").exists():
            raise MetasiftError(
                f"{path}: another program has it open, or it was not closed cleanly (a -wal "
                "file is beside it); close metasift there, or open the review once, then merge"
            )
        uri += "&immutable=1"  # every page is in the file itself
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as e:
        raise MetasiftError(f"{path}: cannot open it ({e})") from e


def _check_same_review(db: Database, conn: sqlite3.Connection, given: Path) -> None:
    refuse_newer_schema(Database(conn, recursive_triggers=False, execute_plugins=False), given)
    if not _has_table(conn, "review"):
        raise MetasiftError(f"{given}: not a metasift review file")
    theirs = conn.execute("SELECT uuid, title FROM review WHERE id = 1").fetchone()
    ours = db.execute("SELECT uuid, title FROM review WHERE id = 1").fetchone()
    if theirs is None or theirs[0] != ours[0]:
        what = f"{theirs[1]!r}, UUID {theirs[0]}" if theirs else "no review UUID"
        raise MetasiftError(
            f"{given}: a copy of another review ({what}), not of this one ({ours[1]!r}, "
            f"UUID {ours[0]}); nothing was merged"
        )


def _protocol_state(db: Database, conn: sqlite3.Connection, path: Path) -> str:
    """SAME_PROTOCOL, EARLIER_PROTOCOL (one this review had before its review.toml changed) or
    OTHER_PROTOCOL (edited in the copy), from the copy's last snapshot and the review.toml
    beside it, if any."""
    latest = "SELECT sha256 FROM protocol_versions ORDER BY id DESC LIMIT 1"
    theirs = {row[0] for row in conn.execute(latest)}
    toml = path.with_name(PROTOCOL_NAME)
    if toml.is_file():  # hashed as the review hashes it on opening
        theirs.add(hashlib.sha256(toml.read_text(encoding="utf-8").encode("utf-8")).hexdigest())
    ours = [row[0] for row in db.execute("SELECT sha256 FROM protocol_versions ORDER BY id")]
    if theirs <= set(ours[-1:]):
        return SAME_PROTOCOL
    return EARLIER_PROTOCOL if theirs <= set(ours) else OTHER_PROTOCOL


def merge_copy(db: Database, protocol: Protocol, copy: Copy, clusters: _Clusters) -> CopyMerge:
    """Add the copy's events the main file lacks, in one transaction."""
    result = CopyMerge(copy.path, copy.protocol)
    tables = [t for t in EVENT_TABLES if _has_table(copy.conn, t.name) and db[t.name].exists()]
    regroup = any(t.changes_clusters and _has_new_events(db, copy.conn, t) for t in tables)
    prepared = clusters.prepared() if regroup else None  # outside the write lock: it is slow
    with db.atomic():
        db.execute(f"CREATE TABLE {MISSING} (uuid TEXT PRIMARY KEY)")
        last_held = {t.name: last_id(db, t.name) for t in tables if t.name in IN_FORCE}
        for table in tables:
            tallies = _merge_table(db, copy.conn, table)
            for person, tally in tallies.items():
                result.tallies.setdefault(person, {})[table.name] = tally
            if prepared and table.changes_clusters and any(t.added for t in tallies.values()):
                result.reclustered = True
        if prepared and result.reclustered:
            clusters.rebuild(prepared)
        _note_missing(db, copy.conn, result)
        for name, held in last_held.items():  # after re-clustering: clusters decide
            _note_superseded(db, name, held, result)
        db.execute(f"DROP TABLE {MISSING}")
        keep_fresh(db, protocol)
    return result


def _merge_table(db: Database, source: sqlite3.Connection, table: EventTable) -> dict[str, Tally]:
    """Stage the copy's events of one table, count them per person, add the new ones."""
    columns = _shared_columns(db, source, table)
    _stage(db, source, table, columns)
    tallies = _tallies(db, table)
    expected = sum(t.added for t in tallies.values())
    ids = [f"m{i}.id" for i in range(len(table.records))]
    if table.ordered_pair:
        ids = [f"min({', '.join(ids)})", f"max({', '.join(ids)})"]
    inserted = db.execute(
        f"INSERT OR IGNORE INTO main.{table.name} ({', '.join((*columns, *table.records))}) "
        f"SELECT {', '.join((*(f's.{c}' for c in columns), *ids))} "
        f"FROM {INCOMING} s {_joins(table, 'JOIN')}"
    ).rowcount
    if inserted != expected:  # a row the main file refused: stop rather than lose it quietly
        raise MetasiftError(
            f"{table.label}: {expected - inserted} of the copy's events could not be written "
            "to the main file; nothing was merged from this copy"
        )
    if table.records:
        db.execute(
            f"INSERT OR IGNORE INTO {MISSING} "
            + " UNION ".join(
                f"SELECT s.ref{i} FROM {INCOMING} s WHERE s.ref{i} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM main.records m WHERE m.uuid = s.ref{i})"
                for i in range(len(table.records))
            )
        )
    db.execute(f"DROP TABLE {INCOMING}")
    return tallies


def _shared_columns(db: Database, source: sqlite3.Connection, table: EventTable) -> list[str]:
    """The event columns both files have, but the local row id and the record ids (mapped)."""
    theirs = {row[1] for row in source.execute(f"PRAGMA table_info({table.name})")}
    skip = {"id", *table.records}
    return [c for c in db[table.name].columns_dict if c in theirs and c not in skip]


def _stage(db: Database, source: sqlite3.Connection, table: EventTable, columns: list[str]) -> None:
    """The copy's events, with the UUIDs of the records they point at, in a temp table of the
    main file's connection, read a batch at a time."""
    refs = [f"ref{i}" for i in range(len(table.records))]
    db.execute(f"CREATE TABLE {INCOMING} ({', '.join((*columns, *refs))})")
    joins = " ".join(
        f"LEFT JOIN records r{i} ON r{i}.id = e.{column}" for i, column in enumerate(table.records)
    )
    selected = [*(f"e.{c}" for c in columns), *(f"r{i}.uuid" for i in range(len(refs)))]
    rows = source.execute(f"SELECT {', '.join(selected)} FROM {table.name} e {joins}")
    insert = f"INSERT INTO {INCOMING} VALUES ({', '.join('?' for _ in selected)})"
    while batch := rows.fetchmany(BATCH):
        db.conn.executemany(insert, batch)


def _joins(table: EventTable, kind: str) -> str:
    """The main file's records the staged events point at, by record UUID."""
    return " ".join(
        f"{kind} main.records m{i} ON m{i}.uuid = s.ref{i}" for i in range(len(table.records))
    )


def _tallies(db: Database, table: EventTable) -> dict[str, Tally]:
    """Per person: events the main file lacks and can place, already holds, cannot place."""
    # a table about studies (no record columns) places every event
    placed = " AND ".join(f"m{i}.id IS NOT NULL" for i in range(len(table.records))) or "1"
    rows = db.execute(
        f"SELECT s.{table.who}, count(*), count(e.uuid), "
        f"sum(e.uuid IS NULL AND NOT ({placed})) "
        f"FROM {INCOMING} s LEFT JOIN main.{table.name} e ON e.uuid = s.uuid "
        f"{_joins(table, 'LEFT JOIN')} GROUP BY s.{table.who}"
    )
    return {
        person: Tally(total - present - unplaceable, present, unplaceable)
        for person, total, present, unplaceable in rows
    }


def _note_missing(db: Database, source: sqlite3.Connection, result: CopyMerge) -> None:
    """How many records the copy's events point at that the main file lacks; the first few
    by UUID and title (the copy's)."""
    result.missing_count = db.execute(f"SELECT count(*) FROM {MISSING}").fetchone()[0]
    shown = [
        r[0]
        for r in db.execute(f"SELECT uuid FROM {MISSING} ORDER BY uuid LIMIT ?", [MISSING_SHOWN])
    ]
    titles = dict(
        source.execute(
            f"SELECT uuid, title FROM records WHERE uuid IN ({', '.join('?' for _ in shown)})",
            shown,
        )
    )
    result.missing = [MissingRecord(u, titles.get(u)) for u in shown]


def _note_superseded(db: Database, table: str, held: int, result: CopyMerge) -> None:
    """Count and name (the first few per person) the records where merged events lost."""
    for person, record_id, stage in superseded_rows(db, table, held):
        tally = result.tallies[person][table]
        if tally.superseded < SUPERSEDED_SHOWN:
            result.superseded.append(SupersededEvent(person, table, record_id, stage))
        tally.superseded += 1


def _has_new_events(
    db: Database, source: sqlite3.Connection, table: EventTable, person: str | None = None
) -> bool:
    """Whether the copy holds an event of this table (by this person, if named) the main
    file lacks (by UUID)."""
    if person is None:
        rows = source.execute(f"SELECT uuid FROM {table.name}")
    else:
        rows = source.execute(f"SELECT uuid FROM {table.name} WHERE {table.who} = ?", [person])
    while batch := [r[0] for r in rows.fetchmany(500)]:
        marks = ", ".join("?" for _ in batch)
        held = db.execute(
            f"SELECT count(*) FROM {table.name} WHERE uuid IN ({marks})", batch
        ).fetchone()[0]
        if held < len(batch):
            return True
    return False


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])
    return found.fetchone() is not None


class _Clusters:
    """Rebuilding the duplicate clusters after duplicate verdicts arrive: the records' keys are
    read once (slow for a large review), however many copies bring verdicts."""

    def __init__(self, db: Database, protocol: Protocol) -> None:
        self.db, self.protocol = db, protocol
        self._prepared: Prepared | None = None

    def prepared(self) -> Prepared:
        from screening.dedup.engine import prepare  # comparison libraries: only when needed

        if self._prepared is None:
            self._prepared = prepare(self.db)
        return self._prepared

    def rebuild(self, prepared: Prepared) -> None:
        from screening.dedup.canonical import DedupSettings
        from screening.dedup.engine import recluster

        recluster(self.db, prepared, DedupSettings(self.protocol.source_priority))
