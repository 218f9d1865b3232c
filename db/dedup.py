"""Duplicate clusters: the tables deduplication writes and the queries other features read.

Deduplication never deletes or rewrites a record, and never touches screening decisions:
- dedup_pairs: what the machine concluded about a pair (duplicate or doubtful; distinct pairs
  are not stored), kept across runs so an incremental run only compares new records;
- dedup_decisions: a person's same/different verdicts on pairs, append-only events (undo is a
  new event), honoured by every later run;
- dedup_members: the clusters of two or more records as last computed, one row per member;
- dedup_flags: screening decisions to look at again because a split changed their cluster.
The cluster of a record is derived when read (record_clusters), so screening decisions follow
it through merges and splits without being rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlite_utils import Database

from db.errors import MetasiftError, busy_is_an_error
from db.merge_flags import merge_flags, merged_groups
from db.report_flags import report_flags
from db.sources import RECORD_IN_FORCE, removed_any

SAME, DIFFERENT, UNDO = "same", "different", "undo"
PAIR_COLUMNS = ("record_a", "record_b", "outcome", "rule", "score", "run_id")
MEMBER_COLUMNS = ("record_id", "cluster_id", "canonical_id", "how", "rule", "score", "reviewer")

# A record's own database (records.database, db/records.py), else its source's
RECORD_DATABASE = "coalesce(r.database, s.database)"


class PairRow(NamedTuple):
    """A machine verdict on a pair of records (a dedup_pairs row without its run)."""

    record_a: int  # the lower record id
    record_b: int
    outcome: str  # duplicate or doubtful (distinct pairs are not stored)
    rule: str
    score: float | None


class MemberRow(NamedTuple):
    """One record of a cluster of two or more (a dedup_members row)."""

    record_id: int
    cluster_id: int
    canonical_id: int
    how: str  # canonical, rule (an identifier), score, or reviewer
    rule: str | None
    score: float | None
    reviewer: str | None


@dataclass(frozen=True)
class Cluster:
    cluster_id: int
    canonical_id: int
    members: tuple[int, ...]


def cluster_of(db: Database, record_id: int) -> Cluster:
    """The cluster a record belongs to now (itself alone if it has no duplicates)."""
    row = db.execute(
        "SELECT cluster_id, canonical_id FROM dedup_members WHERE record_id = ?", [record_id]
    ).fetchone()
    if row is None:
        if db.execute("SELECT 1 FROM records WHERE id = ?", [record_id]).fetchone() is None:
            raise MetasiftError(f"no record #{record_id} in this review")
        return Cluster(record_id, record_id, (record_id,))
    cluster_id, canonical_id = row
    members = db.execute(
        "SELECT record_id FROM dedup_members WHERE cluster_id = ? ORDER BY record_id",
        [cluster_id],
    )
    return Cluster(cluster_id, canonical_id, tuple(r[0] for r in members))


def cluster_decisions(
    db: Database, record_id: int, stage: str | None = None
) -> list[dict[str, Any]]:
    """Current screening decisions on any record of this record's cluster, oldest first."""
    found = decisions_on(db, cluster_of(db, record_id).members)
    return [d for d in found if stage is None or d["stage"] == stage]


def found_in(db: Database, record_id: int) -> list[str]:
    """The databases that returned this record or a duplicate of it: "PubMed, Embase" (a
    removed source's records left out)."""
    members = cluster_of(db, record_id).members
    in_force = f"AND {RECORD_IN_FORCE} " if removed_any(db) else ""
    rows = db.execute(
        f"SELECT {RECORD_DATABASE} AS db FROM records r JOIN sources s ON s.id = r.source_id "
        f"WHERE r.id IN ({_marks(members)}) {in_force}GROUP BY db ORDER BY min(r.id)",
        list(members),
    )
    return [row[0] for row in rows]


def _marks(values: tuple[int, ...]) -> str:
    return ", ".join("?" for _ in values)


def canonical_ids(db: Database) -> list[int]:
    """The records left once duplicates are removed: one per cluster, in import order."""
    return [
        r[0]
        for r in db.execute(
            "SELECT record_id FROM record_clusters WHERE record_id = canonical_id "
            "ORDER BY record_id"
        )
    ]


def duplicates_removed(db: Database) -> dict[str, int]:
    """PRISMA's "duplicates removed": by the automatic rules and by a person. Records of a
    removed source (`metasift sources remove`) are left out, as from the records identified:
    then each cluster keeps one of its records in force, its canonical one if it can."""
    counts = {"automatic": 0, "manual": 0}
    rows = db.execute(
        "SELECT how = 'reviewer', count(*) FROM dedup_members "
        "WHERE record_id != canonical_id GROUP BY 1"
        if not removed_any(db)
        else "SELECT how = 'reviewer', count(*) FROM ("
        "  SELECT m.how, row_number() OVER (PARTITION BY m.cluster_id"
        "    ORDER BY r.id = m.canonical_id DESC, r.id) AS place"
        f"  FROM records r JOIN dedup_members m ON m.record_id = r.id WHERE {RECORD_IN_FORCE}"
        ") WHERE place > 1 GROUP BY 1"
    )
    for manual, count in rows:
        counts["manual" if manual else "automatic"] = count
    return counts


def open_flags(db: Database) -> list[dict[str, Any]]:
    """Screening decisions to look at again (after a split), oldest first."""
    return list(db.table("dedup_flags").rows_where("resolved_at IS NULL", order_by="id"))


def resolve_flags(db: Database, record_id: int, when: str) -> None:
    with db.atomic():
        db.execute(
            "UPDATE dedup_flags SET resolved_at = ? WHERE record_id = ? AND resolved_at IS NULL",
            [when, record_id],
        )


def last_compared_id(db: Database) -> int:
    """Records up to this id were compared by an earlier run (ids only grow: records are
    never deleted)."""
    row = db.execute("SELECT max(last_record_id) FROM dedup_runs").fetchone()
    return int(row[0] or 0)


def stored_pairs(db: Database) -> Iterator[PairRow]:
    rows = db.execute("SELECT record_a, record_b, outcome, rule, score FROM dedup_pairs")
    yield from map(PairRow._make, rows)


def current_pair_decisions(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM current_dedup_decisions ORDER BY id"))


# What comparing needs of every record, in import order (the first field is the record id).
DEDUP_FIELDS = (
    "id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
    "source_record_id", "database", "format",
)  # fmt: skip


def records_to_compare(db: Database) -> list[tuple[Any, ...]]:
    """Every record of a source in force as a DEDUP_FIELDS tuple, in import order."""
    named = {"format": "s.format", "database": RECORD_DATABASE}
    columns = ", ".join(named.get(f, f"r.{f}") for f in DEDUP_FIELDS)
    return db.execute(
        f"SELECT {columns} FROM records r JOIN sources s ON s.id = r.source_id "
        f"WHERE {RECORD_IN_FORCE} ORDER BY r.id"  # a removed source's records are not compared
    ).fetchall()


def completeness(db: Database, record_ids: list[int]) -> Iterator[tuple[int, str, int, int]]:
    """(id, database, filled fields, abstract length) of these records, for the canonical
    choice: how many of title, abstract, authors, year, journal, volume, issue, pages, DOI
    and PMID are filled."""
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        yield from db.execute(
            f"""
            SELECT r.id, {RECORD_DATABASE},
                   (r.title IS NOT NULL) + (r.abstract IS NOT NULL)
                   + (r.authors NOT IN ('', '[]')) + (r.year IS NOT NULL)
                   + (r.journal IS NOT NULL) + (r.volume IS NOT NULL) + (r.issue IS NOT NULL)
                   + (r.pages IS NOT NULL) + (r.doi IS NOT NULL) + (r.pmid IS NOT NULL),
                   coalesce(length(r.abstract), 0)
            FROM records r JOIN sources s ON s.id = r.source_id
            WHERE r.id IN ({_marks(tuple(chunk))})
            """,
            chunk,
        )


def record_with_source(db: Database, record_id: int) -> dict[str, Any]:
    """A whole record with the database and file it came from."""
    rows = list(
        db.query(
            f"SELECT r.*, {RECORD_DATABASE} AS database, s.file_name FROM records r "
            "JOIN sources s ON s.id = r.source_id WHERE r.id = ?",
            [record_id],
        )
    )
    if not rows:
        raise MetasiftError(f"no record #{record_id} in this review")
    return rows[0]


def decisions_on(db: Database, record_ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """Current screening decisions on these records, oldest first."""
    return list(
        db.query(
            f"SELECT * FROM current_decisions WHERE record_id IN ({_marks(record_ids)}) "
            "ORDER BY id",
            list(record_ids),
        )
    )


def cluster_rows(db: Database) -> Iterator[tuple[Any, ...]]:
    """Per record, in import order: id, database, file, source_record_id, cluster id, whether
    it is canonical, and how it joined (how, rule, score, reviewer), title."""
    yield from db.execute(
        f"""
        SELECT r.id, {RECORD_DATABASE}, s.file_name, r.source_record_id,
               coalesce(m.cluster_id, r.id), coalesce(m.canonical_id, r.id) = r.id,
               m.how, m.rule, m.score, m.reviewer, r.title
        FROM records r JOIN sources s ON s.id = r.source_id
        LEFT JOIN dedup_members m ON m.record_id = r.id
        ORDER BY r.id
        """
    )


def forget_pairs(db: Database) -> None:
    """Drop every machine verdict (a rescan); the caller holds the transaction."""
    db.execute("DELETE FROM dedup_pairs")


def save_pairs(db: Database, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert or replace machine verdicts; the caller holds the transaction."""
    marks = ", ".join("?" for _ in PAIR_COLUMNS)
    db.conn.executemany(
        f"INSERT OR REPLACE INTO dedup_pairs ({', '.join(PAIR_COLUMNS)}) VALUES ({marks})", rows
    )


def demote_pairs(db: Database, pairs: Iterable[tuple[int, int]], rule: str) -> None:
    """Duplicate links the transitivity guard refused become doubtful; caller holds the
    transaction."""
    db.conn.executemany(
        "UPDATE dedup_pairs SET outcome = 'doubtful', rule = ? WHERE record_a = ? AND record_b = ?",
        [(rule, a, b) for a, b in pairs],
    )


def replace_members(db: Database, rows: Iterable[MemberRow]) -> None:
    """Make dedup_members hold exactly these rows, touching only the rows that change (a
    person's verdict moves a few records); the caller holds the transaction."""
    members = list(rows)
    wanted = {row.record_id: tuple(row) for row in members}
    held = {
        row[0]: tuple(row)
        for row in db.execute(f"SELECT {', '.join(MEMBER_COLUMNS)} FROM dedup_members")
    }
    gone = [(record_id,) for record_id in held.keys() - wanted.keys()]
    changed = [row for record_id, row in wanted.items() if held.get(record_id) != row]
    before = {r: int(row[1]) for r, row in held.items()}
    groups = merged_groups(before, {m.record_id: m.cluster_id for m in members})
    flags = merge_flags(db, groups) if groups else []
    flags += report_flags(db, held, wanted)  # study links and full texts on changed reports
    db.conn.executemany("DELETE FROM dedup_members WHERE record_id = ?", gone)
    marks = ", ".join("?" for _ in MEMBER_COLUMNS)
    db.conn.executemany(
        f"INSERT OR REPLACE INTO dedup_members ({', '.join(MEMBER_COLUMNS)}) VALUES ({marks})",
        changed,
    )
    if flags:
        db.table("dedup_flags").insert_all(flags)


def add_pair_decisions(db: Database, rows: Iterable[dict[str, Any]]) -> None:
    with busy_is_an_error(), db.atomic():
        db.table("dedup_decisions").insert_all(rows)
