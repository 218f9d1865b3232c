"""`metasift prisma` on a real review: three CiteSource exports of one search (PubMed, Web of
Science, PsycInfo) deduplicated into clusters, decided at title/abstract and full text."""

from __future__ import annotations

import atexit
import csv
import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

from db.connection import open_review
from extraction.prisma.counts import PrismaCounts, arithmetic_checks
from extraction.prisma.template import COLUMNS, listed
from screening.dedup.engine import run_dedup
from screening.importing import import_file
from screening.review import init_review
from tests.conftest import FIXTURES
from tests.studies_support import decide, run

EXPORTS = {"citesource_pubmed_46.ris": "PubMed", "citesource_WoS_79.ris": "Web of Science",
           "citesource_psycinfo_64.ris": "APA PsycInfo"}  # fmt: skip
TEMPLATE = FIXTURES / "prisma" / "PRISMA.csv"
TA, FT = "title-abstract", "full-text"
SVG = "{http://www.w3.org/2000/svg}"


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="metasift-prisma-tests-")) / "review"
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    db = open_review(init_review(folder, title="PRISMA tests"))
    for name, database in EXPORTS.items():
        import_file(db, FIXTURES / "ris" / name, database=database)
        if db.conn.in_transaction:  # import_file leaves committing to its caller's connection
            db.conn.commit()
    run_dedup(db)
    db.close()
    return folder


def clusters(path: Path) -> list[list[int]]:
    """Each cluster's records, lowest first, in import order."""
    db = open_review(path)
    rows = db.execute("SELECT cluster_id, record_id FROM record_clusters ORDER BY record_id")
    found: dict[int, list[int]] = {}
    for cluster_id, record_id in rows:
        found.setdefault(cluster_id, []).append(record_id)
    db.close()
    return list(found.values())


def screened_review(tmp_path: Path, full_text_left: int = 0) -> tuple[Path, list[list[int]]]:
    """80 clusters excluded at title/abstract, 31 sent on; at full text 3 not retrieved, 6
    excluded for population and 4 for design, the rest included (full_text_left undecided).
    Decisions go on a cluster's last record, so duplicates must not count twice."""
    shutil.copytree(_template(), tmp_path / "review")
    path = tmp_path / "review" / "review.db"
    found = clusters(path)
    db = open_review(path)
    for i, members in enumerate(found):
        decide(db, members[-1], TA, "exclude" if i < 80 else ("maybe" if i % 7 == 0 else "include"))
    sent = found[80:]
    verdicts = ["not-retrieved"] * 3 + ["exclude"] * 10 + ["include"] * (len(sent) - 13)
    for i, (members, verdict) in enumerate(zip(sent, verdicts, strict=True)):
        if i < len(sent) - full_text_left:
            reason = "wrong population (adults, not youth)" if i < 9 else "wrong design"
            decide(db, members[0], FT, verdict, reason=reason)
    db.close()
    return path, found


def test_counts_follow_clusters_outcomes_and_studies(tmp_path: Path) -> None:
    path, found = screened_review(tmp_path)
    sent = found[80:]
    linked = run(path, "studies", "link", str(sent[-1][0]), "--to", str(sent[-2][0]),
                 "--reviewer", "ana")  # fmt: skip
    assert linked.exit_code == 0, linked.output
    result = run(path, "prisma", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # every check holds
    got = json.loads(result.stdout)
    assert got["database_specific_results"] == [
        {"database": "PubMed", "n": 46},
        {"database": "Web of Science", "n": 79},
        {"database": "APA PsycInfo", "n": 64},
    ]
    included = len(sent) - 13
    assert {k: v for k, v in got.items() if k not in ("database_specific_results", "checks")} == {
        "database_results": 189,
        "duplicates": 189 - len(found),
        "excluded_automatic": 0,
        "excluded_automatic_reason": None,  # no stop-screening: nothing excluded by a rule
        "excluded_other": 0,
        "records_screened": len(found),
        "records_excluded": 80,
        "dbr_sought_reports": len(sent),
        "dbr_notretrieved_reports": 3,
        "dbr_assessed": len(sent) - 3,
        "dbr_excluded": [
            {"reason": "wrong population (adults, not youth)", "n": 6},
            {"reason": "wrong design", "n": 4},
        ],
        "new_studies": included - 1,  # two reports linked into one study
        "new_reports": included,
        "unsettled": {"records": 0, "reports": 0},
    }
    assert len(found) < 189  # the fixtures share papers: dedup made clusters
    assert [c["holds"] for c in got["checks"]] == [True] * 6


def test_unfinished_full_text_fails_its_check_and_says_why(tmp_path: Path) -> None:
    path, _ = screened_review(tmp_path, full_text_left=2)
    result = run(path, "prisma")
    assert result.exit_code == 0
    assert "Reports excluded: 10\n  wrong population (adults, not youth): 6\n" in result.stdout
    assert result.stderr == (
        "warning: check fails: reports excluded (sum of reasons) = assessed - reports of "
        "included studies: 10 vs 28 - 16 (2 reports with no full-text outcome yet)\n"
        "warning: check fails: every record screened and report sought has an outcome: "
        "0 at title/abstract and 2 at full text have none yet\n"
    )
    assert run(path, "prisma", "--check").exit_code == 1


def test_each_check_names_itself_when_the_figures_disagree() -> None:
    counts = PrismaCounts((("PubMed", 10),), 2, 7, 3, 0, 5, 1, (("wrong design", 2),), 0, 3, 2)
    failed = [c.name for c in arithmetic_checks(counts) if not c.holds]
    assert failed == [
        "records screened = identified - duplicates - automation - other removed",
        "reports sought <= records screened - records excluded",
        "studies included <= reports of included studies",
    ]


def test_csv_keeps_the_template_layout_and_feeds_its_reader(tmp_path: Path) -> None:
    path, found = screened_review(tmp_path)
    out = tmp_path / "prisma.csv"
    assert run(path, "prisma", "--csv", str(out)).exit_code == 0
    written = list(csv.DictReader(out.open(encoding="utf-8")))
    template = list(csv.DictReader(TEMPLATE.open(encoding="utf-8")))
    assert tuple(written[0]) == COLUMNS == tuple(template[0])
    layout = [c for c in COLUMNS if c != "n"]
    assert [[r[c] for c in layout] for r in written] == [[r[c] for c in layout] for r in template]
    n = {r["data"]: r["n"] for r in written}
    assert n["records_screened"] == str(len(found))
    assert n["database_specific_results"] == "PubMed, 46; Web of Science, 79; APA PsycInfo, 64"
    # the package reads a name up to its first comma, a count after it, pairs split at ";"
    pairs = [part.split(",", 1) for part in n["dbr_excluded"].split("; ")]
    assert [(name, int(count)) for name, count in pairs] == [
        ("wrong population (adults / not youth)", 6),
        ("wrong design", 4),
    ]
    assert n["total_studies_ma"] == "NA" and n["register_specific_results"] == "0"


def test_listed_names_lose_the_separators_the_package_splits_on() -> None:
    assert listed((("a; b, c", 2),)) == "a / b / c, 2"
    assert listed(()) == "0"


def svg_lines(svg: Path) -> list[tuple[float, str, str]]:
    """Each text line of the diagram: its x (points), its text and the id of its group."""
    found = []
    for group in ET.parse(svg).iter(f"{SVG}g"):
        for t in group.findall(f"{SVG}text"):
            x = float(t.get("x") or (t.get("transform") or "(0").split("(")[1].split()[0])
            found += [(x, line, group.get("id") or "") for line in (t.text or "").split("\n")]
    return found


def png_height(png: Path) -> int:
    return int.from_bytes(png.read_bytes()[20:24], "big")  # IHDR: width, then height


def test_diagram_shows_the_counts_as_text(tmp_path: Path) -> None:
    path, found = screened_review(tmp_path)
    svg, png = tmp_path / "prisma.svg", tmp_path / "prisma.png"
    swapped = run(path, "prisma", "--svg", str(png))
    assert swapped.exit_code == 2 and "name it with the suffix .svg" in swapped.stderr
    result = run(path, "prisma", "--svg", str(svg), "--png", str(png))
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lines = [line for _, line, _ in svg_lines(svg)]
    for expected in (
        "Databases (n = 189)",
        "PubMed (n = 46)",
        f"Duplicate records removed (n = {189 - len(found)})",
        "Records marked as ineligible by automation tools (n = 0)",
        "Records screened", f"(n = {len(found)})",
        "Records excluded", "(n = 80)",
        "Reports not retrieved", "(n = 3)",
        "wrong population (adults, not youth) (n = 6)",
        "Studies included in review",
        "Identification", "Screening", "Included",
    ):  # fmt: skip
        assert expected in lines, (expected, lines)
    assert not any(line.startswith("Provisional") for line in lines)  # every check holds


def test_diagram_indents_sub_lines_by_position_not_spaces(tmp_path: Path) -> None:
    """rsvg-convert and browsers drop leading spaces, no-break ones too: an indent that
    survives is an x offset."""
    path, found = screened_review(tmp_path)
    svg = tmp_path / "prisma.svg"
    assert run(path, "prisma", "--svg", str(svg)).exit_code == 0
    x = {line: at for at, line, _ in svg_lines(svg)}
    assert not any(line[:1].isspace() for line in x)
    duplicates = f"Duplicate records removed (n = {189 - len(found)})"
    assert x[duplicates] > x["Records removed before screening:"] + 8
    assert x["wrong population (adults, not youth) (n = 6)"] > x["Reports excluded:"] + 8
    assert x["Reports excluded:"] == x["Records removed before screening:"]
    assert x["PubMed (n = 46)"] > x["Databases (n = 189)"] + 8  # a list: left-aligned


def test_unfinished_review_draws_a_provisional_diagram(tmp_path: Path) -> None:
    """The checks prisma warns of on stderr are said on the diagram itself, SVG and PNG."""
    path, found = screened_review(tmp_path, full_text_left=2)
    svg, png = tmp_path / "prisma.svg", tmp_path / "prisma.png"
    result = run(path, "prisma", "--svg", str(svg), "--png", str(png))
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning: check fails:") == 2
    banner = {gid: line for _, line, gid in svg_lines(svg) if gid.startswith("provisional-")}
    assert banner["provisional-0"] == (
        "Provisional: 2 reports with no full-text outcome yet; counts do not add up yet."
    )
    assert " ".join(banner[f"provisional-{i}"] for i in range(1, len(banner))) == (
        "Check fails: reports excluded (sum of reasons) = assessed - reports of included "
        "studies: 10 vs 28 - 16 (2 reports with no full-text outcome yet)"
    )
    complete = tmp_path / "complete"
    complete.mkdir()
    finished, _ = screened_review(complete)
    assert run(finished, "prisma", "--png", str(complete / "prisma.png")).exit_code == 0
    assert png_height(png) > png_height(complete / "prisma.png")  # the banner, in the PNG too


def test_a_conflict_leaves_its_record_screened_but_unsettled(tmp_path: Path) -> None:
    path, found = screened_review(tmp_path)
    db = open_review(path)
    decide(db, found[-1][0], TA, "exclude", who="ben")  # ana included it: now a conflict
    db.close()
    got = json.loads(run(path, "prisma", "--json").stdout)
    assert got["records_screened"] == len(found)
    assert (got["records_excluded"], got["unsettled"]) == (80, {"records": 1, "reports": 0})
    assert got["dbr_sought_reports"] == len(found) - 81
    assert got["checks"][1] == {
        "name": "reports sought <= records screened - records excluded",
        "holds": True,
        "detail": f"{len(found) - 81} vs {len(found) - 80} "
        "(1 record with no title/abstract outcome yet)",
    }


def test_without_a_title_abstract_stage_every_record_is_sought(tmp_path: Path) -> None:
    path, found = screened_review(tmp_path)
    toml = path.parent / "review.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace('stages = ["title-abstract", "full-text"]', 'stages = ["full-text"]')
    )
    got = json.loads(run(path, "prisma", "--json").stdout)
    assert (got["records_screened"], got["records_excluded"]) == (len(found), 0)
    assert got["dbr_sought_reports"] == len(found)
    assert got["unsettled"] == {"records": 0, "reports": 80}  # decided at title/abstract only


def test_anyone_may_count_as_status_lets_them(tmp_path):
    """PRISMA's counts name no one's verdict: in a team review it needs no --reviewer."""
    from click.testing import CliRunner

    from screening.cli import cli
    from tests.merge_support import new_main

    main = new_main(tmp_path)  # review.toml lists ana, ben and cy
    got = CliRunner().invoke(cli, ["prisma", "--json", "--review", str(main)])
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["records_screened"] == 46
