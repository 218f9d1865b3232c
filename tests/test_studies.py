"""Reports and studies: which clusters are reports, study UUIDs, links, suggestions, and the
studies extraction works on (extraction/studies, `metasift studies`)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from db.connection import open_review
from db.studies import links_in_force
from extraction.studies.grouping import find_study, included_studies, read_studies
from extraction.studies.suggestions import registrations
from screening.decisions.reports import full_text_reports
from screening.review import load_review
from tests.conftest import FIXTURES
from tests.studies_support import REGISTRATIONS, decide, new_review, run, send_to_full_text

BLUE_LIGHT = FIXTURES / "medline" / "reflib_blue-light.nbib"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """Records 1-4 of the registrations fixture: 1, 2 and 4 sent to full text (1 and 4
    included there, 2 excluded); 3 excluded at title/abstract, so not a report."""
    path = new_review(tmp_path)
    send_to_full_text(path, {1: "include", 2: "exclude", 4: "include"})
    db = open_review(path)
    decide(db, 3, "title-abstract", "exclude")
    db.close()
    return path


def studies_json(path: Path) -> list[dict]:
    result = run(path, "studies", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_report_sought_is_a_study_of_its_own_with_a_derived_uuid(review: Path) -> None:
    found = studies_json(review)
    assert [[r["record_id"] for r in s["reports"]] for s in found] == [[1], [2], [4]]
    assert [s["included"] for s in found] == [True, False, True]
    with load_review(review) as opened:
        review_uuid = opened.db.execute("SELECT uuid FROM review").fetchone()[0]
        first = opened.db.execute("SELECT uuid FROM records WHERE id = 1").fetchone()[0]
    assert found[0]["uuid"] == str(uuid.uuid5(uuid.UUID(review_uuid), first))
    assert found[1]["reports"][0]["verdict"] == "exclude"  # excluded reports are reports too


def test_a_link_groups_reports_and_included_studies_lists_the_study(review: Path) -> None:
    result = run(review, "studies", "link", "2", "--to", "1", "--reviewer", "ana")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("#2 is now in ") and "with #1" in result.stdout
    found = studies_json(review)
    assert [[r["record_id"] for r in s["reports"]] for s in found] == [[1, 2], [4]]
    with load_review(review) as opened:
        included = included_studies(opened.db, full_text_reports(opened.db, opened.protocol))
        link = next(iter(links_in_force(opened.db).values()))
    assert [(s.uuid, s.record_ids) for s in included] == [
        (found[0]["uuid"], (1, 2)),
        (found[1]["uuid"], (4,)),
    ]
    assert (link.record_id, link.reviewer, link.target) == (2, "ana", found[0]["uuid"])
    again = run(review, "studies", "link", "2", "--to", found[0]["uuid"][:8], "--reviewer", "ana")
    assert again.exit_code == 0 and "already in" in again.stdout


def test_unlink_makes_the_report_its_own_study_again(review: Path) -> None:
    before = studies_json(review)
    run(review, "studies", "link", "2", "--to", "1", "--reviewer", "ana")
    refused = run(review, "studies", "unlink", "1", "--reviewer", "ana")
    assert refused.exit_code == 1 and "unlink the others (#2)" in refused.stderr
    result = run(review, "studies", "unlink", "2", "--reviewer", "ana")
    assert result.exit_code == 0, result.output
    assert [s["uuid"] for s in studies_json(review)] == [s["uuid"] for s in before]
    again = run(review, "studies", "unlink", "2", "--reviewer", "ana")
    assert "#2 is already a study of its own (" in again.stdout
    assert again.stdout.rstrip().endswith("nothing changed")


def test_a_new_study_keeps_the_reports_own_uuid_as_an_alias(review: Path) -> None:
    own = studies_json(review)[1]["uuid"]
    run(review, "studies", "link", "2", "--to", "1", "--reviewer", "ana")
    result = run(review, "studies", "link", "2", "--new", "--reviewer", "ana")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("#2 is now in ") and result.stdout.rstrip().endswith("own")
    moved = studies_json(review)[1]
    assert moved["uuid"] != own and own in moved["aliases"]
    with load_review(review) as opened:
        found = read_studies(opened.db, full_text_reports(opened.db, opened.protocol))
    assert find_study(found, own).uuid == moved["uuid"]  # values saved under it still find it


def test_new_on_a_report_alone_in_its_study_changes_nothing(review: Path) -> None:
    """A second --new used to move the report to yet another UUID, hiding every value saved
    under the first (only derived UUIDs are aliases)."""
    run(review, "studies", "link", "2", "--to", "1", "--reviewer", "ana")
    run(review, "studies", "link", "2", "--new", "--reviewer", "ana")
    first = studies_json(review)[1]["uuid"]
    again = run(review, "studies", "link", "2", "--new", "--reviewer", "ana")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("#2 is already a study of its own (")
    assert again.stdout.rstrip().endswith("nothing changed")
    assert studies_json(review)[1]["uuid"] == first
    alone = run(review, "studies", "link", "4", "--new", "--reviewer", "ana")
    assert "#4 is already a study of its own" in alone.stdout


def test_link_refuses_a_record_that_is_not_a_report(review: Path) -> None:
    result = run(review, "studies", "link", "3", "--to", "1", "--reviewer", "ana")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: record #3 is not a report")
    missing = run(review, "studies", "link", "999", "--to", "1", "--reviewer", "ana")
    assert missing.exit_code == 1 and "no such record, or" in missing.stderr
    assert run(review, "studies", "link", "2", "--reviewer", "ana").exit_code == 2
    unknown = run(review, "studies", "link", "2", "--to", "no such study", "--reviewer", "ana")
    assert unknown.exit_code == 1 and "no study by that name" in unknown.stderr


def test_reports_sharing_a_registration_number_are_suggested(tmp_path: Path) -> None:
    path = new_review(tmp_path)
    send_to_full_text(path, {1: "include", 2: "include", 3: None, 4: "include"})
    result = run(path, "studies", "suggest", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "record_ids": [1, 2],
            "labels": [_label(path, 1), _label(path, 2)],
            "reason": "NCT01282190",
        },
        {
            "record_ids": [3, 4],
            "labels": [_label(path, 3), _label(path, 4)],
            "reason": "NCT00548015",
        },
    ]
    run(path, "studies", "link", "4", "--to", "3", "--reviewer", "ana")
    listing = run(path, "studies").stdout
    assert listing.startswith("3 studies from 4 reports; 3 with an included report")
    assert "Suggested links (1):" in listing
    assert "NCT00548015" not in listing.split("Suggested links")[1]


def _label(path: Path, record_id: int) -> str:
    found = studies_json(path)
    return next(s["label"] for s in found if s["reports"][0]["record_id"] == record_id)


def test_registration_numbers_are_found_and_written_one_way() -> None:
    text = REGISTRATIONS.read_text(encoding="utf-8")
    assert registrations(text) == {"NCT01282190", "NCT00548015"}
    assert registrations("ChiCTR-TRC-12002345; chictr2000029559") == {
        "ChiCTRTRC12002345",
        "ChiCTR2000029559",
    }
    assert registrations("EudraCT 2004-000446-20 and ISRCTN42122561") == {
        "2004-000446-20",
        "ISRCTN42122561",
    }


def test_a_first_author_and_title_words_are_suggested(tmp_path: Path) -> None:
    path = new_review(tmp_path, BLUE_LIGHT)
    send_to_full_text(path, {21: "include", 25: "include", 23: "include", 70: "exclude"})
    result = run(path, "studies", "suggest", "--json")
    assert result.exit_code == 0, result.output
    assert [(s["record_ids"], s["reason"]) for s in json.loads(result.stdout)] == [
        ([21, 25], "first author Wheeland and title words")  # 23 and 70: Gold, other topics
    ]
