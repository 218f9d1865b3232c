"""`metasift import-decisions` on real exports of Rayyan, Covidence and ASReview (see
tests/fixtures/SOURCES.md): each imported into a review made from the same records, with the
file's own verdicts counted here independently of the readers."""

from __future__ import annotations

import csv
import re
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from db.connection import open_review
from screening.cli import cli
from screening.importing import import_file
from tests.conftest import FIXTURES

DECISIONS = FIXTURES / "decisions"
TINEA = DECISIONS / "rayyan_tinea_update.ris"  # Rayyan RIS, two reviewers, reasons
RAYYAN_CSV = DECISIONS / "rayyan_baseline.csv"  # Rayyan CSV, one reviewer, maybe
RAYYAN_RIS = DECISIONS / "rayyan_baseline.ris"  # the same review exported as RIS
COVIDENCE = DECISIONS / "review_522747_included_csv_20250411194606.csv"
COVIDENCE_RECORDS = DECISIONS / "covidence_baseline.csv"
PROJECTS = ("asreview-demo-project-v2.asreview", "asreview-demo-project.asreview")
VERDICTS = {"Included": "include", "Excluded": "exclude", "Maybe": "maybe"}


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _review(review_path: Path, *files: Path, **options: dict[str, str]) -> Path:
    db = open_review(review_path)
    for path in files:
        import_file(db, path, **options)
    db.close()
    return review_path


def _events(review_path: Path, reviewer: str | None = None) -> list[sqlite3.Row]:
    with sqlite3.connect(review_path) as db:
        db.row_factory = sqlite3.Row
        sql = "SELECT * FROM decisions" + (" WHERE reviewer = ?" if reviewer else "")
        return db.execute(sql, [reviewer] if reviewer else []).fetchall()


def _verdicts(review_path: Path, reviewer: str) -> Counter[str]:
    return Counter(row["verdict"] for row in _events(review_path, reviewer))


def _rayyan_verdicts(notes: list[str], person: str) -> Counter[str]:
    said = (re.search(rf'"{re.escape(person)}"=>"(\w+)"', n) for n in notes)
    return Counter(VERDICTS[m.group(1)] for m in said if m)


def test_rayyan_ris_imports_one_named_reviewer_with_reasons(review_path: Path) -> None:
    _review(review_path, TINEA)
    notes = [line for line in TINEA.read_text().splitlines() if line.startswith("N1  -")]
    stderr = []
    for person, reviewer in (("Zbys", "ana"), ("m.el-gohary", "ben")):
        result = invoke(
            "import-decisions", TINEA, "--from", "rayyan", "--reviewer", reviewer,
            "--name-in-file", person, "--review", review_path,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert _verdicts(review_path, reviewer) == _rayyan_verdicts(notes, person)
        stderr.append(result.stderr)
    assert _verdicts(review_path, "ana") == {"exclude": 8, "include": 4}  # titles matched
    reasons = {row["reason"] for row in _events(review_path, "ana")}
    assert {"wrong drug", "wrong population", "totally irrelevant to the review"} <= reasons
    several = [r["note"] for r in _events(review_path, "ana") if "," in (r["note"] or "")]
    assert "exclusion reasons in Rayyan: wrong drug, wrong intervention" in several
    assert "not in review.toml (kept as written): totally irrelevant" in stderr[0]


def test_rayyan_file_with_two_reviewers_needs_a_name(review_path: Path) -> None:
    _review(review_path, TINEA)
    result = invoke("import-decisions", TINEA, "--from", "rayyan", "--reviewer", "ana",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 1
    assert "'Zbys', 'm.el-gohary'" in result.stderr and "--name-in-file" in result.stderr
    assert _events(review_path) == []


@pytest.mark.parametrize("export", [RAYYAN_CSV, RAYYAN_RIS])
def test_rayyan_csv_and_ris_match_by_doi_and_skip_undecided(
    review_path: Path, export: Path
) -> None:
    _review(review_path, RAYYAN_CSV)  # the records, as Rayyan exported them
    with RAYYAN_CSV.open(encoding="utf-8", newline="") as f:
        expected = _rayyan_verdicts([row["notes"] for row in csv.DictReader(f)], "Emily")
    result = invoke("import-decisions", export, "--from", "rayyan", "--reviewer", "ana",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _verdicts(review_path, "ana") == expected == {"include": 2, "maybe": 2, "exclude": 2}
    assert "Skipped 4 rows without a decision." in result.stdout
    assert "imported from rayyan" in _events(review_path, "ana")[0]["note"]


def test_rows_matching_no_record_are_listed(review_path: Path) -> None:
    _review(review_path, COVIDENCE_RECORDS)  # 8 of the 10 papers Rayyan's export holds
    result = invoke("import-decisions", RAYYAN_RIS, "--from", "rayyan", "--reviewer", "ana",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 rows matched no record of this review" in result.stderr
    assert "row 3: A new abelisaurid dinosaur" in result.stderr
    assert "row 6: Functional morphology of the Triassic" in result.stderr
    assert "4 matched a record" in result.stdout


def test_nothing_matched_is_an_error_and_writes_nothing(review_path: Path) -> None:
    _review(review_path, TINEA)
    result = invoke("import-decisions", RAYYAN_CSV, "--from", "rayyan", "--reviewer", "ana",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 1
    assert "no row of rayyan_baseline.csv matched a record" in result.stderr
    assert _events(review_path) == []


def test_covidence_included_list_matches_by_pmid_at_full_text(review_path: Path) -> None:
    _review(review_path, COVIDENCE, columns={"pmid": "Accession Number"})
    with COVIDENCE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    result = invoke("import-decisions", COVIDENCE, "--from", "covidence", "--reviewer", "ana",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    events = _events(review_path, "ana")
    assert Counter((e["stage"], e["verdict"]) for e in events) == {
        ("full-text", "include"): len(rows)
    }
    with sqlite3.connect(review_path) as db:
        pmids = dict(db.execute("SELECT id, pmid FROM records"))
    assert sorted(pmids[e["record_id"]] for e in events) == sorted(
        r["Accession Number"] for r in rows
    )
    # nothing was screened at title/abstract here: the decisions wait, and the import says so
    assert f"{len(rows)} of these records are not at full text yet" in result.stderr


def test_covidence_file_renamed_needs_a_verdict(review_path: Path, tmp_path: Path) -> None:
    _review(review_path, COVIDENCE)
    renamed = tmp_path / "covidence.csv"
    renamed.write_bytes(COVIDENCE.read_bytes())
    base = ("import-decisions", renamed, "--from", "covidence", "--reviewer", "ana")
    refused = invoke(*base, "--review", review_path)
    assert refused.exit_code == 1 and "--verdict" in refused.stderr
    told = invoke(*base, "--verdict", "exclude", "--review", review_path)
    assert told.exit_code == 0, told.output
    assert _verdicts(review_path, "ana") == {"exclude": 42}  # matched by DOI: no PMIDs here
    assert {e["stage"] for e in _events(review_path)} == {"title-abstract"}


@pytest.mark.parametrize("project", PROJECTS)
def test_asreview_project_file(review_path: Path, tmp_path: Path, project: str) -> None:
    path = DECISIONS / project
    with zipfile.ZipFile(path) as z:  # the project's own dataset, as the review's records
        (tmp_path / "demo_data.csv").write_bytes(z.read("data/demo_data.csv"))
        results = next(n for n in z.namelist() if n.endswith("results.db") and "legacy" not in n)
        (tmp_path / "results.db").write_bytes(z.read(results))
    with sqlite3.connect(tmp_path / "results.db") as db:
        labels = dict(db.execute("SELECT label, count(*) FROM results GROUP BY label"))
        first = db.execute("SELECT min(time) FROM results").fetchone()[0]
    _review(review_path, tmp_path / "demo_data.csv")
    result = invoke("import-decisions", path, "--from", "asreview", "--reviewer", "ana",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _verdicts(review_path, "ana") == {"include": labels[1], "exclude": labels[0]}
    times = sorted(e["created_at"] for e in _events(review_path))
    assert times[0].startswith("2025-04-23T") and first == pytest.approx(1745432659.8, abs=1)


def test_reimport_adds_nothing_and_other_stage_adds_its_own(review_path: Path) -> None:
    _review(review_path, TINEA)
    args = ("import-decisions", TINEA, "--from", "rayyan", "--reviewer", "ana",
            "--name-in-file", "Zbys", "--review", review_path)  # fmt: skip
    assert invoke(*args).exit_code == 0
    again = invoke(*args)
    assert again.exit_code == 0
    assert "Added 0 decisions" in again.stdout and "already imported: 12." in again.stdout
    assert len(_events(review_path)) == 12
    assert invoke(*args, "--stage", "full-text").exit_code == 0
    assert len(_events(review_path)) == 24


def _ana_exported(review_path: Path, tmp_path: Path) -> Path:
    """ana's decisions imported from Rayyan, then exported by metasift as a plain CSV."""
    _review(review_path, TINEA)
    invoke("import-decisions", TINEA, "--from", "rayyan", "--reviewer", "ana",
           "--name-in-file", "Zbys", "--review", review_path)  # fmt: skip
    exported = tmp_path / "ana.csv"
    invoke("export", "decisions", "--format", "csv", "-o", exported, "--reviewer", "ana",
           "--review", review_path)  # fmt: skip
    return exported


def test_plain_csv_round_trips_metasift_decision_export(review_path: Path, tmp_path: Path) -> None:
    exported = _ana_exported(review_path, tmp_path)
    result = invoke("import-decisions", exported, "--from", "csv", "--reviewer", "ben",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _verdicts(review_path, "ben") == _verdicts(review_path, "ana")
    ana = {e["record_id"]: (e["reason"], e["created_at"]) for e in _events(review_path, "ana")}
    ben = {e["record_id"]: (e["reason"], e["created_at"]) for e in _events(review_path, "ben")}
    assert ana == ben  # reasons and the export's times carried over


@pytest.mark.parametrize(
    ("export", "tool", "message"),
    [
        (COVIDENCE, "rayyan", "line 1: no RAYYAN-INCLUSION notes"),
        (TINEA, "covidence", "line 1: no 'Covidence #' and Title columns"),
        (COVIDENCE, "csv", "line 1: a decisions CSV needs a decision column"),
        (COVIDENCE, "asreview", "line 1: no asreview_label or included column"),
    ],
)
def test_wrong_format_is_one_clear_error(
    review_path: Path, export: Path, tool: str, message: str
) -> None:
    _review(review_path, TINEA)
    result = invoke("import-decisions", export, "--from", tool, "--reviewer", "ana",
                    "--review", review_path)  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {export}: {message}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert _events(review_path) == []


@pytest.mark.parametrize("tool", ["covidence", "rayyan", "csv", "asreview"])
def test_a_workbook_or_a_project_cut_short_is_one_clear_error(
    review_path: Path, tmp_path: Path, tool: str
) -> None:
    _review(review_path, TINEA)
    suffix = ".asreview" if tool == "asreview" else ".xlsx"
    zipped = tmp_path / f"export{suffix}"
    whole = (FIXTURES / "decisions" / "asreview-demo-project.asreview").read_bytes()
    zipped.write_bytes(whole[:3000])  # a zip's first bytes, cut short
    result = invoke("import-decisions", zipped, "--from", tool, "--verdict", "include",
                    "--reviewer", "ana", "--review", review_path)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    wanted = "cut short" if tool == "asreview" else "an Excel workbook? save it as CSV"
    assert result.stderr.startswith(f"Error: {zipped}: ") and wanted in result.stderr
    assert _events(review_path) == []


def test_unknown_reviewer_is_refused(review_path: Path) -> None:
    toml = review_path.with_name("review.toml")
    toml.write_text(toml.read_text().replace("reviewers = []", 'reviewers = ["ana", "ben"]'))
    _review(review_path, TINEA)
    result = invoke("import-decisions", TINEA, "--from", "rayyan", "--reviewer", "zed",
                    "--name-in-file", "Zbys", "--review", review_path)  # fmt: skip
    assert result.exit_code == 1
    assert "'zed' is not one of review.toml's reviewers" in result.stderr
    assert _events(review_path) == []


def _first_row_as(review_path: Path, tmp_path: Path, verdict: str, reason: str) -> Path:
    """A decisions CSV of one row: the first of ana's export, with this verdict and reason."""
    exported = _ana_exported(review_path, tmp_path)
    with exported.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    decision = next(k for k in rows[0] if k.casefold() in ("decision", "verdict"))
    rows = [{**rows[0], decision: verdict, "reason": reason}]
    sheet = tmp_path / "one_row.csv"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return sheet


def test_not_retrieved_imports_at_full_text_only(review_path: Path, tmp_path: Path) -> None:
    sheet = _first_row_as(review_path, tmp_path, "not retrieved", "")
    refused = invoke("import-decisions", sheet, "--from", "csv", "--reviewer", "ben",
                     "--review", review_path)  # fmt: skip
    assert refused.exit_code == 1
    assert "row 1: 'not-retrieved' is a full-text outcome" in refused.stderr
    assert _events(review_path, "ben") == []
    taken = invoke("import-decisions", sheet, "--from", "csv", "--reviewer", "ben",
                   "--stage", "full-text", "--review", review_path)  # fmt: skip
    assert taken.exit_code == 0, taken.output
    assert [e["verdict"] for e in _events(review_path, "ben")] == ["not-retrieved"]


def test_a_reason_on_an_include_is_left_out_and_said(review_path: Path, tmp_path: Path) -> None:
    sheet = _first_row_as(review_path, tmp_path, "include", "looks relevant")
    taken = invoke("import-decisions", sheet, "--from", "csv", "--reviewer", "ben",
                   "--review", review_path)  # fmt: skip
    assert taken.exit_code == 0, taken.output
    assert "1 row(s) gave a reason with a verdict other than exclude: left out" in taken.stderr
    assert [e["reason"] for e in _events(review_path, "ben")] == [None]
