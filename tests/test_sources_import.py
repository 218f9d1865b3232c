"""`metasift import` over several files: each tried and landed whole or refused, the database
named per file, and a file that names none asked about (or refused without a terminal)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from db.connection import open_review
from screening.cli import cli
from tests.conftest import FIXTURES

EMBASE = FIXTURES / "ris/asreview_embase.ris"
UNNAMED = FIXTURES / "ris/asreview_pubmed_zotero.ris"  # no DB tag, no accession numbers
NBIB = FIXTURES / "medline/reflib-node_cancer.nbib"
SCOPUS = FIXTURES / "ris/asreview_scopus.ris"


def _import(review_path: Path, *args: object, stdin: str | None = None) -> Result:
    command = ["import", "--review", str(review_path), *map(str, args)]
    return CliRunner().invoke(cli, command, input=stdin)


def _sources(review_path: Path) -> list[tuple[str, str]]:
    db = open_review(review_path)
    try:
        return [(s["file_name"], s["database"]) for s in db["sources"].rows_where(order_by="id")]
    finally:
        db.close()


def test_every_file_is_tried_and_the_refused_are_named(review_path, tmp_path) -> None:
    empty = tmp_path / "empty.ris"
    empty.write_text("")
    result = _import(review_path, EMBASE, empty, NBIB)
    assert result.exit_code == 1
    assert f"refused: {empty}" in result.stderr and f"landed: {NBIB}" in result.stderr
    assert result.stderr.rstrip().endswith(
        f"Error: 1 file refused ({empty}), nothing of it imported; landed: {EMBASE}, {NBIB}"
    )
    assert _sources(review_path) == [
        ("asreview_embase.ris", "Embase"),
        ("reflib-node_cancer.nbib", "PubMed"),
    ]


def test_a_file_naming_no_database_is_refused_without_a_terminal(review_path) -> None:
    result = _import(review_path, UNNAMED)
    assert result.exit_code == 1
    assert "name it with --database asreview_pubmed_zotero.ris=NAME" in result.stderr
    assert _sources(review_path) == []


def test_a_file_naming_no_database_is_asked_about_on_a_terminal(review_path, monkeypatch) -> None:
    monkeypatch.setattr("screening.cli.imports.has_terminal", lambda: True)
    result = _import(review_path, UNNAMED, stdin="  PubMed \n")
    assert result.exit_code == 0, result.output
    assert "which database did this ris file come from?" in result.stdout
    assert _sources(review_path) == [("asreview_pubmed_zotero.ris", "PubMed")]


def test_database_is_named_per_file(review_path) -> None:
    result = _import(
        review_path, UNNAMED, EMBASE, "--database", "asreview_pubmed_zotero.ris=PubMed",
        "--database", f"{EMBASE}=Embase.com",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _sources(review_path) == [
        ("asreview_pubmed_zotero.ris", "PubMed"),
        ("asreview_embase.ris", "Embase.com"),
    ]


def test_one_name_for_one_file_or_files_of_one_format(review_path) -> None:
    assert _import(review_path, UNNAMED, "--database", "PubMed").exit_code == 0
    both = _import(review_path, EMBASE, SCOPUS, "--database", "Mixed").exit_code
    assert both == 0
    assert [db for _, db in _sources(review_path)] == ["PubMed", "Mixed", "Mixed"]


@pytest.mark.parametrize(
    "names",
    [
        ("Embase",),
        ("Embase", "PubMed"),
        ("asreview_embase.ris=",),
        ("asreview_embse.ris=Embase",),
        ("=Embase",),
        ("asreview_embase.ris=Embase", "asreview_embase.ris=Scopus"),
    ],
    ids=[
        "different formats",
        "two plain names",
        "empty name",
        "a file not given",
        "no file",
        "two names for a file",
    ],
)
def test_ambiguous_database_names_are_usage_errors(review_path, names) -> None:
    options = [part for name in names for part in ("--database", name)]
    result = _import(review_path, EMBASE, NBIB, *options)
    assert result.exit_code == 2 and "--database" in result.stderr
    assert _sources(review_path) == []
