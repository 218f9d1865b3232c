"""Full texts: attaching a PDF or link to a report, a folder matched by DOI or PMID, paths
relative to the review folder, opening one, and the old reports table carried over."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from db.connection import open_review
from db.errors import MetasiftError
from db.migrations import MIGRATIONS, migrate
from db.studies import attached_locations
from extraction.studies.opening import open_location, opener_command
from tests.studies_support import MEDLINE, new_review, run, send_to_full_text


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """20 MEDLINE records with DOIs and PMIDs; 1, 2 and 3 sent to full text."""
    path = new_review(tmp_path, MEDLINE)
    send_to_full_text(path, {1: "include", 2: None, 3: "exclude"})
    return path


def identifiers(path: Path, record_id: int) -> tuple[str, str]:
    db = open_review(path)
    doi, pmid = db.execute("SELECT doi, pmid FROM records WHERE id = ?", [record_id]).fetchone()
    db.close()
    return doi, pmid


def full_texts(path: Path) -> dict[int, list[str]]:
    found = json.loads(run(path, "studies", "--json").stdout)
    return {r["record_id"]: r["full_texts"] for s in found for r in s["reports"]}


def test_a_pdf_is_stored_relative_to_the_review_folder_and_found_from_a_copy(
    review: Path, tmp_path: Path
) -> None:
    pdf = review.parent / "pdfs" / "report one.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4\n")
    result = run(review, "fulltext", "attach", "1", str(pdf), "--reviewer", "ana")
    assert result.exit_code == 0, result.output
    assert result.stdout == "#1: attached pdfs/report one.pdf\n"
    again = run(review, "fulltext", "attach", "1", str(pdf), "--reviewer", "ana")
    assert again.stdout == "#1: pdfs/report one.pdf is attached already\n"
    moved = tmp_path / "elsewhere"
    shutil.copytree(review.parent, moved)
    db = open_review(moved / "review.db")
    assert attached_locations(db, 1) == [str(moved / "pdfs" / "report one.pdf")]
    db.close()


def test_a_link_is_stored_as_given_and_bad_targets_are_refused(review: Path) -> None:
    link = "https://doi.org/" + identifiers(review, 3)[0]
    assert run(review, "fulltext", "attach", "3", link, "--reviewer", "ana").exit_code == 0
    assert full_texts(review)[3] == [link]
    missing = run(review, "fulltext", "attach", "1", "nowhere.pdf", "--reviewer", "ana")
    assert missing.exit_code == 1 and missing.stderr == (
        "Error: nowhere.pdf: no such file (give a PDF's path or a link)\n"
    )
    not_report = run(review, "fulltext", "attach", "9", link, "--reviewer", "ana")
    assert not_report.exit_code == 1 and "record #9 is not a report" in not_report.stderr


def test_a_folder_is_matched_by_doi_or_pmid_and_says_what_did_not_match(review: Path) -> None:
    folder = review.parent  # the review's own folder: review.db and review.toml are skipped
    doi1, _ = identifiers(review, 1)
    _, pmid2 = identifiers(review, 2)
    doi9, _ = identifiers(review, 9)  # record 9 is no report: its file matches nothing
    names = [doi1.replace("/", "_") + ".pdf", f"PMID{pmid2} smith.pdf", "notes.txt"]
    for name in [*names, doi9.replace("/", "%2F") + ".pdf"]:
        (folder / name).write_bytes(b"%PDF-1.4\n")
    dry = run(review, "fulltext", "attach", str(folder), "--dry-run", "--reviewer", "ana")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("would attach 2 file(s); 2 matched no report\n")
    assert f"  {names[0]} -> #1 (DOI {doi1})\n" in dry.stdout
    assert f"  {names[1]} -> #2 (PMID {pmid2})\n" in dry.stdout
    assert "  notes.txt: no report's DOI or PMID in its name\n" in dry.stdout
    assert dry.stdout.endswith("1 report(s) still without a full text: #3\n")
    assert full_texts(review) == {1: [], 2: [], 3: []}
    run(review, "fulltext", "attach", str(folder), "--reviewer", "ana")
    assert full_texts(review) == {1: [names[0]], 2: [names[1]], 3: []}
    again = run(review, "fulltext", "attach", str(folder), "--reviewer", "ana")
    assert again.stdout.startswith("attached 0 file(s)")
    assert f"  {names[0]}: attached to #1 already\n" in again.stdout


def test_the_screen_opens_with_the_systems_viewer() -> None:
    assert opener_command("/r/a.pdf", "linux") == ["xdg-open", "/r/a.pdf"]
    assert opener_command("https://doi.org/x", "darwin") == ["open", "https://doi.org/x"]
    assert opener_command("a.pdf", "win32") is None
    ran: list[list[str]] = []
    open_location("/r/a.pdf", lambda command: ran.append(list(command)), "linux")
    assert ran == [["xdg-open", "/r/a.pdf"]]

    def absent(command: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    with pytest.raises(MetasiftError, match="cannot open /r/a.pdf with xdg-open"):
        open_location("/r/a.pdf", absent, "linux")


def test_a_location_the_old_reports_table_held_becomes_an_attachment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr("db.migrations.MIGRATIONS", MIGRATIONS[:9])
    db = open_review(path, create=True)
    db["review"].insert({"id": 1, "uuid": "u", "created_at": "2026-01-01"})
    db["sources"].insert({"id": 1, "kind": "file", "database": "PubMed", "imported_at": "x"})
    db.execute("INSERT INTO record_raw (id, raw) VALUES (1, 'TY  - JOUR')")
    db["records"].insert({"id": 1, "uuid": "r1", "source_id": 1, "position": 1, "raw_id": 1})
    db["reports"].insert({"record_id": 1, "location": "pdfs/a.pdf", "created_at": "2026-01-02"})
    db.conn.commit()
    monkeypatch.setattr("db.migrations.MIGRATIONS", MIGRATIONS)
    migrate(db)
    rows = db.execute("SELECT record_id, location, reviewer, created_at FROM full_texts")
    assert rows.fetchall() == [(1, "pdfs/a.pdf", None, "2026-01-02")]
    with pytest.raises(sqlite3.OperationalError):
        db.execute("SELECT * FROM reports")
    db.close()
