"""cluster_outcomes: every duplicate cluster's outcome per stage, kept as events are written,
so `metasift status` and `metasift agreement` count rows instead of deriving every cluster's
outcome on each read (1.1 s at 100,000 records; the goals are 0.5 s and 1 s).

The tables are derived data, never a second rule: screening/decisions/kept_outcomes.py fills
them with stage_outcomes.stage_states, the one derivation every view uses.
- cluster_outcomes: per stage, each cluster the stage holds, with its outcome;
- cluster_outcome_votes: per stage and cluster, each reviewer's verdict in force (agreement
  and per-reviewer progress read them);
- cluster_outcome_dirty: clusters whose outcome may have changed since it was kept;
- cluster_outcome_state: the fingerprint of what the kept rows were derived under (protocol
  rules, the review's sample seed, the schema, the rule's code); NULL when they must be
  rebuilt.

Which clusters an event touches is marked here, by triggers, so no writer can change an input
without the kept outcomes knowing it, whoever writes (metasift's own code, a future feature,
the sqlite3 shell): a decision or resolution marks its record's cluster and, for an undo, the
cluster of the event it undoes; a record marks itself; a change to dedup_members marks the
clusters and records on both sides of it; removing or restoring a source marks the clusters
of its records. Rewriting or deleting events, or records, which metasift never does in a
review file, marks everything stale (a whole rebuild). A cluster id is the record's
dedup_members cluster or, before deduplication, the record itself (as record_clusters says).

And one index for the rest of `metasift status`: its records per database
(db/sources.database_counts) read from records(database, source_id) alone instead of every
record's row (25 ms against 130 ms at 100,000 records).
"""

from __future__ import annotations

from sqlite_utils import Database

DIRTY, STATE = "cluster_outcome_dirty", "cluster_outcome_state"


def _mark(record_id: str) -> str:
    """The statement marking the cluster of the record that record_id (an SQL expression)
    names."""
    return (
        f"INSERT OR IGNORE INTO {DIRTY} (cluster_id) VALUES (coalesce("
        f"(SELECT cluster_id FROM dedup_members WHERE record_id = {record_id}), {record_id}));"
    )


def _mark_undone(table: str) -> str:
    """The statement marking the cluster of the event NEW undoes, if any."""
    return (
        f"INSERT OR IGNORE INTO {DIRTY} (cluster_id) SELECT coalesce(m.cluster_id, e.record_id) "
        f"FROM {table} e LEFT JOIN dedup_members m ON m.record_id = e.record_id "
        "WHERE e.uuid = NEW.undoes;"
    )


def _ids(*ids: str) -> str:
    return "".join(f"INSERT OR IGNORE INTO {DIRTY} (cluster_id) VALUES ({i});" for i in ids)


STALE = f"UPDATE {STATE} SET fingerprint = NULL;"

TRIGGERS = {
    "decisions": [("AFTER INSERT", _mark("NEW.record_id") + _mark_undone("decisions"))],
    "resolutions": [("AFTER INSERT", _mark("NEW.record_id") + _mark_undone("resolutions"))],
    "records": [
        ("AFTER INSERT", _ids("NEW.id")),
        # what the derivation reads of a record (a rename of its database changes nothing)
        ("AFTER UPDATE OF id, uuid, source_id", STALE),
        ("AFTER DELETE", STALE),
    ],
    "dedup_members": [
        # the record's cluster before an INSERT OR REPLACE moves it (REPLACE fires no delete
        # trigger)
        ("BEFORE INSERT", _mark("NEW.record_id")),
        ("AFTER INSERT", _ids("NEW.cluster_id", "NEW.record_id")),
        (
            "AFTER UPDATE",
            _ids("OLD.cluster_id", "OLD.record_id", "NEW.cluster_id", "NEW.record_id"),
        ),
        ("AFTER DELETE", _ids("OLD.cluster_id", "OLD.record_id")),
    ],
    "source_events": [
        (
            "AFTER INSERT",
            f"INSERT OR IGNORE INTO {DIRTY} (cluster_id) SELECT coalesce(m.cluster_id, r.id) "
            "FROM records r LEFT JOIN dedup_members m ON m.record_id = r.id "
            "WHERE r.source_id = NEW.source_id AND NEW.action IN ('remove', 'restore');",
        ),
        ("AFTER UPDATE", STALE),
        ("AFTER DELETE", STALE),
    ],
}
for _table in ("decisions", "resolutions"):
    TRIGGERS[_table] += [("AFTER UPDATE", STALE), ("AFTER DELETE", STALE)]


def upgrade(db: Database) -> None:
    db.table("cluster_outcomes").create(
        {
            "stage": str,
            "cluster_id": int,  # the lowest record id of the cluster
            "record_id": int,  # the canonical record, the one screens show
            "required": int,  # independent decisions the protocol asks of it
            "votes": int,  # reviewers' decisions in force
            "state": str,  # undecided, pending, conflict, agreed, resolved
            "verdict": str,  # agreed and resolved: the verdict in force
            "reason": str,
        },
        pk=("cluster_id", "stage"),  # by cluster first: a refresh replaces a few clusters
        not_null={"stage", "cluster_id", "record_id", "required", "votes", "state"},
    )
    db.table("cluster_outcome_votes").create(
        {
            "stage": str,
            "cluster_id": int,
            "reviewer": str,
            "verdict": str,
            "position": int,  # in the order the derivation lists them: time, then UUID
        },
        pk=("cluster_id", "stage", "reviewer"),
        not_null={"stage", "cluster_id", "reviewer", "verdict"},
    )
    # status counts a stage's clusters by outcome, and its reviewers' votes, from these alone
    # (no sort: 22 ms against 80 ms at 100,000 clusters)
    db.table("cluster_outcomes").create_index(["stage", "state", "verdict", "votes", "required"])
    db.table("cluster_outcome_votes").create_index(["stage", "reviewer"])
    db.table("records").create_index(["database", "source_id"])
    db.execute(f"CREATE TABLE {DIRTY} (cluster_id INTEGER PRIMARY KEY)")
    db.execute(f"CREATE TABLE {STATE} (fingerprint TEXT)")
    db.execute(f"INSERT INTO {STATE} VALUES (NULL)")  # nothing kept yet: the first read builds
    for table, triggers in TRIGGERS.items():
        for n, (when, body) in enumerate(triggers):
            name = f"cluster_outcomes_{table}_{n}"
            db.execute(f"CREATE TRIGGER {name} {when} ON {table} BEGIN {body} END")
