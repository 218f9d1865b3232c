"""The rob commands on a small real review: judge (JSON and errors), export (rows per study
and domain, robvis's layout, XLSX), and plots whose drawn cells are read back from the SVG."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from extraction.rob import ledger
from extraction.rob.consensus import settle
from extraction.rob.instrument import find_instrument
from extraction.rob.ledger import Target
from extraction.rob.plots import PALETTES
from screening.cli import cli
from screening.cli.extraction_review import included_studies
from screening.review import load_review
from tests.merge_support import new_main, record_ids
from tests.test_extraction_review import decide
from tests.test_rob_answers import ALL_LOW

ROB2 = find_instrument("rob2")
HIGH_D1 = {**ALL_LOW, "D1": "1.1=Y,1.2=N,1.3=N"}
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["rob", *args])


def on_review(folder: Path, command: str, *args: str):  # type: ignore[no-untyped-def]
    """A rob command on the review, asked by the adjudicator."""
    return run(command, "--reviewer", "cy", "--review", str(folder), *args)


def test_judge_prints_json_and_refuses_missing_answers():
    out = run("judge", "--domain", "D1", "--answers", "1.1=Y,1.2=PY,1.3=N", "--json")
    assert out.exit_code == 0 and json.loads(out.stdout) == {"judgement": "low"}
    out = run(
        "judge",
        "--domain",
        "D2",
        "--variant",
        "adhering",
        "--answers",
        "2.1=Y,2.2=N,2.3=N,2.4=N,2.5=N,2.6=N",
        "--json",
    )
    assert json.loads(out.stdout) == {"judgement": "high"}
    out = run("judge", "--domain", "D4", "--answers", "4.1=N,4.2=N")
    assert out.exit_code == 1 and out.stdout == ""
    assert (
        out.stderr.startswith("Error: D4 needs an answer to 4.3 (") and out.stderr.count("\n") == 1
    )
    out = run("judge", "--domain", "D1", "--answers", "1.1=maybe,1.2=Y,1.3=N")
    assert (
        out.exit_code == 1 and "1.1=MAYBE is not allowed: 1.1 takes Y, PY, PN, N, NI" in out.stderr
    )
    robins = ",".join(f"D{i}=low" for i in range(1, 7)) + ",D7=serious"
    out = run("judge", "--instrument", "robins-i", "--domain", "overall", "--answers", robins)
    assert out.exit_code == 0 and out.stdout == "Serious\n"


@pytest.fixture
def review(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Three included studies; two agreed in full (one low, one high in D1), one in conflict."""
    folder = new_main(tmp_path)
    with load_review(folder) as opened:
        for rid in record_ids(opened.db)[:3]:
            decide(opened.db, rid, "title-abstract", "include")
            decide(opened.db, rid, "full-text", "include")
        studies = included_studies(opened)
        for study, answers in zip(studies, (ALL_LOW, HIGH_D1, ALL_LOW), strict=True):
            for who in ("ana", "ben"):
                given = answers if who == "ana" or study != studies[2] else HIGH_D1
                _answer(opened.db, Target(ROB2, study.uuid, "", who), given)
        yield folder, studies


def _answer(db, target: Target, answers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for domain, pairs in answers.items():
        for pair in pairs.split(","):
            question, given = pair.split("=")
            ledger.answer(db, target, domain, question, given)


def test_export_rows_per_study_and_domain(review):
    folder, studies = review
    out = on_review(folder, "export")
    assert out.exit_code == 0, out.output
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0][:7] == [
        "Study",
        "Result",
        "Instrument",
        "Domain",
        "Domain name",
        "Judgement",
        "State",
    ]
    assert len(rows) == 1 + 3 * 6
    by = {(r[8], r[3]): (r[5], r[6]) for r in rows[1:]}
    assert by[(studies[1].uuid, "D1")] == ("High", "agreed")
    assert by[(studies[1].uuid, "Overall")] == ("High", "agreed")
    assert by[(studies[2].uuid, "D1")] == ("", "conflict")
    assert by[(studies[0].uuid, "D5")] == ("Low", "agreed")
    dashed = on_review(folder, "export", "-o", "-")  # '-' is standard output, no file '-'
    assert dashed.exit_code == 0 and dashed.stdout == out.stdout
    assert not (Path.cwd() / "-").exists()


def test_export_robvis_layout_and_xlsx(review, tmp_path):
    folder, studies = review
    with load_review(folder) as opened:
        settle(opened.db, ROB2, "cy", (studies[2].uuid, ""), "D1", "high", "1.2 is N: p. 3")
        settle(opened.db, ROB2, "cy", (studies[2].uuid, ""), "overall", "high", "as D1")
    out = on_review(folder, "export", "--layout", "robvis")
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["Study", "D1", "D2", "D3", "D4", "D5", "Overall"]
    assert sorted(r[1] for r in rows[1:]) == ["High", "High", "Low"] and len(rows) == 4
    target = tmp_path / "rob.xlsx"
    out = on_review(folder, "export", "--format", "xlsx", "-o", str(target))
    assert out.exit_code == 0, out.output
    from openpyxl import load_workbook

    sheet = load_workbook(target, read_only=True).active
    assert sheet is not None
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:4] == [
        "Study",
        "Result",
        "Instrument",
        "Domain",
    ]


def cells(svg: Path) -> dict[tuple[int, int], tuple[str, str]]:
    """Each drawn cell's fill colour and glyph, read from the SVG by its id."""
    root = ET.parse(svg).getroot()
    found: dict[tuple[int, int], list[str]] = {}
    for group in root.iter(f"{SVG}g"):
        match = re.fullmatch(r"(cell|glyph)-(\d+)-(\d+)", group.get("id", ""))
        if not match:
            continue
        spot = found.setdefault((int(match[2]), int(match[3])), ["", ""])
        if match[1] == "cell":
            style = next(group.iter(f"{SVG}path")).get("style", "")
            spot[0] = re.search(r"fill: (#[0-9a-f]{6})", style)[1]  # type: ignore[index]
        else:
            spot[1] = "".join(next(group.iter(f"{SVG}text")).itertext()).strip()
    return {k: (v[0], v[1]) for k, v in found.items()}


def test_traffic_light_svg_shows_each_judgement(review, tmp_path):
    folder, studies = review
    target = tmp_path / "rob.svg"
    out = on_review(folder, "plot", "--kind", "traffic-light", "-o", str(target))
    assert out.exit_code == 0, out.output
    assert "2 studies; not yet agreed: 1" in out.stderr
    colours = {v.lower(): k for k, v in PALETTES["cochrane"].items()}
    drawn = cells(target)
    assert len(drawn) == 2 * 6
    text = target.read_text(encoding="utf-8")
    names = [studies[0].label, studies[1].label]
    first = 0 if text.index(names[0]) < text.index(names[1]) else 1  # rows go by label
    low_row, high_row = (0, 1) if first == 0 else (1, 0)
    assert {drawn[(low_row, c)] for c in range(6)} == {("#02c100", "+")}
    assert drawn[(high_row, 0)] == ("#bf0000", "x") and drawn[(high_row, 5)] == ("#bf0000", "x")
    assert [colours[drawn[(high_row, c)][0]] for c in range(1, 5)] == ["low"] * 4
    assert "D1: Bias arising from the randomization process." in text


def test_summary_svg_bars_and_the_colour_blind_palette(review, tmp_path):
    folder, _ = review
    target = tmp_path / "summary.svg"
    out = on_review(
        folder, "plot", "--kind", "summary", "--palette", "colourblind", "-o", str(target)
    )
    assert out.exit_code == 0, out.output
    root = ET.parse(target).getroot()
    bars = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("bar-")}
    assert set(bars) == {
        "bar-D1-low",
        "bar-D1-high",
        "bar-Overall-low",
        "bar-Overall-high",
        *(f"bar-D{i}-low" for i in range(2, 6)),
    }
    fill = next(bars["bar-D1-high"].iter(f"{SVG}path")).get("style", "")
    assert PALETTES["colourblind"]["high"].lower() in fill
    png = tmp_path / "summary.png"
    out = on_review(folder, "plot", "--kind", "summary", "-o", str(png))
    assert out.exit_code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = on_review(folder, "plot", "--kind", "summary", "-o", str(tmp_path / "x.pdf"))
    assert out.exit_code == 1 and "written as .svg or .png" in out.stderr


def bar_widths(svg: Path) -> dict[str, float]:
    """Each summary bar segment's drawn width, from its path (M x0 y0 L x1 y0 ...)."""
    root = ET.parse(svg).getroot()
    widths = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("id", "").startswith("bar-"):
            xs = [
                float(x)
                for x in re.findall(r"[ML] ([\d.]+) ", next(group.iter(f"{SVG}path")).get("d", ""))
            ]
            widths[group.get("id", "")] = max(xs) - min(xs)
    return widths


@pytest.mark.parametrize(("weighted", "ratio"), [(False, 1.0), (True, 3.0)])
def test_summary_bars_weighted_by_sample_size(tmp_path, weighted, ratio):
    from extraction.rob.export import PlotTable
    from extraction.rob.plots import draw

    table = PlotTable(
        ROB2,
        ROB2.domain_ids(),
        ["A 2020", "B 2021"],
        [["low"] * 5, ["high"] + ["low"] * 4],
        ["low", "high"],
        [30.0, 10.0],
    )
    target = tmp_path / "summary.svg"
    draw(table, "summary", "cochrane", target, weighted=weighted)
    widths = bar_widths(target)
    assert widths["bar-D1-low"] / widths["bar-D1-high"] == pytest.approx(ratio, rel=1e-3)
    assert widths["bar-D2-low"] == pytest.approx(widths["bar-D1-low"] + widths["bar-D1-high"])


def test_compare_lists_domains_to_settle_once_both_are_done(review):
    folder, studies = review
    assert on_review(folder, "compare").stdout == "no judgements differ on finished studies\n"
    with load_review(folder) as opened:
        for who in ("ana", "ben"):
            ledger.mark_done(opened.db, Target(ROB2, studies[2].uuid, "", who))
    out = on_review(folder, "compare", "--json")
    listed = json.loads(out.stdout)
    assert [(x["study"], x["domain"]) for x in listed] == [
        (studies[2].uuid, "D1"),
        (studies[2].uuid, "overall"),
    ]
    assert listed[0]["judgements"] == {"ana": "low", "ben": "high"}
    text = on_review(folder, "compare").stdout
    assert f"{studies[2].label}  D1: ana Low, ben High" in text and "2 to settle" in text


def test_summary_bars_weighted_by_a_pooled_analysis(tmp_path):
    """Shi 2012 (high in D1) and Lin 2017 (low throughout), pooled for albumin at 6 months
    with a fixed effect: each bar's share is the study's weight in that analysis, as
    `metasift analyse` prints it, and the plot says so."""
    from extraction.cli.rob import build
    from tests.sheets_support import THREE_ARM, TWO_ARM, filled_review
    from tests.test_analyse import ALBUMIN, FE_WEIGHTS

    made = filled_review(tmp_path)
    db, _, opener = next(made)
    for study, answers in ((TWO_ARM, HIGH_D1), (THREE_ARM, ALL_LOW)):
        for who in ("ana", "ben"):
            _answer(db, Target(ROB2, study, "", who), answers)
    target = tmp_path / "weighted.svg"
    spec = "outcome=albumin,timepoint=6 months,method=FE"
    args = ["plot", "--kind", "summary", "--weight", "analysis", "--analysis", spec]
    out = CliRunner().invoke(build(opener), [*args, "-o", str(target)])
    assert out.exit_code == 0, out.output
    widths = bar_widths(target)
    shi, lin = FE_WEIGHTS  # the forest plot's Weight column, percentages
    assert widths["bar-D1-high"] / widths["bar-D1-low"] == pytest.approx(shi / lin, rel=1e-3)
    full = widths["bar-D2-low"]  # every study low: the whole bar, 100 %
    assert widths["bar-D1-high"] / full == pytest.approx(shi / 100, rel=1e-3)
    assert widths["bar-Overall-high"] == pytest.approx(widths["bar-D1-high"])
    root = ET.parse(target).getroot()
    said = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "weighting")
    words = " ".join("".join(said.itertext()).split())  # its lines, as one text
    assert "Bars weighted by each study's weight in the pooled analysis of albumin" in words
    assert "at 6 months (Mean Difference, IV, Fixed; k = 2), as metasift analyse" in words
    equal = tmp_path / "equal.svg"
    out = CliRunner().invoke(build(opener), ["plot", "--kind", "summary", "-o", str(equal)])
    assert out.exit_code == 0 and 'id="weighting"' not in equal.read_text()
    assert bar_widths(equal)["bar-D1-high"] == pytest.approx(full / 2, rel=1e-3)
    out = CliRunner().invoke(build(opener), ["plot", "--kind", "summary", "--weight",
                                             "analysis", "-o", str(equal)])  # fmt: skip
    assert "--weight analysis needs --analysis" in str(out.exception)
    out = CliRunner().invoke(build(opener), [*args[:-1], "outcome=albumin,method=XX", "-o",
                                             str(equal)])  # fmt: skip
    assert "--analysis: method=XX: one of FE" in str(out.exception)
    out = CliRunner().invoke(build(opener), [*args[:-1], "outcome=albumin", "-o", str(equal)])
    said = str(out.exception)  # analyse's own words named its --timepoint, not this key
    assert "choose one with timepoint=... in --analysis" in said and "--timepoint" not in said
    assert ALBUMIN == ["--outcome", "albumin", "--timepoint", "6 months"]  # the same analysis
    out = CliRunner().invoke(build(opener), ["export", "--layout", "robvis", *args[3:]])
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0][-1] == "Weight"
    assert {r[0]: float(r[-1]) for r in rows[1:]} == pytest.approx({"Shi 2012": shi,
                                                                    "Lin 2017": lin})  # fmt: skip
    by_size, older = tmp_path / "size.svg", tmp_path / "older.svg"
    for flag, path in ((["--weight", "sample-size"], by_size), (["--weighted"], older)):
        out = CliRunner().invoke(build(opener), ["plot", "--kind", "summary", *flag, "-o", path])
        assert out.exit_code == 0, out.output
    assert by_size.read_bytes() == older.read_bytes()  # --weighted: the older spelling
    assert "total sample size" in by_size.read_text()
    # what would ignore a weight without a word is refused
    light = tmp_path / "light.svg"
    out = CliRunner().invoke(build(opener), ["plot", "--kind", "traffic-light", "--weight",
                                             "sample-size", "-o", str(light)])  # fmt: skip
    assert "the traffic-light plot shows each study once" in str(out.exception)
    assert not light.exists()
    out = CliRunner().invoke(build(opener), ["export", "--weight", "sample-size"])
    assert "--weight adds a Weight column to --layout robvis" in str(out.exception)
    next(made, None)  # closes the review


def test_consensus_needs_a_terminal(review):
    folder, _ = review
    out = on_review(folder, "consensus")  # CliRunner's input and output are not terminals
    assert out.exit_code == 1 and "metasift rob needs a terminal" in out.stderr
