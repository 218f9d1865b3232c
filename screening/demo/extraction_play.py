"""Play the example review's risk of bias and extraction from data/play.toml: both reviewers
answer RoB 2 for every included study through a RobForm (as `metasift rob` does) and settle
where they differ; one extractor enters each study's fields, arms and outcome values through
the extraction ledger (as `metasift extract` does). Every value carries a note saying where
it comes from: a quoted sentence of the abstract, or ILLUSTRATIVE. No abstract reports an SD,
so every outcome value is stored as illustrative (extraction.values.reported): every sheet,
analysis and plot made from it names its study as illustrative, never as an imputed SD."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlite_utils import Database

from extraction.forms.form import Form
from extraction.rob.form import RobForm
from extraction.rob.instrument import find_instrument
from extraction.studies.grouping import IncludedStudy, included_studies
from extraction.values.cells import Cell
from extraction.values.ledger import mark_done, set_value
from screening.decisions.reports import full_text_reports
from screening.demo.example import Say
from screening.demo.screening_play import REVIEWERS
from screening.protocol import Protocol

EXTRACTOR = "ana"
OUTCOME = "inflammatory_lesions"
# no commas: the extraction screen's entry line reads a comma as a space
SD_MADE_UP = "SD made up for the demo: no abstract reports one"
ALL_MADE_UP = "numbers made up for the demo where the note says ILLUSTRATIVE; every SD"
PRELIMINARY = {
    "design": "individually-randomized parallel-group",
    "effect_of_interest": "assignment",
}


def studies_by_pmid(db: Database, protocol: Protocol) -> dict[str, IncludedStudy]:
    """The included studies, by the PMID of their first report."""
    found = included_studies(db, full_text_reports(db, protocol))
    return {_pmid(db, s.record_ids[0]): s for s in found}


def play_rob(
    db: Database,
    protocol: Protocol,
    play: dict[str, Any],
    say: Say,
    by_keys: Collection[tuple[str, str]] = (),
) -> None:
    """by_keys: (reviewer, PMID) pairs left out, for a test to assess them in the screens
    instead (the consensus too, when its study is among them)."""
    script, studies = play["rob"], studies_by_pmid(db, protocol)
    instrument = find_instrument("rob2")
    for reviewer in REVIEWERS:
        form = RobForm(db, instrument, reviewer, list(studies.values()))
        for at, pmid in enumerate(studies):
            if (reviewer, pmid) not in by_keys:
                form.at, form.page = at, 0
                assess(form, rob_answers(script, reviewer, pmid), script["support"])
        say(f"risk of bias: {reviewer} answered RoB 2 for {len(studies)} included studies "
            "(demo answers from the abstracts: not assessments of these papers)")  # fmt: skip
    agreed = script["consensus"]
    if agreed["pmid"] in {pmid for _, pmid in by_keys}:
        return
    form = RobForm(db, instrument, "ana", list(studies.values()))
    form.at = list(studies).index(agreed["pmid"])
    form.settle(agreed["domain"], f"{agreed['judgement']}: {agreed['why']}")
    say(f"risk of bias: ana and ben judged {agreed['domain']} of PMID {agreed['pmid']} "
        "differently and settled it by consensus")  # fmt: skip


def rob_answers(script: dict[str, Any], reviewer: str, pmid: str) -> dict[str, str]:
    """The answers the script gives (others: NI where offered, else PN)."""
    differs = script["ben_differs"]
    own = {differs["question"]: differs["answer"]} if (
        reviewer == "ben" and differs["pmid"] == pmid) else {}  # fmt: skip
    return {**script["answers"], **own}


def default_answer(key: str, answers: dict[str, str], options: tuple[str, ...]) -> str:
    """A question the script does not answer: no information where offered, else PN."""
    return answers.get(key) or ("NI" if "NI" in options else "PN")


def assess(form: RobForm, answers: dict[str, str], support: str) -> None:
    """Answer every question that applies, page by page, then mark the study done."""
    for key, choice in PRELIMINARY.items():
        form.note(key, support=choice)
    for page in range(1, len(form.pages())):
        form.page = page
        domain = form.domain()
        assert domain is not None  # pages after the first are domains
        options = {q.id: q.options for q in domain.questions}
        while True:
            waiting = [line for line in form.lines() if line.applies and not line.answer]
            if not waiting:
                break
            key = waiting[0].key
            form.answer(key, default_answer(key, answers, tuple(options[key])))
            if key in answers:
                form.note(key, support=support)
    form.toggle_done()


def play_extraction(
    db: Database, protocol: Protocol, play: dict[str, Any], say: Say, by_keys: Collection[str] = ()
) -> None:
    """by_keys: PMIDs left out, for a test to extract them in the screen instead."""
    studies, form = studies_by_pmid(db, protocol), protocol.form
    quoted = illustrative = 0
    for entry in play["extraction"]:
        if entry["pmid"] in by_keys:
            continue
        study = studies[entry["pmid"]].uuid
        _enter_study(db, form, study, entry)
        for value in entry["values"]:
            _enter_value(db, form, study, entry, value)
            quoted += _quoted(value)
            illustrative += not _quoted(value)
        mark_done(db, EXTRACTOR, study)
    say(f"extraction: {EXTRACTOR} extracted {len(play['extraction'])} studies (design, "
        f"comparator, two arms, {OUTCOME} at 4 and 12 weeks): {quoted} of {quoted + illustrative} "
        "means quoted from the abstracts, the rest and every SD ILLUSTRATIVE (each value's "
        "note says which)")  # fmt: skip


def _enter_study(db: Database, form: Form, study: str, entry: dict[str, Any]) -> None:
    for key in ("design", "comparator"):
        set_value(db, form, EXTRACTOR, Cell.study_field(study, key), entry[key])
    where = f"Means quoted from the abstract where its note says so; {entry['arm_note']}"
    set_value(db, form, EXTRACTOR, Cell.study_field(study, "data"), where)
    for number, text in enumerate(entry["arms"], start=1):
        label, arm_type, n = (part.strip() for part in text.split(";"))
        arm = {"label": label, "type": arm_type, "n": int(n)}
        set_value(db, form, EXTRACTOR, Cell.arm_of(study, f"a{number}"), arm)


def _enter_value(
    db: Database, form: Form, study: str, entry: dict[str, Any], value: dict[str, Any]
) -> None:
    number = int(value["arm"].removeprefix("a"))
    arm_n = int(entry["arms"][number - 1].rsplit(";", 1)[1])
    reported = {"as": "mean-sd", "mean": value["mean"], "sd": value["sd"], "n": arm_n,
                "illustrative": made_up(value)}  # fmt: skip
    cell = Cell.outcome_of(study, value["arm"], OUTCOME, value["at"])
    set_value(db, form, EXTRACTOR, cell, reported, note=value["note"])


def made_up(value: dict[str, Any]) -> str:
    """What the value's illustrative mark says is made up."""
    return SD_MADE_UP if _quoted(value) else ALL_MADE_UP


def _quoted(value: dict[str, Any]) -> bool:
    """The mean is quoted from the abstract (its note: "mean ... from the abstract: '...'")."""
    return str(value["note"]).startswith("mean")


def _pmid(db: Database, record_id: int) -> str:
    return str(db.table("records").get(record_id)["pmid"])
