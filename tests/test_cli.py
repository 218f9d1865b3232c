"""The CLI as a user meets it: exit codes, messages on the right stream, the review unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from screening.cli import cli
from tests.conftest import FIXTURES


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_init_writes_review_and_protocol(tmp_path: Path) -> None:
    result = invoke("init", tmp_path / "msc", "--title", "MSC for liver cirrhosis")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "msc" / "review.db").exists()
    toml = (tmp_path / "msc" / "review.toml").read_text()
    assert 'title = "MSC for liver cirrhosis"' in toml
    assert "exclusion_reasons" in toml and "version = 2" in toml
    again = invoke("init", tmp_path / "msc")
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_import_status_records_export(tmp_path: Path, review_path: Path) -> None:
    result = invoke(
        "import",
        "--review",
        review_path,
        FIXTURES / "entrez/hawc/efetch_6_records.xml",
        FIXTURES / "ris/asreview_embase.ris",
    )
    assert result.exit_code == 0, result.output
    assert "6 records added from PubMed (pubmed-xml)" in result.stdout
    assert "from Embase (ris)" in result.stdout

    again = invoke("import", "--review", review_path, FIXTURES / "entrez/hawc/efetch_6_records.xml")
    assert again.exit_code == 0
    assert "already imported as source #1" in again.stdout

    status = invoke("status", "--review", review_path, "--json")
    assert status.exit_code == 0
    summary = json.loads(status.stdout)
    assert [s["database"] for s in summary["sources"]] == ["PubMed", "Embase"]
    assert summary["sources"][0]["records"] == 6
    plain = invoke("status", "--review", review_path.parent)
    assert "PubMed" in plain.stdout and "efetch_6_records.xml" in plain.stdout

    records = invoke("records", "--review", review_path, "--json", "--limit", "3")
    rows = json.loads(records.stdout)
    assert len(rows) == 3 and rows[0]["database"] == "PubMed" and rows[0]["pmid"]
    assert "raw" not in rows[0]

    out = tmp_path / "all.ris"
    export = invoke("export", "records", "--review", review_path, "--format", "ris", "-o", out)
    assert export.exit_code == 0, export.output
    assert out.read_text(encoding="utf-8").count("\nER  -") == summary["records"]


def test_truncated_xml_is_a_clean_error(tmp_path: Path, review_path: Path) -> None:
    bad = tmp_path / "cut.xml"
    bad.write_bytes((FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()[:30000])
    result = invoke("import", "--review", review_path, bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: line ")
    assert result.stdout == ""
    status = json.loads(invoke("status", "--review", review_path, "--json").stdout)
    assert status["records"] == 0 and status["sources"] == []


def test_later_file_failing_keeps_earlier_files(tmp_path: Path, review_path: Path) -> None:
    empty = tmp_path / "empty.ris"
    empty.write_text("")
    result = invoke(
        "import", "--review", review_path, FIXTURES / "medline/biopython_pubmed_result2.txt", empty
    )
    assert result.exit_code == 1
    assert "records added" in result.stdout
    assert f"Error: {empty}: the file is empty" in result.stderr


def test_missing_review_says_how_to_start(tmp_path: Path) -> None:
    result = invoke("status", "--review", tmp_path / "none.db")
    assert result.exit_code == 1
    assert "metasift init" in result.stderr


def test_bad_format_choice_is_a_usage_error(review_path: Path) -> None:
    result = invoke(
        "import",
        "--review",
        review_path,
        "--format",
        "endnote",
        FIXTURES / "ris/asreview_embase.ris",
    )
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_malformed_protocol_names_key_and_line(review_path: Path) -> None:
    toml = review_path.with_name("review.toml")
    toml.write_text(toml.read_text().replace("reviewers = []", 'reviewers = "ana"'))
    result = invoke("status", "--review", review_path)
    assert result.exit_code == 1
    assert "screening.reviewers: must be a list of strings" in result.stderr
    assert "line " in result.stderr


def test_csv_column_mapping_option(tmp_path: Path, review_path: Path) -> None:
    sheet = tmp_path / "hand.csv"
    sheet.write_text("Headline,Year\nMSC infusion in cirrhosis,2021\n", encoding="utf-8")
    refused = invoke("import", "--review", review_path, "--format", "csv", sheet)
    assert refused.exit_code == 1
    assert "no title column" in refused.stderr
    mapped = ("--format", "csv", "--column", "title=Headline", "--database", "hand sheet")
    ok = invoke("import", "--review", review_path, *mapped, sheet)
    assert ok.exit_code == 0, ok.output
    rows = json.loads(invoke("records", "--review", review_path, "--json").stdout)
    assert rows[0]["title"] == "MSC infusion in cirrhosis" and rows[0]["year"] == 2021
    bad = invoke("import", "--review", review_path, "--column", "title", sheet)
    assert bad.exit_code == 2


def test_exports_round_trip_through_import(tmp_path: Path, review_path: Path) -> None:
    invoke("import", "--review", review_path, FIXTURES / "ris/asreview_embase.ris")
    before = json.loads(invoke("records", "--review", review_path, "--json").stdout)
    for fmt in ("ris", "bibtex", "csv"):
        out = tmp_path / f"all.{fmt}"
        exported = invoke("export", "records", "--review", review_path, "--format", fmt, "-o", out)
        assert exported.exit_code == 0, exported.output
        assert out.read_bytes().startswith(b"\xef\xbb\xbf") == (fmt == "csv")
        again = tmp_path / f"again-{fmt}"
        invoke("init", again)
        result = invoke("import", "--review", again, out)
        assert result.exit_code == 0, result.output
        after = json.loads(invoke("records", "--review", again, "--json").stdout)
        for a, b in zip(before, after, strict=True):
            assert (a["title"], a["doi"], a["year"], a["authors"]) == (
                b["title"],
                b["doi"],
                b["year"],
                b["authors"],
            )
            if fmt == "ris":  # RIS keeps every normalised field
                keep = ("abstract", "journal", "volume", "pages", "keywords", "issn")
                assert {k: a[k] for k in keep} == {k: b[k] for k in keep}
