"""The end-to-end test's risk-of-bias and extraction steps, by the real screens' keys: one
reviewer's RoB 2 form for one study (`metasift rob`), the adjudicator's consensus screen
(`metasift rob consensus`), and the extraction screen (`metasift extract`) for one study,
each typing what screening/demo/data/play.toml scripts (the demo's core plays the rest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from extraction.rob.adjudication import RobConsensus
from extraction.rob.assessment import WHOLE
from extraction.rob.form import RobForm
from extraction.rob.instrument import find_instrument
from extraction.tui.extract_screen import ExtractScreen
from extraction.tui.rob_consensus_screen import RobConsensusScreen
from extraction.tui.rob_screen import RobScreen
from extraction.values.cells import Cell
from extraction.values.worksheet import Worksheet
from screening.demo.extraction_play import (
    EXTRACTOR,
    OUTCOME,
    PRELIMINARY,
    default_answer,
    made_up,
    rob_answers,
    studies_by_pmid,
)
from screening.review import load_review
from screening.tui.app import make_app

ANSWER_KEYS = {"Y": "y", "PY": "Y", "PN": "N", "N": "n", "NI": "i", "NA": "a"}
SIZE = (120, 40)


async def type_line(pilot: Pilot, row: int, key: str, text: str) -> None:
    """Open the entry on row with key, type text, Enter."""
    pilot.app.screen.query_one("#lines", DataTable).move_cursor(row=row)
    await pilot.press(key)
    pilot.app.screen.query_one("#entry", Input).value = text
    await pilot.press("enter")


async def rob_with_keys(folder: Path, reviewer: str, pmid: str, script: dict[str, Any]) -> None:
    """The reviewer answers RoB 2 for the study in the form screen, page by page, and marks
    it done: the script's answers, no information (else probably no) where it has none."""
    review = load_review(folder)
    studies = studies_by_pmid(review.db, review.protocol)
    form = RobForm(review.db, find_instrument("rob2"), reviewer, list(studies.values()))
    form.at = list(studies).index(pmid)
    answers = rob_answers(script, reviewer, pmid)
    async with make_app(lambda: RobScreen(form)).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, RobScreen)
        for key, choice in PRELIMINARY.items():
            await type_line(pilot, [line.key for line in screen.lines].index(key), "s", choice)
        for _ in range(1, len(form.pages())):
            await pilot.press("right_square_bracket")
            domain = form.domain()
            assert domain is not None
            options = {q.id: tuple(q.options) for q in domain.questions}
            for _ in range(len(options)):  # each press answers one question
                waiting = [line.key for line in form.lines() if line.applies and not line.answer]
                if not waiting:
                    break
                key = waiting[0]
                row = [line.key for line in screen.lines].index(key)
                screen.query_one("#lines", DataTable).move_cursor(row=row)
                await pilot.press(ANSWER_KEYS[default_answer(key, answers, options[key])])
                if key in answers:
                    await type_line(pilot, row, "s", script["support"])
        await pilot.press("d")
        assert form.assessment().done, f"{reviewer} could not mark {pmid} done"
    review.close()


async def rob_consensus_with_keys(folder: Path, script: dict[str, Any]) -> int:
    """cleo settles every risk-of-bias disagreement in the consensus screen: the scripted
    domain by writing its judgement and why, the overall judgement by the rule; how many."""
    review = load_review(folder)
    studies = studies_by_pmid(review.db, review.protocol)
    labels = {s.uuid: s.label for s in studies.values()}
    settling = RobConsensus(review.db, find_instrument("rob2"), "cleo", labels)
    agreed, settled = script["consensus"], 0
    async with make_app(lambda: RobConsensusScreen(settling)).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, RobConsensusScreen)
        while (shown := screen.current()) is not None and settled < 4:
            if shown.state.domain == WHOLE:
                await pilot.press("s", "enter")  # the overall by the rule, from the domains
            else:
                assert shown.state.domain == agreed["domain"]
                await pilot.press("e")
                screen.query_one("#entry", Input).value = f"{agreed['judgement']}: {agreed['why']}"
                await pilot.press("enter")
            settled += 1
    assert not settling.disagreements()
    review.close()
    return settled


def typed_value(entry: dict[str, Any], value: dict[str, Any]) -> str:
    """A scripted outcome value as the extractor types it (the arm's n from its definition)."""
    n = entry["arms"][int(value["arm"].removeprefix("a")) - 1].rsplit(";", 1)[1].strip()
    return (f'mean {value["mean"]} sd {value["sd"]} n {n} '
            f'illustrative "{made_up(value)}" note "{value["note"]}"')  # fmt: skip


async def extract_with_keys(folder: Path, entry: dict[str, Any]) -> None:
    """The extractor types one study's fields, arms and outcome values in the extraction
    screen and marks it done."""
    review = load_review(folder)
    study = studies_by_pmid(review.db, review.protocol)[entry["pmid"]]
    sheet = Worksheet(review.db, review.protocol.form, EXTRACTOR, study.uuid)
    async with make_app(lambda: ExtractScreen([(study, sheet)])).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ExtractScreen)

        def row_of(cell: Cell) -> int:
            return [line.cell for line in screen.lines].index(cell)

        where = f"Means quoted from the abstract where its note says so; {entry['arm_note']}"
        for key, text in (("design", entry["design"]), ("comparator", entry["comparator"]),
                          ("data", where)):  # fmt: skip
            await type_line(pilot, row_of(Cell.study_field(study.uuid, key)), "enter", text)
        for number, arm in enumerate(entry["arms"], start=1):
            await type_line(pilot, row_of(Cell.arm_of(study.uuid, f"a{number}")), "enter", arm)
        for value in entry["values"]:
            cell = Cell.outcome_of(study.uuid, value["arm"], OUTCOME, value["at"])
            await type_line(pilot, row_of(cell), "enter", typed_value(entry, value))
        await pilot.press("d")
        assert sheet.done, "the keys could not mark the study done"
    review.close()
