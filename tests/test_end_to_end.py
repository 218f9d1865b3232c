"""The whole path a review team walks, on the demo's bundled records (a blue-light library
exported from PubMed and from EndNote), through the commands and the screens' real keys:
import two sources, dedup, two reviewers screen title/abstract then full text in separate
copies, merge, resolve, agreement, RoB 2 (one study by ana in the form screen, where ben's
answers differ, settled in the consensus screen) and extraction (one study in the extraction
screen; the demo's core plays the other studies), `export sheet`, `analyse` with a subgroup,
and `prisma --json` whose counts balance. What each reviewer decides comes from
screening/demo/data/play.toml."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import Input

import screening.demo
from screening.cli import cli
from screening.decisions.resolving import Adjudication
from screening.decisions.session import ScreeningSession
from screening.demo.extraction_play import play_extraction, play_rob
from screening.demo.screening_play import load_play, verdict_for
from screening.review import load_review
from screening.tui.app import make_app
from screening.tui.justification import JustificationModal
from screening.tui.resolve_screen import ResolveScreen
from screening.tui.screening_screen import ScreeningScreen
from tests.end_to_end_screens import extract_with_keys, rob_consensus_with_keys, rob_with_keys

DATA = Path(screening.demo.__file__).parent / "data"
KEYS = {"include": "i", "maybe": "m", "not-retrieved": "r", "exclude": "e"}


def metasift(*args: object) -> str:
    """Run a command as a user would; it must succeed. Its standard output."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, f"metasift {' '.join(map(str, args))}: {result.output}"
    return result.stdout


def pmid_of(folder: Path, record_id: int) -> str:
    with load_review(folder) as review:
        return str(review.db.table("records").get(record_id)["pmid"])


def decisions_file(path: Path, script: dict[str, Any], reviewer: str, pmids: list[str]) -> Path:
    """The reviewer's verdicts as the plain CSV `metasift import-decisions --from csv` reads."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["pmid", "decision", "reason"])
        for pmid in pmids:
            writer.writerow([pmid, *(v or "" for v in verdict_for(script, reviewer, pmid))])
    return path


async def screen_with_keys(folder: Path, reviewer: str, stage: str, script: dict) -> int:
    """The reviewer screens every record of the stage in the screening screen, by keys."""
    review = load_review(folder)
    session = ScreeningSession(review.db, review.protocol, reviewer, stage)
    reasons = review.protocol.exclusion_reasons
    pressed = 0
    async with make_app(lambda: ScreeningScreen(session)).run_test(size=(120, 40)) as pilot:
        while left := session.counts().undecided:
            assert session.current_id is not None
            verdict, reason = verdict_for(script, reviewer, pmid_of(folder, session.current_id))
            if stage == "full-text" and verdict == "exclude" and reason is None:
                # a copy lists the reviewer's own title/abstract includes, adjudicated or not:
                # ben's holds three records cleo excluded there (copies carry no resolutions)
                reason = "other"
            number = reasons.index(reason) + 1 if reason else 0  # 0: no reason
            await pilot.press(*([KEYS[verdict]] + ([str(number)] if verdict == "exclude" else [])))
            assert session.counts().undecided == left - 1, "the keys made no decision"
            pressed += 1
    review.close()
    return pressed


async def justify(pilot: Pilot, text: str) -> None:
    assert isinstance(pilot.app.screen, JustificationModal)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")


async def resolve_with_keys(folder: Path, stage: str, script: dict) -> int:
    """cleo settles every conflict of the stage in the resolve screen, by keys."""
    review = load_review(folder)
    adjudication = Adjudication(review.db, review.protocol, "cleo", stage)
    reasons = review.protocol.exclusion_reasons
    settled = 0
    async with make_app(lambda: ResolveScreen(adjudication)).run_test(size=(120, 40)) as pilot:
        while adjudication.items:
            view = adjudication.current()
            assert view is not None
            found = next(
                c for c in script["conflicts"] if c["pmid"] == pmid_of(folder, view.record.id)
            )
            await pilot.press(KEYS[found["cleo"]])
            if found["cleo"] == "exclude":  # the reason's number key; 0: none
                reason = found.get("cleo_reason")
                await pilot.press(str(reasons.index(reason) + 1) if reason else "0")
            await justify(pilot, found["why"])
            settled += 1
            assert settled <= len(script["conflicts"]), "the keys settled nothing"
    review.close()
    return settled


async def screen_apart(
    tmp_path: Path, main: Path, stage: str, script: dict, pmids: list[str]
) -> list[Path]:
    """Each reviewer screens the stage in a copy of their own: at title/abstract their
    decisions go in from a CSV (`import-decisions`, as from another tool), at full text by
    the screening screen's keys."""
    copies = []
    for reviewer in ("ana", "ben"):
        copy = tmp_path / f"{stage}-{reviewer}"
        metasift("copy", "--for", reviewer, "-o", copy, "--review", main)
        copies.append(copy)
        if stage == "full-text":
            assert await screen_with_keys(copy, reviewer, stage, script) >= 13
            continue
        sheet = decisions_file(tmp_path / f"{stage}-{reviewer}.csv", script, reviewer, pmids)
        out = metasift("import-decisions", sheet, "--from", "csv", "--reviewer", reviewer,
                       "--stage", stage, "--review", copy)  # fmt: skip
        assert "matched" in out, out
    return copies


async def test_the_whole_path_from_two_exports_to_a_pooled_estimate(tmp_path: Path) -> None:
    main, play = tmp_path / "review", load_play()
    metasift("init", main)
    shutil.copyfile(DATA / "review.toml", main / "review.toml")
    out = metasift("import", DATA / "blue-light.nbib", DATA / "blue-light_endnote.ris",
                   "--review", main)  # fmt: skip
    assert "80 records added" in out and "102 records added" in out
    assert "80 clusters of duplicates" in metasift("dedup", "--review", main)
    records = json.loads(metasift("records", "--json", "--review", main))
    pmids = sorted({str(r["pmid"]) for r in records})

    for stage in ("title-abstract", "full-text"):
        ana, ben = await screen_apart(tmp_path, main, stage, play[stage], pmids)
        merged = metasift("merge", ana, ben, "--review", main)
        assert "ana" in merged and "ben" in merged
        if stage == "full-text":
            # a copy's full-text list is its reviewer's own title/abstract includes, not the
            # adjudicated outcome (copies carry no resolutions): ben's lacked 12850803, which
            # he excluded and cleo included; he decides it in the main review
            assert await screen_with_keys(main, "ben", stage, play[stage]) in (0, 1)
        assert await resolve_with_keys(main, stage, play[stage]) == len(play[stage]["conflicts"])

    agreement = json.loads(metasift("agreement", "--json", "--review", main))
    assert agreement, "agreement per stage"
    # RoB 2 and extraction: one study each by the screens' keys, the rest by the demo's core
    rob_study, extracted = play["rob"]["consensus"]["pmid"], play["extraction"][0]
    with load_review(main) as review:
        play_rob(review.db, review.protocol, play, lambda step: None,
                 by_keys={("ana", rob_study)})  # fmt: skip
        play_extraction(review.db, review.protocol, play, lambda step: None,
                        by_keys={extracted["pmid"]})  # fmt: skip
    await rob_with_keys(main, "ana", rob_study, play["rob"])
    assert await rob_consensus_with_keys(main, play["rob"]) >= 1, "ana and ben differ on D1"
    await extract_with_keys(main, extracted)
    rob = tmp_path / "rob.csv"
    metasift("rob", "export", "--format", "csv", "-o", rob, "--reviewer", "cleo", "--review", main)
    assert rob.read_text(encoding="utf-8").count(",Overall,Overall,") == 5

    metasift("export", "sheet", "-o", tmp_path / "sheet.csv", "--reviewer", "ana", "--review", main)
    outcomes = (tmp_path / "sheet-outcomes.csv").read_text(encoding="utf-8-sig")
    assert outcomes.count("ILLUSTRATIVE") > 0 and "50.02" in outcomes
    assert "illustrative (made up, not from a report)" in outcomes.splitlines()[0]

    pooled = json.loads(metasift("analyse", "--outcome", "inflammatory_lesions", "--timepoint",
                                 "4 weeks", "--subgroup", "comparator", "--json",
                                 "--reviewer", "ana", "--review", main))  # fmt: skip
    assert len(pooled["illustrative"]) == 5, "every SD is illustrative, and analyse says so"
    assert pooled["sd_imputed"] == [], "made up is not imputed"

    counts = json.loads(metasift("prisma", "--json", "--review", main))
    assert counts["records_screened"] == counts["database_results"] - counts["duplicates"]
    sought, missing = counts["dbr_sought_reports"], counts["dbr_notretrieved_reports"]
    assert counts["dbr_assessed"] == sought - missing
    excluded = sum(r["n"] for r in counts["dbr_excluded"])
    assert counts["new_reports"] == counts["dbr_assessed"] - excluded == 5
    assert all(check["holds"] for check in counts["checks"])
