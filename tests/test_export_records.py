"""`metasift export records`: formats, the identity columns, the selections (search,
deduplicated set, a stage's outcome) and standard output by default; `export decisions` too."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db.connection import open_review
from screening.decisions.session import ScreeningSession
from screening.export.csv import IDENTITY_COLUMNS
from screening.review import load_review
from tests.dedup_support import copy_template, templates
from tests.screening_fixtures import make_review
from tests.test_cli import invoke


@pytest.fixture
def review_file(tmp_path: Path) -> Path:
    return make_review(tmp_path / "rev")


def sheet(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def exported(review_file: Path, *args: str) -> str:
    result = invoke("export", "records", "--review", review_file, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_starts_with_each_records_identity(review_file: Path) -> None:
    rows = sheet(exported(review_file, "--format", "csv"))
    assert list(rows[0])[: len(IDENTITY_COLUMNS)] == list(IDENTITY_COLUMNS)
    db = open_review(review_file)
    try:
        expected = db.execute(
            "SELECT r.id, r.uuid, r.database, s.file_name FROM records r "
            "JOIN sources s ON s.id = r.source_id ORDER BY r.id"
        ).fetchall()
    finally:
        db.close()
    got = [(int(r["record_id"]), r["record_uuid"], r["database"], r["source_file"]) for r in rows]
    assert got == expected
    assert all(r["cluster_id"] == r["record_id"] and r["canonical"] == "1" for r in rows)


def test_deduplicated_keeps_one_canonical_record_per_cluster(tmp_path: Path) -> None:
    review_file = copy_template(templates()[True], tmp_path)
    every = sheet(exported(review_file, "--format", "csv"))
    kept = sheet(exported(review_file, "--format", "csv", "--deduplicated"))
    clusters = {r["cluster_id"] for r in every}
    assert len(kept) == len(clusters) < len(every)
    assert all(r["canonical"] == "1" for r in kept)
    assert {r["cluster_id"] for r in kept} == clusters
    assert sum(r["canonical"] == "0" for r in every) == len(every) - len(clusters)


def test_stage_and_verdict_select_by_the_stage_outcome(review_file: Path) -> None:
    with load_review(review_file) as review:
        session = ScreeningSession(review.db, review.protocol, "ana", "title-abstract")
        for verdict in ("include", "exclude", "include", "maybe"):  # records 1 to 4
            session.decide(verdict)
    args = ("--format", "ris", "--stage", "title-abstract", "--verdict")
    assert exported(review_file, *args, "include").count("ER  - ") == 2
    assert exported(review_file, *args, "maybe").count("ER  - ") == 1
    both = exported(review_file, *args, "include", "--search", "genomic*")
    assert both.count("ER  - ") == 1 and "TI  - Genomic loss of microRNA-101" in both
    alone = invoke(
        "export", "records", "--review", review_file, "--format", "ris", "--stage", "full-text"
    )
    assert alone.exit_code == 2 and "go together" in alone.stderr


def test_search_and_where_are_one_option(review_file: Path) -> None:
    by_search = exported(review_file, "--format", "bibtex", "--search", "rats -year:2013")
    assert by_search == exported(review_file, "--format", "bibtex", "--where", "rats -year:2013")
    assert by_search.count("\n@") + by_search.startswith("@") == 2
    broken = invoke("export", "records", "--review", review_file, "--format", "csv", "--where", "(")
    assert broken.exit_code == 2 and broken.stdout == ""


def test_xlsx_holds_the_csv_rows_with_formulas_neutralised(
    review_file: Path, tmp_path: Path
) -> None:
    db = open_review(
        review_file
    )  # a title a spreadsheet would run, written as an old file may hold it
    with db.atomic():
        db.execute('UPDATE records SET title = \'=HYPERLINK("http://x","y")\' WHERE id = 2')
    db.close()
    out = tmp_path / "records.xlsx"
    result = invoke("export", "records", "--review", review_file, "--format", "xlsx", "-o", out)
    assert result.exit_code == 0 and "10 records written" in result.stderr
    rows = list(load_workbook(out, read_only=True)["records"].values)
    assert [list(r) for r in rows] == [
        [None if c == "" else c for c in row] for row in _csv_as_xlsx(review_file)
    ]
    assert rows[2][6] == '\'=HYPERLINK("http://x","y")'


def _csv_as_xlsx(review_file: Path) -> list[list[object]]:
    """The CSV export's rows with the numbers the workbook keeps as numbers."""
    reader = csv.reader(
        io.StringIO(exported(review_file, "--format", "csv").removeprefix("\ufeff"))
    )
    numeric = {"record_id", "cluster_id", "canonical", "year"}
    header = next(reader)
    rows: list[list[object]] = [list(header)]
    for row in reader:
        rows.append([int(c) if h in numeric and c else c for h, c in zip(header, row, strict=True)])
    return rows


def test_every_export_writes_to_standard_output_without_o(review_file: Path) -> None:
    ris = invoke("export", "records", "--review", review_file, "--format", "ris")
    assert ris.stdout.count("ER  - ") == 10 and "written to standard output" in ris.stderr
    decisions = invoke(
        "export", "decisions", "--review", review_file, "--format", "csv", "--reviewer", "ana"
    )
    assert decisions.exit_code == 0
    assert decisions.stdout.startswith("record_id,")
