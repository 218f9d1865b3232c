"""Sources: rename, remove and restore, each an audited event, and the views that leave a
removed source's records out (screening, dedup, PRISMA's counts)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.connection import open_review
from db.decisions import record_decisions
from db.dedup import MemberRow, replace_members
from db.errors import MetasiftError
from db.source_events import rename_source, set_source_removed, source_history
from db.sources import cluster_count, database_counts, source_counts
from screening.cli import cli
from screening.decisions.session import ScreeningSession
from screening.decisions.stage_outcomes import stage_states
from screening.dedup.engine import prepare
from screening.importing import import_file
from screening.review import load_review
from tests.conftest import FIXTURES
from tests.screening_fixtures import make_review

# records 1-6, 7-8, 9, 10; all PubMed XML


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "review")


def _invoke(*args: object) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_removed_source_leaves_screening_and_comes_back_with_its_decisions(review) -> None:
    decision = {"uuid": str(uuid.uuid4()), "record_id": 7, "reviewer": "ana",
                "stage": "title-abstract", "verdict": "include",
                "created_at": "2026-01-01T00:00:00.000+00:00"}  # fmt: skip
    with load_review(review) as r:
        record_decisions(r.db, [decision])
        before = stage_states(r.db, r.protocol, "title-abstract")
        set_source_removed(r.db, 2, True, "ana")
        removed = stage_states(r.db, r.protocol, "title-abstract")
        set_source_removed(r.db, 2, False, "ben")
        restored = stage_states(r.db, r.protocol, "title-abstract")
        kept = r.db["decisions"].count
    assert sorted(before) == list(range(1, 11))
    assert sorted(removed) == [1, 2, 3, 4, 5, 6, 9, 10]
    assert restored == before
    assert restored[7].votes[0].verdict == "include" and kept == 1


def test_a_cluster_with_a_record_in_force_stays_in_screening(review) -> None:
    with load_review(review) as r:
        with r.db.atomic():  # record 7 (source 2) is canonical for 7 and 1 (source 1)
            replace_members(r.db, [MemberRow(7, 7, 7, "canonical", None, None, None),
                                   MemberRow(1, 7, 7, "rule", "doi", None, None)])  # fmt: skip
        set_source_removed(r.db, 2, True, "ana")
        states = stage_states(r.db, r.protocol, "title-abstract")
    assert 7 in states and 8 not in states


def test_removed_source_leaves_dedup(review) -> None:
    db = open_review(review)
    try:
        assert len(prepare(db).keys) == 10
        set_source_removed(db, 1, True, "ana")
        assert len(prepare(db).keys) == 4
    finally:
        db.close()


def test_removed_source_leaves_prisma_counts(review) -> None:
    db = open_review(review)
    try:
        set_source_removed(db, 1, True, "ana")
        assert [s["id"] for s in source_counts(db)] == [2, 3, 4]
        assert database_counts(db) == [{"database": "PubMed", "records": 4, "sources": 3}]
        assert cluster_count(db) == 4
    finally:
        db.close()


def test_every_change_is_an_event_and_nothing_is_deleted(review) -> None:
    db = open_review(review)
    try:
        set_source_removed(db, 3, True, "ana")
        with pytest.raises(MetasiftError, match="already removed"):
            set_source_removed(db, 3, True, "ana")
        rename_source(db, 3, "MEDLINE", "ben")
        events = [(e["source_id"], e["reviewer"], e["action"], e["old_value"], e["new_value"])
                  for e in source_history(db)]  # fmt: skip
        assert events == [(3, "ana", "remove", None, None),
                          (3, "ben", "rename", "PubMed", "MEDLINE")]  # fmt: skip
        assert db["records"].count == 10 and db["sources"].count == 4
        with pytest.raises(MetasiftError, match="no source #9"):
            rename_source(db, 9, "X", "ana")
    finally:
        db.close()


def test_rename_fixes_records_that_took_the_sources_name_only(review_db) -> None:
    # the Zotero RIS names no database: its records took the name the user gave
    given = import_file(review_db, FIXTURES / "ris/asreview_pubmed_zotero.ris", database="Embase")
    # the Cochrane RIS records carry CENTRAL accession numbers: their own database
    own = import_file(review_db, FIXTURES / "ris/cff_baseline_cochrane_endnote.ris")
    assert rename_source(review_db, given.source_id, "PubMed", "ana") == given.added
    assert rename_source(review_db, own.source_id, "Cochrane Library", "ana") == 0
    named = review_db.execute(
        "SELECT source_id, database, count(*) FROM records GROUP BY 1, 2 ORDER BY 1"
    ).fetchall()
    assert named == [(1, "PubMed", given.added), (2, "Cochrane CENTRAL", own.added)]
    assert review_db["sources"].get(2)["database"] == "Cochrane Library"


def test_cli_lists_renames_removes_and_restores(review) -> None:
    listed = _invoke("sources", "--review", review, "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert rows[0] | {"imported": ""} == {
        "id": 1, "database": "PubMed", "file_or_query": "efetch_6_records.xml",
        "records": 6, "imported": "", "state": "in force",
    }  # fmt: skip
    removed = _invoke("sources", "remove", "1", "--review", review, "--reviewer", "ana")
    assert removed.exit_code == 0 and "removed" in removed.stdout
    assert json.loads(_invoke("sources", "--review", review, "--json").stdout)[0]["state"] == (
        "removed"
    )
    again = _invoke("sources", "remove", "1", "--review", review, "--reviewer", "ana")
    assert again.exit_code == 1 and "already removed" in again.stderr
    renamed = _invoke("sources", "rename", "2", "MEDLINE", "--review", review, "--reviewer", "ben")
    assert renamed.stdout == "source #2: PubMed -> MEDLINE; 2 records renamed\n"
    same = _invoke("sources", "rename", "2", "MEDLINE", "--review", review, "--reviewer", "ben")
    assert same.exit_code == 1 and "already named MEDLINE; nothing changed" in same.stderr
    escape = _invoke("sources", "rename", "2", "a\x1b[2Jb", "--review", review, "--reviewer", "ben")
    assert escape.exit_code == 1 and "cannot hold control characters" in escape.stderr
    restored = _invoke("sources", "restore", "1", "--review", review, "--reviewer", "ana")
    assert restored.exit_code == 0


def test_an_adjudicator_may_change_a_source(review) -> None:
    toml = review.parent / "review.toml" if review.is_file() else review / "review.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("reviewers = [", 'adjudicators = ["cleo"]\nreviewers = ['))
    renamed = _invoke("sources", "rename", "2", "MEDLINE", "--review", review, "--reviewer", "cleo")
    assert renamed.exit_code == 0, renamed.output


def test_cli_checks_who_is_asking(review) -> None:
    stranger = _invoke("sources", "remove", "1", "--review", review, "--reviewer", "zed")
    assert stranger.exit_code == 1 and "not one of review.toml's people" in stranger.stderr
    nobody = _invoke("sources", "remove", "1", "--review", review)
    assert nobody.exit_code == 1 and "--reviewer" in nobody.stderr


def test_prisma_arithmetic_holds_after_a_source_is_removed(review) -> None:
    """A cluster across a removed and a kept source: its removed record is neither identified
    nor a duplicate removed, so records screened = identified - duplicates still holds."""
    db = open_review(review)
    try:
        members = [MemberRow(r, 1, 1, "auto", None, None, "test") for r in (1, 7)]
        with db.atomic():
            replace_members(db, members)  # record 1 (source 1) and 7 (source 2): one paper
        set_source_removed(db, 1, True, "ana")
    finally:
        db.close()
    got = _invoke("prisma", "--json", "--review", review)
    assert got.exit_code == 0, got.output
    counts = json.loads(got.stdout)
    sums = [c for c in counts["checks"] if "has an outcome" not in c["name"]]  # unscreened
    assert all(c["holds"] for c in sums), sums
    assert "source #1 (" in got.stderr and "is removed" in got.stderr
    assert counts["database_results"] == 4 and counts["duplicates"] == 0
    assert counts["records_screened"] == 4


def test_exports_and_the_record_list_leave_a_removed_source_out(review) -> None:
    """Status, screening and PRISMA count the records in force; so do the exports: a cluster
    whose canonical record's source is removed keeps its first record in force."""
    with load_review(review) as r:
        with r.db.atomic():  # record 7 (source 2) is canonical for 7 and 1 (source 1)
            replace_members(r.db, [MemberRow(7, 7, 7, "canonical", None, None, None),
                                   MemberRow(1, 7, 7, "rule", "doi", None, None)])  # fmt: skip
        set_source_removed(r.db, 2, True, "ana")

    def exported(*options: str) -> list[tuple[str, str, str]]:
        got = _invoke("export", "records", "--format", "csv", "--review", review, *options)
        assert got.exit_code == 0, got.output
        rows = list(csv.DictReader(io.StringIO(got.stdout.lstrip("\ufeff"))))
        return [(row["record_id"], row["cluster_id"], row["canonical"]) for row in rows]

    everything = exported()
    assert [row[0] for row in everything] == ["1", "2", "3", "4", "5", "6", "9", "10"]
    assert everything[0] == ("1", "7", "1")  # its cluster's record in force
    assert [row[0] for row in exported("--deduplicated")] == [row[0] for row in everything]
    listed = _invoke("records", "--review", review, "--json")
    assert [row["id"] for row in json.loads(listed.stdout)] == [1, 2, 3, 4, 5, 6, 9, 10]
    _invoke("sources", "restore", "2", "--review", review, "--reviewer", "ana")
    restored = exported("--deduplicated")
    assert ("7", "7", "1") in restored and "1" not in [row[0] for row in restored]


def test_the_screen_leaves_a_removed_source_out_as_status_does(review) -> None:
    """With no one else's decisions the screen's list is the reviewer's own (not the team's
    stage_states): it too keeps the clusters with a record in force, named by canonical."""
    with load_review(review) as r:
        with r.db.atomic():  # record 7 (source 2) is canonical for 7 and 1 (source 1)
            replace_members(r.db, [MemberRow(7, 7, 7, "canonical", None, None, None),
                                   MemberRow(1, 7, 7, "rule", "doi", None, None)])  # fmt: skip
            rename_source(r.db, 2, "Embase", "ana")  # so the cluster was found in two
        before = ScreeningSession(r.db, r.protocol, "ana")
        shown_before = before.record(7)
        set_source_removed(r.db, 2, True, "ana")
        session = ScreeningSession(r.db, r.protocol, "ana")
        states = stage_states(r.db, r.protocol, "title-abstract")
        shown = session.record(7)
        titles = dict(r.db.execute("SELECT id, title FROM records WHERE id IN (1, 7)"))
        files = dict(r.db.execute("SELECT id, database || ' (' || file_name || ')' FROM sources"))
    assert list(before.pool) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert list(session.pool) == [2, 3, 4, 5, 6, 7, 9, 10] == sorted(states)
    assert session.counts().total == 8
    # the cluster keeps its name (decisions are on 7) but shows its record in force, 1
    assert shown_before.citation.title == titles[7] and titles[1] != titles[7]
    assert (shown.id, shown.uuid) == (7, shown_before.uuid)
    assert shown.citation.title == titles[1]
    assert (shown_before.found_in, shown.found_in) == ((files[2], "PubMed"), (files[1],))
