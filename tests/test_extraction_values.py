"""Extracted values: the form in review.toml, checks as values are entered, units, events with
undo, dual extraction (agreed, conflict, consensus, reopened), blinding, and merging copies."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest

from db.connection import open_review
from db.extraction_values import values_in_force
from extraction.values.cells import Cell
from extraction.values.consensus import (
    AGREED,
    CONFLICT,
    PENDING,
    RESOLVED,
    blinded,
    cell_states,
    finished_by,
    settle,
    settle_conflict,
)
from extraction.values.ledger import ValueRefused, mark_done, reviewer_values, set_value, undo
from extraction.values.reported import derive
from screening.protocol import ProtocolError, parse_protocol
from screening.review import init_review

FORM = """
[extraction]
extractors_required = 2

[extraction.fields]
country = { label = "Country" }
design = { label = "Design", type = "choice", choices = ["RCT", "non-randomised"] }
dose = { label = "Dose", type = "number", unit = "10^6 cells/kg" }

[extraction.outcomes.albumin]
name = "Serum albumin"
unit = "g/L"
better = "higher"
timepoints = ["1 month", "6 months"]

[extraction.outcomes.bilirubin]
name = "Total bilirubin"
unit = "umol/L"
substance = "bilirubin"
better = "lower"
timepoints = ["6 months"]

[extraction.outcomes.adverse]
name = "Adverse events"
kind = "dichotomous"
better = "lower"

[extraction.comparisons.msc_vs_control]
intervention = "MSC"
control = "standard care"
"""
STUDY = str(uuid.uuid5(uuid.NAMESPACE_URL, "metasift-test-study"))


@pytest.fixture
def review(tmp_path: Path):
    folder = tmp_path / "review"
    init_review(folder, title="Extraction")
    toml = folder / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + FORM, encoding="utf-8")
    protocol = parse_protocol(toml.read_text(encoding="utf-8"), toml)
    db = open_review(folder / "review.db")
    yield db, protocol.form
    db.close()


def mean_sd(mean: float, sd: float, n: int) -> dict:
    return {"as": "mean-sd", "mean": mean, "sd": sd, "n": n}


def arms(db, form, who):
    set_value(db, form, who, Cell.arm_of(STUDY, "msc"), {"label": "BM-MSC", "type": "MSC", "n": 20})
    set_value(
        db, form, who, Cell.arm_of(STUDY, "ctl"), {"label": "SMT", "type": "standard care", "n": 21}
    )


def test_the_form_is_read_from_review_toml(review):
    _, form = review
    assert [f.key for f in form.fields] == ["country", "design", "dose"]
    assert form.outcome("adverse").kind == "dichotomous"
    assert form.outcome("adverse").timepoints == ("end of follow-up",)
    assert form.arm_types == ("MSC", "standard care")


BAD_FORMS = [
    (
        '[extraction.fields]\nx = { type = "colour" }',
        "line 3: extraction.fields.x.type: is 'colour'",
    ),
    ('[extraction.outcomes.alb]\nname = "A"', "extraction.outcomes.alb.unit: a continuous"),
    ("[extraction]\nextractors_required = 3", "line 3: extraction.extractors_required: must be"),
    (
        '[extraction.outcomes.alb]\nunit = "g/L"\ntimepoint = ["1 month"]',
        "line 4: extraction.outcomes.alb.timepoint: is not a key here (did you mean timepoints?)",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FORMS)
def test_a_malformed_form_names_key_and_line(text, expected):
    with pytest.raises(ProtocolError) as caught:
        parse_protocol('title = "t"\n' + text + "\n")
    assert expected in str(caught.value)


def test_values_are_checked_as_they_are_entered(review):
    db, form = review
    with pytest.raises(ValueRefused, match="define arm 'msc' first"):
        set_value(db, form, "ana", Cell.outcome_of(STUDY, "msc", "albumin", "1 month"),
                  {"as": "mean-sd", "mean": 30, "sd": 4, "n": 20})  # fmt: skip
    arms(db, form, "ana")
    albumin = Cell.outcome_of(STUDY, "msc", "albumin", "1 month")
    adverse = Cell.outcome_of(STUDY, "msc", "adverse", "end of follow-up")
    later = Cell.outcome_of(STUDY, "msc", "albumin", "2 years")
    cases = [
        (Cell.study_field(STUDY, "design"), "cohort", "one of RCT, non-randomised"),
        (Cell.study_field(STUDY, "colour"), "red", "no such field"),
        (later, mean_sd(1, 1, 2), "extracted at 1 month, 6 months"),
        (albumin, {"as": "median-iqr", "median": 30, "q1": 31, "q3": 35, "n": 20}, "q1 (31)"),
        (albumin, mean_sd(30, -1, 20), "SD cannot be negative"),
        (albumin, mean_sd(30, 4, -5), "n cannot be negative (got -5)"),
        (albumin, mean_sd(30, 4, 10**23), "n must be at most 9007199254740992"),
        (albumin, mean_sd(30, 4, 20.5), "n must be a whole number"),
        (adverse, {"as": "events", "events": 9, "total": 8}, "cannot exceed the total"),
        (adverse, mean_sd(1, 1, 5), "is dichotomous"),
        (Cell.arm_of(STUDY, "x"), {"label": "X", "type": "placebo"}, "arm type must be one of"),
    ]
    for cell, value, message in cases:
        with pytest.raises(ValueRefused, match=re.escape(message)):
            set_value(db, form, "ana", cell, value)
    assert len(reviewer_values(db, "ana", STUDY)) == 2  # the two arms, nothing refused stored


def test_units_convert_with_the_factor_stored_and_unknown_units_are_refused(review):
    db, form = review
    arms(db, form, "ana")
    albumin = Cell.outcome_of(STUDY, "msc", "albumin", "1 month")
    set_value(
        db, form, "ana", albumin, {"as": "mean-sd", "mean": 3.1, "sd": 0.4, "n": 20}, unit="g/dL"
    )
    bilirubin = Cell.outcome_of(STUDY, "msc", "bilirubin", "6 months")
    reported = {"as": "median-iqr", "median": 2, "q1": 1.5, "q3": 3, "n": 20}
    set_value(db, form, "ana", bilirubin, reported, unit="mg/dL")
    stored = {v.cell: v for v in reviewer_values(db, "ana", STUDY)}
    assert (stored[albumin].unit, stored[albumin].factor) == ("g/dL", 10.0)
    derived = derive(stored[albumin].value, stored[albumin].factor)
    assert (derived.mean, derived.sd) == pytest.approx((31.0, 4.0))
    assert "x10" in derived.method
    assert stored[bilirubin].factor == 17.1
    with pytest.raises(ValueRefused, match="cannot convert mmol/L to g/L"):
        set_value(db, form, "ana", albumin, mean_sd(3, 1, 20), unit="mmol/L")


def test_an_edit_is_a_new_event_and_undo_brings_the_earlier_value_back(review):
    db, form = review
    country = Cell.study_field(STUDY, "country")
    set_value(db, form, "ana", country, "China")
    second = set_value(db, form, "ana", country, "Iran")
    assert [v.value for v in reviewer_values(db, "ana", STUDY)] == ["Iran"]
    undo(db, "ana", second)
    assert [v.value for v in reviewer_values(db, "ana", STUDY)] == ["China"]
    assert db.execute("SELECT count(*) FROM extraction_values").fetchone()[0] == 3


def test_dual_extraction_agreed_conflict_consensus_and_reopened(review):
    db, form = review
    country, design = Cell.study_field(STUDY, "country"), Cell.study_field(STUDY, "design")
    set_value(db, form, "ana", country, "China")
    assert cell_states(db, form)[country].state == PENDING
    set_value(db, form, "ben", country, "China")
    set_value(db, form, "ana", design, "RCT")
    set_value(db, form, "ben", design, "non-randomised")
    states = cell_states(db, form)
    assert states[country].state == AGREED and states[country].value.value == "China"
    assert states[design].state == CONFLICT and states[design].value is None
    settle(db, form, "cy", design, "RCT", note="methods, p. 3: randomised by envelope")
    assert cell_states(db, form)[design].state == RESOLVED
    set_value(db, form, "ben", design, "RCT")  # ben changes his value: the consensus no longer fits
    reopened = cell_states(db, form)[design]
    assert reopened.state == AGREED and reopened.consensus is not None


def test_a_study_is_blinded_until_both_extractors_are_done(review):
    db, form = review
    assert blinded(db, form, STUDY)
    mark_done(db, "ana", STUDY)
    assert blinded(db, form, STUDY)
    mark_done(db, "ben", STUDY)
    assert not blinded(db, form, STUDY)
    mark_done(db, "ben", STUDY, done=False)  # ben reopens the study
    assert blinded(db, form, STUDY)


def test_an_extra_extractor_still_at_work_counts_only_once_done(review):
    # two extractors done, a third drafting: the third's values wait for the third's done mark
    db, form = review
    country = Cell.study_field(STUDY, "country")
    for who in ("ana", "ben"):
        set_value(db, form, who, country, "China")
        mark_done(db, who, STUDY)
    set_value(db, form, "cy", country, "Japan")
    set_value(db, form, "cy", Cell.study_field(STUDY, "design"), "RCT")
    states = cell_states(db, form)
    assert states[country].state == AGREED and states[country].value.value == "China"
    assert [v.reviewer for v in states[country].entered] == ["ana", "ben"]
    assert Cell.study_field(STUDY, "design") not in states
    mark_done(db, "cy", STUDY)
    assert cell_states(db, form)[country].state == CONFLICT


def test_taking_an_extractors_value_keeps_where_it_comes_from(review):
    db, form = review
    country = Cell.study_field(STUDY, "country")
    set_value(db, form, "ana", country, "China", note="methods, p. 2")
    set_value(db, form, "ben", country, "Iran", note="affiliations, p. 1")
    for who in ("ana", "ben"):
        mark_done(db, who, STUDY)
    settle_conflict(db, form, "cy", cell_states(db, form)[country], None, 1)
    settled = cell_states(db, form)[country]
    assert settled.state == RESOLVED
    assert (settled.value.value, settled.value.note) == ("Iran", "affiliations, p. 1")


def test_a_field_removed_from_the_form_keeps_its_values(review, tmp_path):
    db, form = review
    set_value(db, form, "ana", Cell.study_field(STUDY, "dose"), 1.5)
    smaller = parse_protocol('title = "t"\n[extraction.fields]\ncountry = {}\n').form
    assert smaller.field("dose") is None
    kept = [r for r in values_in_force(db, study_uuid=STUDY) if r["field"] == "dose"]
    assert [r["value"] for r in kept] == ["1.5"]


def test_extraction_values_from_two_copies_merge_once_in_either_order(tmp_path):
    from screening.decisions.copying import copy_review
    from screening.decisions.merging import merge_copies
    from screening.review import load_review
    from tests.merge_support import new_main

    main = new_main(tmp_path)
    toml = main / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + FORM, encoding="utf-8")
    copies = {}
    for who, country in (("ana", "China"), ("ben", "Iran")):
        with load_review(main) as review:
            copies[who] = copy_review(review, who, tmp_path / f"to-{who}").path
        with load_review(copies[who]) as theirs:
            set_value(
                theirs.db, theirs.protocol.form, who, Cell.study_field(STUDY, "country"), country
            )
            mark_done(theirs.db, who, STUDY)
    results = {}
    for order in (("ana", "ben"), ("ben", "ana")):
        folder = tmp_path / "-".join(order)
        shutil.copytree(main, folder)
        with load_review(folder) as review:
            merged = merge_copies(
                review.db, review.protocol, review.path, [copies[w] for w in order]
            )
            assert [
                m.tallies[w]["extraction_values"].added for m, w in zip(merged, order, strict=True)
            ] == [2, 2]
            states = cell_states(review.db, review.protocol.form)
            results[order] = {c: (s.state, [v.value for v in s.entered]) for c, s in states.items()}
            assert not blinded(review.db, review.protocol.form, STUDY)
            again = merge_copies(review.db, review.protocol, review.path, [copies["ana"]])
            assert again[0].added == 0
    assert results[("ana", "ben")] == results[("ben", "ana")]
    assert list(results[("ana", "ben")].values()) == [(CONFLICT, ["China", "Iran"])]


def test_extract_compare_lists_differences_once_both_are_done(review, tmp_path):
    from click.testing import CliRunner

    from screening.cli import cli

    db, form = review
    folder = str(tmp_path / "review")
    design = Cell.study_field(STUDY, "design")
    set_value(db, form, "ana", design, "RCT", note="p. 2")
    set_value(db, form, "ben", design, "non-randomised")
    mark_done(db, "ana", STUDY)
    run = CliRunner().invoke
    assert "no values differ" in run(cli, ["extract", "compare", "--review", folder]).output
    mark_done(db, "ben", STUDY)
    shown = run(cli, ["extract", "compare", "--review", folder])
    assert shown.exit_code == 0, shown.output
    assert 'ana          "RCT"  (p. 2)' in shown.output and "1 value to settle" in shown.output
    listed = json.loads(run(cli, ["extract", "compare", "--review", folder, "--json"]).output)
    assert [v["value"] for v in listed[0]["values"]] == ["RCT", "non-randomised"]
    settle(db, form, "cy", design, "RCT")
    assert json.loads(run(cli, ["extract", "compare", "--review", folder, "--json"]).output) == []


def test_control_characters_never_reach_the_review(review):
    db, form = review
    set_value(
        db, form, "ana", Cell.study_field(STUDY, "country"), "Chi\x1b]0;PWNED\x07na", note="p\x9b2"
    )
    (stored,) = reviewer_values(db, "ana", STUDY)
    assert (stored.value, stored.note) == ("Chi]0;PWNEDna", "p2")


def test_two_changes_in_one_millisecond_keep_their_order(review, monkeypatch):
    db, form = review
    monkeypatch.setattr("extraction.values.ledger.utc_now", lambda: "2026-05-01T10:00:00.000+00:00")
    country = Cell.study_field(STUDY, "country")
    for value in ("China", "Iran", "Egypt"):  # one stamp: (time, UUID) alone would guess
        set_value(db, form, "ana", country, value)
    assert [v.value for v in reviewer_values(db, "ana", STUDY)] == ["Egypt"]
    mark_done(db, "ana", STUDY)
    mark_done(db, "ana", STUDY, done=False)
    assert "ana" not in finished_by(db, STUDY)
