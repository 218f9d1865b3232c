"""From import to clusters: runs, incremental runs, people's decisions, splits, PRISMA counts."""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.connection import open_review
from db.dedup import (
    DIFFERENT,
    SAME,
    add_pair_decisions,
    canonical_ids,
    cluster_decisions,
    cluster_of,
    duplicates_removed,
    found_in,
    open_flags,
)
from db.errors import MetasiftError
from screening.dedup.canonical import Candidate, DedupSettings, choose_canonical
from screening.dedup.clusters import EXPORT_COLUMNS, export_rows, split_records
from screening.dedup.engine import run_dedup
from screening.dedup.pair_review import DedupReview
from screening.protocol import parse_protocol
from screening.review import init_review
from tests.dedup_support import SAMPLE, TRUTH, cluster_ids, import_csv, record_id

pytest_plugins = ("tests.dedup_fixtures",)

RAINMAKERS = ("DW00392", "DW03597", "DW03921", "DW05229")  # J Appl Psychol 99:504, 4 exports
RAINMAKERS_CORRECTION = "DW03368"  # "Rainmakers ...: Correction to Lee et al. (2014)"


def pair_scores(clusters: dict[str, int]) -> tuple[float, float]:
    """Pairwise precision and recall of the clusters against the sample's group_id."""

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    tp = pairs(Counter((clusters[r], TRUTH[r]) for r in TRUTH))
    return tp / pairs(Counter(clusters[r] for r in TRUTH)), tp / pairs(Counter(TRUTH.values()))


def decide(db: Database, a: int, b: int, verdict: str, reviewer: str = "ana") -> None:
    a, b = min(a, b), max(a, b)
    add_pair_decisions(
        db,
        [
            {
                "uuid": str(uuid.uuid4()),
                "record_a": a,
                "record_b": b,
                "verdict": verdict,
                "reason": None,
                "reviewer": reviewer,
                "undoes": None,
                "created_at": "2026-01-01T00:00:00+00:00",
            }
        ],
    )


def test_a_run_clusters_the_sample_with_no_false_merge(sample_path: Path) -> None:
    db = open_review(sample_path)
    try:
        summary = run_dedup(db)
        clusters = cluster_ids(db)
        precision, recall = pair_scores(clusters)
        assert (summary.records, summary.new_records) == (284, 284)
        assert precision == 1.0
        assert recall == pytest.approx(0.99163, abs=1e-5)  # 0.97490 before issue 18
        assert summary.queue == 3
        assert summary.removed == {"automatic": 130, "manual": 0}
        assert duplicates_removed(db) == summary.removed
        assert len({clusters[r] for r in RAINMAKERS}) == 1
        assert clusters[RAINMAKERS_CORRECTION] != clusters["DW00392"]
    finally:
        db.close()


def test_cluster_keeps_every_record_and_how_it_joined(deduped_db: Database) -> None:
    ids = [record_id(deduped_db, r) for r in RAINMAKERS]
    cluster = cluster_of(deduped_db, ids[0])
    assert cluster.members == tuple(sorted(ids))
    # the canonical record has a DOI: DW05229 (no DOI) is the least complete
    assert cluster.canonical_id != record_id(deduped_db, "DW05229")
    rows = {row[3]: dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in export_rows(deduped_db)}
    assert rows["DW03597"]["decided_by"] == "rule" and rows["DW03597"]["rule"] == "doi"
    assert rows["DW05229"]["decided_by"] == "score"
    assert rows["DW05229"]["rule"] == "title-locator"
    assert rows["DW05229"]["cluster_id"] == cluster.cluster_id
    assert (
        rows["DW00392"]["source"] == "unnamed csv export"
        and rows["DW00392"]["file"] == "sample.csv"
    )
    # a record in no cluster is its own cluster and its own canonical record
    alone = record_id(deduped_db, RAINMAKERS_CORRECTION)
    assert cluster_of(deduped_db, alone).members == (alone,)
    assert rows[RAINMAKERS_CORRECTION]["canonical"] == "yes"
    assert len(canonical_ids(deduped_db)) == 284 - 130


def test_an_incremental_run_compares_only_new_records(tmp_path: Path) -> None:
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8", newline="")))
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    for path, part in ((first, rows[:150]), (second, rows[150:])):
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(part)
    db = open_review(init_review(tmp_path / "review"))
    try:
        import_csv(db, first)
        run_dedup(db)
        import_csv(db, second, database="Embase")
        summary = run_dedup(db)
        assert (summary.records, summary.new_records) == (284, 134)
        # SRA00424 (first file) and SRA04283 (second file): one Chinese paper, found in both
        found = record_id(db, "SRA04283")
        assert record_id(db, "SRA00424") in cluster_of(db, found).members
        assert found_in(db, found) == ["unnamed csv export", "Embase"]
        again = run_dedup(db)
        assert (again.new_records, again.pairs_compared) == (0, 0)
        incremental = cluster_ids(db)
        run_dedup(db, rescan=True)
        assert _partition(cluster_ids(db)) == _partition(incremental)
    finally:
        db.close()


def _partition(clusters: dict[str, int]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for record, cluster in clusters.items():
        groups.setdefault(cluster, set()).add(record)
    return {frozenset(g) for g in groups.values()}


def test_a_persons_different_is_honoured_by_every_later_run(deduped_db: Database) -> None:
    a, b = record_id(deduped_db, "DW00392"), record_id(deduped_db, "DW05229")
    decide(deduped_db, a, b, DIFFERENT)
    run_dedup(deduped_db)
    assert cluster_of(deduped_db, a).cluster_id != cluster_of(deduped_db, b).cluster_id
    run_dedup(deduped_db, rescan=True)
    assert cluster_of(deduped_db, a).cluster_id != cluster_of(deduped_db, b).cluster_id
    assert b not in cluster_of(deduped_db, a).members


def test_the_review_queue_merges_on_same_and_counts_it_as_manual(deduped_db: Database) -> None:
    review = DedupReview(deduped_db, "ana")
    assert len(review.items) == 3
    # a German title and its English translation, Industrielle Beziehungen 27(2):205-226: one
    # article (the labelled set agrees)
    wanted = {record_id(deduped_db, "DW00091"), record_id(deduped_db, "DW02540")}
    while {review.items[0].record_a, review.items[0].record_b} & wanted != wanted:
        review.skip()
    view = review.current()
    assert view is not None and view.item.rule == "translated-title"
    review.decide(SAME)
    a, b = sorted(wanted)
    assert cluster_of(deduped_db, a).cluster_id == cluster_of(deduped_db, b).cluster_id
    assert duplicates_removed(deduped_db)["manual"] >= 1
    assert len(review.items) == 2
    run_dedup(deduped_db, rescan=True)  # the person's verdict outlives a full rescan
    assert cluster_of(deduped_db, a).cluster_id == cluster_of(deduped_db, b).cluster_id


def test_the_review_queue_skips_and_undoes(deduped_db: Database) -> None:
    review = DedupReview(deduped_db, "ana", clock=lambda: "2026-01-01T00:00:00.000+00:00")
    first = review.items[0]
    review.skip()
    assert review.items[-1] == first and review.items[0] != first
    second = review.items[0]
    review.decide(DIFFERENT)
    assert second not in review.items and review.decided == 1
    assert review.undo() == second
    assert review.items[0] == second and review.decided == 0
    verdicts = [r["verdict"] for r in deduped_db["dedup_decisions"].rows_where(order_by="id")]
    assert verdicts == ["different", "undo"]
    assert review.undo() is None
    with pytest.raises(MetasiftError, match="who is deciding"):
        DedupReview(deduped_db, " ")


def test_split_keeps_screening_decisions_and_flags_them(deduped_db: Database) -> None:
    ids = [record_id(deduped_db, r) for r in RAINMAKERS]
    deduped_db["decisions"].insert(
        {
            "uuid": "d-1",
            "record_id": ids[0],
            "reviewer": "ana",
            "stage": "title-abstract",
            "verdict": "include",
            "created_at": "2026-01-01T00:00:00+00:00",
        }
    )
    deduped_db.conn.commit()
    # the decision on one record follows its whole cluster
    assert [d["uuid"] for d in cluster_decisions(deduped_db, ids[3])] == ["d-1"]
    summary = split_records(deduped_db, [ids[3]], "ana")
    assert (summary.clusters, summary.separated, summary.flagged) == (1, 3, 4)
    assert cluster_of(deduped_db, ids[3]).members == (ids[3],)
    assert cluster_of(deduped_db, ids[0]).members == tuple(ids[:3])
    assert cluster_decisions(deduped_db, ids[3]) == []  # nothing rewritten, nothing copied
    assert deduped_db["decisions"].count == 1
    flags = open_flags(deduped_db)
    assert {f["record_id"] for f in flags} == set(ids)
    assert {f["decision_uuid"] for f in flags} == {"d-1"}
    assert "taken out" in flags[0]["detail"] and "ana decided include" in flags[0]["detail"]
    run_dedup(deduped_db, rescan=True)
    assert cluster_of(deduped_db, ids[3]).members == (ids[3],)
    with pytest.raises(MetasiftError, match="not in a cluster"):
        split_records(deduped_db, [ids[3]], "ana")


def test_source_priority_comes_from_the_protocol() -> None:
    protocol = parse_protocol('title = "x"\n[dedup]\nsource_priority = ["Embase", "PubMed"]\n')
    settings = DedupSettings(protocol.source_priority)
    members = [
        Candidate(1, "PubMed", completeness=9, abstract_length=900),
        Candidate(2, "Embase (Ovid)", completeness=6, abstract_length=0),
        Candidate(3, "Scopus", completeness=10, abstract_length=2000),
    ]
    assert choose_canonical(members, settings) == 2
    assert choose_canonical(members, DedupSettings()) == 1  # PubMed first by default
    assert choose_canonical(members, DedupSettings(source_priority=())) == 3  # most complete
    with pytest.raises(MetasiftError, match="line 3: dedup.source_priority: must be a list"):
        parse_protocol('title = "x"\n[dedup]\nsource_priority = "PubMed"\n')


def test_a_merge_of_records_decided_differently_flags_both_decisions(sample_path: Path) -> None:
    db = open_review(sample_path)
    ids = [record_id(db, r) for r in RAINMAKERS[:2]]
    rows = [("d-in", ids[0], "include", "2026-01-01T00:00:00.000+00:00"),
            ("d-out", ids[1], "exclude", "2026-01-02T00:00:00.000+00:00")]  # fmt: skip
    db["decisions"].insert_all(
        {"uuid": u, "record_id": r, "reviewer": "ana", "stage": "title-abstract",
         "verdict": v, "created_at": t}
        for u, r, v, t in rows
    )  # fmt: skip
    db.conn.commit()
    run_dedup(db)
    assert cluster_of(db, ids[0]).members == cluster_of(db, ids[1]).members
    # one decision in force for the merged cluster, the latest, the same in every view
    in_force = db.execute("SELECT uuid FROM current_decisions WHERE reviewer = 'ana'").fetchall()
    assert in_force == [("d-out",)]
    flags = open_flags(db)
    assert {(f["decision_uuid"], f["reason"]) for f in flags} == {
        ("d-in", "merge"),
        ("d-out", "merge"),
    }
    assert "ana had decided them differently" in flags[0]["detail"]
    run_dedup(db, rescan=True)  # nothing merges again: no new flags
    assert len(open_flags(db)) == 2
    db.close()
