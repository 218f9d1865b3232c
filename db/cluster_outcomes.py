"""The kept cluster outcomes (db/migrations/m018_cluster_outcomes.py): their queries, and the
decisions and resolutions in force read for a few clusters at a time.

A few clusters' votes are read from the very view text that current_decisions and
current_resolutions were created from, with one more condition inside it (the records of the
clusters asked for), so the rule for which event is in force is written once. SQLite cannot
push a filter on cluster_id into the view's window (it scans every decision: 0.4 s at
100,000 records); a filter on the events' records uses their index. narrowing_holds says
whether the review's views are still those texts; when a later migration redefines a view,
the kept outcomes are rebuilt from the views instead (kept_outcomes.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from db.decisions import FIRST_DECIDED
from db.migrations.m008_decisions_in_force import CURRENT_RESOLUTIONS
from db.migrations.m009_decisions_in_force_plan import CURRENT_DECISIONS
from db.migrations.m018_cluster_outcomes import DIRTY, STATE

OUTCOMES, VOTES = "cluster_outcomes", "cluster_outcome_votes"
OUTCOME_COLUMNS = ("stage", "cluster_id", "record_id", "required", "votes", "state", "verdict")
VOTE_COLUMNS = ("stage", "cluster_id", "reviewer", "verdict", "position")

# the clusters asked for (a JSON list), and every record they hold
WANTED = "SELECT value FROM json_each(:clusters)"
WANTED_RECORDS = (
    f"SELECT record_id FROM dedup_members WHERE cluster_id IN ({WANTED}) UNION ALL {WANTED}"
)


def _narrowed(view: str, anchor: str, record_column: str) -> str:
    if view.count(anchor) != 1:  # the view text changed shape: fix the anchor here
        raise AssertionError(f"{anchor!r} is not once in the view it narrows")
    return view.replace(anchor, f"{anchor} AND {record_column} IN ({WANTED_RECORDS})")


DECISIONS_ON = _narrowed(CURRENT_DECISIONS, "WHERE d.verdict != 'undo'", "d.record_id")
RESOLUTIONS_ON = _narrowed(CURRENT_RESOLUTIONS, "WHERE r.verdict != 'undo'", "r.record_id")
VIEW_TEXTS = {"current_decisions": CURRENT_DECISIONS, "current_resolutions": CURRENT_RESOLUTIONS}


def narrowing_holds(db: Database) -> bool:
    """Whether the review's views are the texts DECISIONS_ON and RESOLUTIONS_ON narrow."""
    return all(
        (db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone() or [""])[0]
        .strip()
        .endswith(text.strip())
        for name, text in VIEW_TEXTS.items()
    )


def votes_in_force(
    db: Database, stage: str, clusters: Sequence[int] | None
) -> Iterator[tuple[Any, ...]]:
    """(cluster id, uuid, reviewer, verdict, reason) of the decisions in force at the stage,
    by cluster, then time and UUID; only on the clusters given, if any."""
    source, params = _source("current_decisions", DECISIONS_ON, stage, clusters)
    return db.execute(
        f"SELECT cluster_id, uuid, reviewer, verdict, reason FROM {source} "
        "ORDER BY cluster_id, created_at, uuid",
        params,
    )


def resolutions_in_force(
    db: Database, stage: str, clusters: Sequence[int] | None
) -> Iterator[tuple[Any, ...]]:
    """(cluster id, uuid, adjudicator, verdict, reason, resolves) of the resolutions in
    force at the stage; only on the clusters given, if any."""
    source, params = _source("current_resolutions", RESOLUTIONS_ON, stage, clusters)
    return db.execute(
        f"SELECT cluster_id, uuid, adjudicator, verdict, reason, resolves FROM {source}", params
    )


def _source(
    view: str, narrowed: str, stage: str, clusters: Sequence[int] | None
) -> tuple[str, dict[str, Any]]:
    if clusters is None:
        return f"{view} WHERE stage = :stage", {"stage": stage}
    where = f"WHERE stage = :stage AND cluster_id IN ({WANTED})"
    return f"({narrowed}) {where}", {"stage": stage, "clusters": json.dumps(list(clusters))}


def kept_fingerprint(db: Database) -> str | None:
    row = db.execute(f"SELECT fingerprint FROM {STATE}").fetchone()
    return row[0] if row else None


def dirty_clusters(db: Database, limit: int) -> list[int]:
    """Up to limit + 1 clusters marked since the outcomes were kept (more: rebuild them)."""
    rows = db.execute(f"SELECT cluster_id FROM {DIRTY} LIMIT ?", [limit + 1])
    return [row[0] for row in rows]


def keep_outcomes(
    db: Database,
    outcomes: Iterable[tuple[Any, ...]],
    votes: Iterable[tuple[Any, ...]],
    clusters: Sequence[int] | None,
    fingerprint: str | None = None,
) -> None:
    """Replace the kept rows of these clusters (None: all) with the rows given, and clear
    their marks (with a fingerprint: every mark, and record it). The caller holds the
    transaction."""
    if clusters is None:
        db.execute(f"DELETE FROM {OUTCOMES}")
        db.execute(f"DELETE FROM {VOTES}")
        db.execute(f"DELETE FROM {DIRTY}")
    else:
        wanted = {"clusters": json.dumps(list(clusters))}
        for table in (OUTCOMES, VOTES, DIRTY):
            db.execute(f"DELETE FROM {table} WHERE cluster_id IN ({WANTED})", wanted)
    _insert(db, OUTCOMES, (*OUTCOME_COLUMNS, "reason"), outcomes)
    _insert(db, VOTES, VOTE_COLUMNS, votes)
    if fingerprint is not None:
        db.execute(f"UPDATE {STATE} SET fingerprint = ?", [fingerprint])


def _insert(
    db: Database, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def forget_kept(db: Database) -> None:
    """Empty the kept outcomes and mark them for a rebuild (a reviewer's copy must not carry
    other reviewers' verdicts in them); the caller holds the transaction."""
    for table in (OUTCOMES, VOTES, DIRTY):
        db.execute(f"DELETE FROM {table}")
    db.execute(f"UPDATE {STATE} SET fingerprint = NULL")


def outcome_tallies(db: Database, stage: str) -> Iterator[tuple[Any, ...]]:
    """(state, verdict, votes, required, clusters) at the stage (grouped in the order of their
    index: no sort)."""
    return db.execute(
        f"SELECT state, verdict, votes, required, count(*) FROM {OUTCOMES} WHERE stage = ? "
        "GROUP BY state, verdict, votes, required",
        [stage],
    )


def kept_cluster_count(db: Database, stage: str) -> int:
    return int(
        db.execute(f"SELECT count(*) FROM {OUTCOMES} WHERE stage = ?", [stage]).fetchone()[0]
    )


def reviewer_tallies(db: Database, stage: str) -> dict[str, int]:
    """reviewer -> clusters of the stage with their decision in force."""
    rows = db.execute(f"SELECT reviewer, count(*) FROM {VOTES} WHERE stage = ? GROUP BY 1", [stage])
    return dict(rows.fetchall())


def vote_patterns(db: Database, stage: str) -> Counter[tuple[tuple[str, str], ...]]:
    """How many clusters of the stage hold each pattern of kept votes, a pattern being the
    (reviewer, verdict) of each vote in the derivation's order (what agreement counts: a
    few patterns, where there are 100,000 clusters)."""
    rows = db.execute(
        "SELECT votes, count(*) FROM (SELECT json_group_array(json_array(position, reviewer, "
        f"verdict)) AS votes FROM {VOTES} WHERE stage = ? GROUP BY cluster_id) GROUP BY votes",
        [stage],
    )
    patterns: Counter[tuple[tuple[str, str], ...]] = Counter()
    for votes, n in rows:  # json_group_array's order is SQLite's choice: sort by position
        patterns[tuple((who, verdict) for _, who, verdict in sorted(json.loads(votes)))] += n
    return patterns


def kept_rows(db: Database) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every kept outcome and vote, sorted: what tests compare with a fresh derivation."""
    outcomes = db.execute(
        f"SELECT {', '.join(OUTCOME_COLUMNS)}, reason FROM {OUTCOMES} ORDER BY stage, cluster_id"
    ).fetchall()
    votes = db.execute(
        f"SELECT {', '.join(VOTE_COLUMNS)} FROM {VOTES} ORDER BY stage, cluster_id, position"
    ).fetchall()
    return outcomes, votes


def settled_in_team_order(db: Database, stage: str) -> tuple[list[str], int, int]:
    """The verdicts of the stage's settled clusters (agreed or resolved) in the order the team
    first decided each (db/decisions.FIRST_DECIDED), the clusters the stage holds, and those
    nobody has decided: what stopping guidance reads."""
    verdicts = [
        row[0]
        for row in db.execute(
            f"SELECT o.verdict FROM {OUTCOMES} o JOIN ({FIRST_DECIDED}) f USING (cluster_id) "
            "WHERE o.stage = :stage AND o.state IN ('agreed', 'resolved') ORDER BY f.first",
            {"stage": stage},
        )
    ]
    total, unscreened = db.execute(
        f"SELECT count(*), count(*) FILTER (WHERE votes = 0) FROM {OUTCOMES} WHERE stage = ?",
        [stage],
    ).fetchone()
    return verdicts, total, unscreened
