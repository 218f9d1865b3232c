"""Regenerate README's screenshots (docs/screens/*.png): each screen of metasift on the demo
review, exported by Textual as SVG (App.save_screenshot) and converted to PNG with
rsvg-convert (Debian's librsvg2-bin). Offline; writes only docs/screens/.

    .venv/bin/python docs/make_screens.py

States: the fresh demo (screening; the duplicates screen has nothing to show there: every
pair the demo's records hold is sure); both reviewers' title/abstract decisions
before the adjudicator (resolve); the whole play of `metasift demo --full` with cleo's RoB 2
consensus left open (extraction, RoB 2 form and consensus); and, for the extraction
consensus only, ben entering one study's 12-week treated-arm mean differently (a scripted
slip, so two extractors disagree: the values are the demo's illustrative ones).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen

from extraction.rob.adjudication import RobConsensus
from extraction.rob.form import RobForm
from extraction.rob.instrument import find_instrument
from extraction.tui.consensus_screen import ConsensusScreen
from extraction.tui.extract_screen import ExtractScreen
from extraction.tui.rob_consensus_screen import RobConsensusScreen
from extraction.tui.rob_screen import RobScreen
from extraction.values.cells import Cell
from extraction.values.consensus import open_conflicts, settle_conflict
from extraction.values.ledger import mark_done, set_value
from extraction.values.worksheet import Worksheet
from screening.decisions.resolving import Adjudication
from screening.decisions.session import ScreeningSession
from screening.demo.example import create_example_review
from screening.demo.extraction_play import OUTCOME, play_extraction, play_rob, studies_by_pmid
from screening.demo.screening_play import _screen, load_play, play_screening
from screening.review import Review, load_review
from screening.tui.app import make_app
from screening.tui.resolve_screen import ResolveScreen
from screening.tui.screening_screen import ScreeningScreen

OUT = Path(__file__).parent / "screens"
SIZE = (120, 36)
Factory = Callable[[Review], Screen[Any]]


async def shoot(
    folder: Path, name: str, factory: Factory, keys: tuple[str, ...] = (), width: int = SIZE[0]
) -> None:
    """Open the screen on the review, press keys, save it as docs/screens/NAME.png."""
    with load_review(folder) as review:
        app = make_app(lambda: factory(review), title="metasift · blue light for acne (demo)")
        async with app.run_test(size=(width, SIZE[1])) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            svg = Path(app.save_screenshot(f"{name}.svg", str(folder)))
    subprocess.run(["rsvg-convert", "-o", str(OUT / f"{name}.png"), str(svg)], check=True)
    print(f"wrote {OUT / name}.png")


def _noop(step: str) -> None:
    pass


async def screening_screens(folder: Path) -> None:
    """The fresh demo as ana screens it, then both reviewers' decisions as cleo resolves
    them (no duplicates screen: every pair in the demo's records is sure)."""
    create_example_review(folder, _noop)
    await shoot(folder, "screening", lambda r: ScreeningScreen(
        ScreeningSession(r.db, r.protocol, "ana", "title-abstract")))  # fmt: skip
    play = load_play()
    with load_review(folder) as review:
        for reviewer in ("ana", "ben"):
            _screen(review.db, review.protocol, reviewer, "title-abstract", play["title-abstract"])
    await shoot(folder, "resolve", lambda r: ResolveScreen(
        Adjudication(r.db, r.protocol, "cleo", "title-abstract")))  # fmt: skip


async def after_screening(folder: Path) -> None:
    create_example_review(folder, _noop)
    play = load_play()
    consensus_pmid = play["rob"]["consensus"]["pmid"]
    with load_review(folder) as review:
        play_screening(review.db, review.protocol, play, _noop)
        play_rob(review.db, review.protocol, play, _noop, by_keys={("cleo", consensus_pmid)})
        play_extraction(review.db, review.protocol, play, _noop)
        studies = studies_by_pmid(review.db, review.protocol)
    first = studies[play["extraction"][0]["pmid"]]
    rob2 = find_instrument("rob2")

    def extracting(r: Review) -> Screen[Any]:
        return ExtractScreen([(first, Worksheet(r.db, r.protocol.form, "ana", first.uuid))])

    def rob_form(r: Review) -> Screen[Any]:
        form = RobForm(r.db, rob2, "ana", list(studies.values()))
        form.at, form.page = list(studies).index(consensus_pmid), 1  # D1
        return RobScreen(form)

    def rob_consensus(r: Review) -> Screen[Any]:
        labels = {s.uuid: s.label for s in studies.values()}
        return RobConsensusScreen(RobConsensus(r.db, rob2, "cleo", labels))

    await shoot(folder, "extract", extracting, ("j",) * 6, width=190)  # the outcome's long name
    await shoot(folder, "rob", rob_form)
    await shoot(folder, "rob-consensus", rob_consensus)
    _ben_slips(folder, play["extraction"][0])
    await shoot(folder, "extract-consensus", _extraction_consensus, width=230)


def _ben_slips(folder: Path, entry: dict[str, Any]) -> None:
    """ben extracts the first study as ana did but types its 12-week treated mean as 52.02."""
    with load_review(folder) as review:
        db, form = review.db, review.protocol.form
        study = studies_by_pmid(db, review.protocol)[entry["pmid"]].uuid
        for number, text in enumerate(entry["arms"], start=1):
            label, arm_type, n = (part.strip() for part in text.split(";"))
            arm = {"label": label, "type": arm_type, "n": int(n)}
            set_value(db, form, "ben", Cell.arm_of(study, f"a{number}"), arm)
        value = entry["values"][0]
        slip = {"as": "mean-sd", "mean": 52.02, "sd": value["sd"], "n": 26,
                "illustrative": "a slip scripted for the screenshot"}  # fmt: skip
        set_value(db, form, "ben", Cell.outcome_of(study, "a1", OUTCOME, value["at"]), slip)
        mark_done(db, "ben", study)


def _extraction_consensus(r: Review) -> Screen[Any]:
    db, form = r.db, r.protocol.form
    labels = {s.uuid: s.label for s in studies_by_pmid(db, r.protocol).values()}
    return ConsensusScreen(
        lambda: open_conflicts(db, form),
        labels,
        lambda state, typed, pick: settle_conflict(db, form, "cleo", state, typed, pick),
    )


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="metasift-screens-"))
    try:
        await screening_screens(work / "screening")
        await after_screening(work / "full")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    asyncio.run(main())
