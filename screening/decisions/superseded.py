"""Merged events that are not in force: a reviewer who decided a record in the main file
after deciding it in their copy keeps the later decision (the rule of the current_decisions
view, by time), and an adjudicator's later resolution stays in force over a merged one.
merging.py counts and names those records, so nobody takes the merged verdict for the one
that counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from db.cluster_outcomes import DECISIONS_ON, RESOLUTIONS_ON, narrowing_holds
from screening.decisions.event_tables import EVENT_TABLES

EVENT_TABLE_BY_NAME = {t.name: t for t in EVENT_TABLES}


@dataclass(frozen=True)
class _InForce:
    """Which of a table's events is in force: its view, the view's text narrowed to the
    records of some clusters (db/cluster_outcomes.py), and the column of the person whose
    events compete (None: everyone's, as an adjudicator's resolution replaces another's)."""

    view: str
    narrowed: str
    who: str | None


IN_FORCE = {
    "decisions": _InForce("current_decisions", DECISIONS_ON, "reviewer"),
    "resolutions": _InForce("current_resolutions", RESOLUTIONS_ON, None),
}


def last_id(db: Database, table: str) -> int:
    """The highest row id of a table: every row merged after this has a higher one."""
    return int(db.execute(f"SELECT coalesce(max(id), 0) FROM main.{table}").fetchone()[0])


def superseded_rows(db: Database, table: str, held: int) -> list[tuple[str, int, str]]:
    """(person, record id, stage), one per cluster and stage, where the events merged (rows
    after `held`) that stand (neither an undo nor undone) lost to an event that was already
    here: that one is in force. One SQL pass over the merged rows and the view in force,
    narrowed to their clusters."""
    rule, who = IN_FORCE[table], EVENT_TABLE_BY_NAME[table].who
    same_person = f"AND f.{rule.who} = s.who" if rule.who else ""
    standing = (
        f"SELECT e.{who} AS who, e.record_id, e.stage, "
        "coalesce(m.cluster_id, e.record_id) AS cluster_id "
        f"FROM main.{table} e LEFT JOIN main.dedup_members m ON m.record_id = e.record_id "
        f"WHERE e.id > :held AND e.verdict != 'undo' "
        f"AND NOT EXISTS (SELECT 1 FROM main.{table} u WHERE u.undoes = e.uuid)"
    )
    clusters = db.execute(
        f"SELECT json_group_array(DISTINCT cluster_id) FROM ({standing})", {"held": held}
    ).fetchone()[0]
    if clusters == "[]":
        return []
    in_force = rule.narrowed if narrowing_holds(db) else f"SELECT * FROM {rule.view}"
    rows = db.execute(
        f"SELECT s.who, min(s.record_id), s.stage FROM ({standing}) s JOIN ({in_force}) f "
        f"ON f.cluster_id = s.cluster_id AND f.stage = s.stage {same_person} "
        "WHERE f.id <= :held GROUP BY s.who, s.cluster_id, s.stage ORDER BY 1, 2, 3",
        {"held": held, "clusters": clusters},
    )
    return [(str(person), int(record_id), str(stage)) for person, record_id, stage in rows]
