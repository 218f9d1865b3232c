"""Risk-of-bias answers as events: written and checked, undo, overrides that need a
justification, consensus per domain (agreed, conflict, resolved, reopened by a changed
answer), blinding until both reviewers are done, and merging two reviewers' copies."""

from __future__ import annotations

import json
import shutil
import uuid

import pytest

from db.errors import MetasiftError
from extraction.rob import ledger
from extraction.rob.assessment import WHOLE
from extraction.rob.consensus import (
    AGREED,
    CONFLICT,
    PENDING,
    RESOLVED,
    agreed,
    blinded,
    domain_states,
    settle,
)
from extraction.rob.form import (
    RobForm,
    judgement_example,
    page_label,
    parse_consensus,
    parse_judgement,
)
from extraction.rob.instrument import find_instrument
from extraction.rob.ledger import Target

ROB2 = find_instrument("rob2")
ROBINS = find_instrument("robins-i")
STUDY = str(uuid.uuid5(uuid.NAMESPACE_URL, "metasift-test-study"))
RESULT = "MELD at 6 months"
ALL_LOW = {
    "D1": "1.1=Y,1.2=Y,1.3=N",
    "D2": "2.1=N,2.2=N,2.6=Y",
    "D3": "3.1=Y",
    "D4": "4.1=N,4.2=N,4.3=N",
    "D5": "5.1=Y,5.2=N,5.3=N",
}


@pytest.fixture
def db(review_db):
    return review_db


def target(who: str, instrument=ROB2) -> Target:
    return Target(instrument, STUDY, RESULT, who)


def answer_all(db, who: str, answers: dict[str, str] = ALL_LOW) -> None:
    for domain, pairs in answers.items():
        for pair in pairs.split(","):
            question, given = pair.split("=")
            ledger.answer(db, target(who), domain, question, given, support=f"{who} read it")


def states_of(db) -> dict[str, tuple[str, str | None]]:
    return {s.domain: (s.state, s.value) for s in domain_states(db, ROB2)}


def test_answers_are_events_with_support_quote_and_page(db):
    ledger.answer(db, target("ana"), "D1", "1.1", "Y", support="computer list",
                  quote="a computer-generated list", page="4")  # fmt: skip
    ledger.answer(db, target("ana"), "D1", "1.1", "PY")  # a changed answer: a new event
    rows = db.execute(
        "SELECT study_uuid, instrument, result, domain, question, answer, support, quote, page,"
        " reviewer FROM rob_answers ORDER BY id"
    ).fetchall()
    assert rows[0] == (STUDY, "rob2", RESULT, "D1", "1.1", "Y", "computer list",
                       "a computer-generated list", "4", "ana")  # fmt: skip
    assert rows[1][5] == "PY" and len(rows) == 2
    form = RobForm(db, ROB2, "ana", [], RESULT)
    assert form.assessment(STUDY).given(ROB2.domain("D1")) == {"1.1": "PY"}


def test_refused_answers_are_not_stored(db):
    with pytest.raises(MetasiftError, match="1.1=NA is not allowed"):
        ledger.answer(db, target("ana"), "D1", "1.1", "NA")
    with pytest.raises(MetasiftError, match="has no question 9.9"):
        ledger.answer(db, target("ana"), "D1", "9.9", "Y")
    with pytest.raises(MetasiftError, match="has no domain 'D9'"):
        ledger.answer(db, target("ana"), "D9", "9.1", "Y")
    assert db.execute("SELECT count(*) FROM rob_answers").fetchone()[0] == 0


def test_undo_brings_back_the_earlier_answer(db):
    ledger.answer(db, target("ana"), "D3", "3.1", "Y")
    later = ledger.answer(db, target("ana"), "D3", "3.1", "N")
    ledger.undo(db, "ana", later)
    form = RobForm(db, ROB2, "ana", [], RESULT)
    assert form.assessment(STUDY).given(ROB2.domain("D3")) == {"3.1": "Y"}
    with pytest.raises(MetasiftError, match="no risk-of-bias event"):
        ledger.undo(db, "ben", later)


def test_an_override_needs_a_justification_and_stands_over_the_suggestion(db):
    answer_all(db, "ana")
    with pytest.raises(MetasiftError, match="needs a justification"):
        ledger.judge(db, target("ana"), "D1", "high")
    ledger.judge(db, target("ana"), "D1", "high", "allocation by birth date, p. 3")
    assessment = RobForm(db, ROB2, "ana", [], RESULT).assessment(STUDY)
    d1 = ROB2.domain("D1")
    assert assessment.suggestion(d1) == "low" and assessment.judgement(d1) == "high"
    assert assessment.overall() == "high"  # the overall rule over the judgements that stand
    ledger.judge(db, target("ana"), WHOLE, "some_concerns", "the override is disputed")
    assert RobForm(db, ROB2, "ana", [], RESULT).assessment(STUDY).overall() == "some_concerns"


def test_robins_i_domain_judgements_are_set_by_the_reviewer(db):
    for domain in ROBINS.domain_ids():
        ledger.judge(db, target("ana", ROBINS), domain, "serious" if domain == "D3" else "low")
    form = RobForm(db, ROBINS, "ana", [], RESULT)
    assert form.assessment(STUDY).overall() == "serious"


def test_two_reviewers_agree_conflict_and_settle_per_domain(db):
    answer_all(db, "ana")
    assert states_of(db)["D1"] == (PENDING, None)
    answer_all(db, "ben", {**ALL_LOW, "D3": "3.1=N,3.2=N,3.3=Y,3.4=Y"})
    states = states_of(db)
    assert states["D1"] == (AGREED, "low") and states["D3"] == (CONFLICT, None)
    assert states[WHOLE] == (CONFLICT, None)
    settle(db, ROB2, "cy", (STUDY, RESULT), "D3", "some_concerns", "3.4 is PN on the CSR")
    assert states_of(db)["D3"] == (RESOLVED, "some_concerns")
    # ben changes an answer in D3: the consensus no longer matches what it settled
    ledger.answer(db, target("ben"), "D3", "3.4", "N")
    assert states_of(db)["D3"] == (CONFLICT, None)
    # a change in another domain leaves D3's consensus alone
    settle(db, ROB2, "cy", (STUDY, RESULT), "D3", "some_concerns", "again")
    ledger.answer(db, target("ana"), "D5", "5.1", "PY")
    assert states_of(db)["D3"] == (RESOLVED, "some_concerns")
    table = agreed(db, ROB2)[(STUDY, RESULT)]
    assert table["D1"].value == "low" and table["D3"].value == "some_concerns"


def test_blinded_until_both_reviewers_are_done(db):
    answer_all(db, "ana")
    answer_all(db, "ben")
    assert blinded(db, ROB2, STUDY, RESULT)
    ledger.mark_done(db, target("ana"))
    assert blinded(db, ROB2, STUDY, RESULT)
    ledger.mark_done(db, target("ben"))
    assert not blinded(db, ROB2, STUDY, RESULT)
    study = type("S", (), {"uuid": STUDY, "label": "Smith 2020"})()
    form = RobForm(db, ROB2, "ana", [study], RESULT)
    assert form.states()["D1"].judgements == {"ana": "low", "ben": "low"}
    ledger.mark_done(db, target("ben"), done=False)  # ben reopens
    assert blinded(db, ROB2, STUDY, RESULT) and form.states() == {}


def test_judgements_are_typed_as_a_word_and_why():
    assert parse_judgement(ROB2, "high: not concealed") == ("high", "not concealed")
    assert parse_judgement(ROB2, "some p. 4") == ("some_concerns", "p. 4")
    assert parse_judgement(ROBINS, "mod: fine") == ("moderate", "fine")
    assert parse_judgement(ROB2, "  ") == (None, "")
    # a label with a space, typed in full, is one judgement, not a word and a justification
    assert parse_judgement(ROB2, "some concerns: p. 4") == ("some_concerns", "p. 4")
    assert parse_judgement(ROB2, "Some Concerns") == ("some_concerns", "")
    assert parse_judgement(ROBINS, "no information: not reported") == (
        "no_information",
        "not reported",
    )
    with pytest.raises(MetasiftError, match="is not one judgement"):
        parse_judgement(ROBINS, "x: why")


def test_rob_answers_from_two_copies_merge_once_in_either_order(tmp_path):
    from screening.decisions.copying import copy_review
    from screening.decisions.merging import merge_copies
    from screening.review import load_review
    from tests.merge_support import new_main

    main = new_main(tmp_path)
    copies = {}
    for who, d3 in (("ana", "3.1=Y"), ("ben", "3.1=N,3.2=N,3.3=Y,3.4=Y")):
        with load_review(main) as review:
            copies[who] = copy_review(review, who, tmp_path / f"to-{who}").path
        with load_review(copies[who]) as theirs:
            answer_all(theirs.db, who, {**ALL_LOW, "D3": d3})
            ledger.mark_done(theirs.db, target(who))
    results = {}
    for order in (("ana", "ben"), ("ben", "ana")):
        folder = tmp_path / "-".join(order)
        shutil.copytree(main, folder)
        with load_review(folder) as review:
            merged = merge_copies(
                review.db, review.protocol, review.path, [copies[w] for w in order]
            )
            added = [m.tallies[w]["rob_answers"].added for m, w in zip(merged, order, strict=True)]
            # each reviewer's answers and done mark: ana 13 + 1, ben 16 + 1
            assert dict(zip(order, added, strict=True)) == {"ana": 14, "ben": 17}
            assert not blinded(review.db, ROB2, STUDY, RESULT)
            results[order] = states_of(review.db)
            again = merge_copies(review.db, review.protocol, review.path, [copies["ana"]])
            assert again[0].added == 0
    assert results[("ana", "ben")] == results[("ben", "ana")]
    assert results[("ana", "ben")]["D3"] == (CONFLICT, None)
    assert results[("ana", "ben")]["D1"] == (AGREED, "low")


def test_consensus_names_what_it_settled(db):
    answer_all(db, "ana")
    answer_all(db, "ben")
    made = settle(db, ROB2, "cy", (STUDY, RESULT), "D1", "low", "both low")
    row = db.execute("SELECT role, settles FROM rob_answers WHERE uuid = ?", [made]).fetchone()
    assert row[0] == "consensus" and len(json.loads(row[1])) == 6  # 3 answers each


def test_total_sample_size_is_the_sum_of_agreed_arms(tmp_path):
    from extraction.rob.export import total_sample_sizes
    from extraction.values.cells import Cell
    from extraction.values.ledger import set_value
    from screening.protocol import parse_protocol
    from screening.review import init_review
    from tests.test_extraction_values import FORM

    folder = tmp_path / "sized"
    init_review(folder, title="Sizes")
    toml = folder / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + FORM, encoding="utf-8")
    form = parse_protocol(toml.read_text(encoding="utf-8"), toml).form
    from db.connection import open_review

    db = open_review(folder / "review.db")
    for who in ("ana", "ben"):
        for arm, n in (("msc", 20), ("ctl", 21)):
            value = {"label": arm, "type": "MSC" if arm == "msc" else "standard care", "n": n}
            set_value(db, form, who, Cell.arm_of(STUDY, arm), value)
    assert total_sample_sizes(db, form) == {STUDY: 41}
    set_value(
        db,
        form,
        "ben",
        Cell.arm_of(STUDY, "ctl"),
        {"label": "ctl", "n": 22, "type": "standard care"},
    )
    assert total_sample_sizes(db, form) == {STUDY: 20}  # the control arm is in conflict
    db.close()


def test_the_form_command_needs_a_terminal(tmp_path):
    from click.testing import CliRunner

    from screening.cli import cli

    out = CliRunner().invoke(cli, ["rob", "--reviewer", "ana"])
    assert out.exit_code == 1 and "metasift rob needs a terminal" in out.stderr


def form_of(db, who: str = "ana", instrument=ROB2) -> RobForm:
    """who's form on the one test study."""
    study = type("S", (), {"uuid": STUDY, "label": "Smith 2020"})()
    return RobForm(db, instrument, who, [study], RESULT)


def test_done_is_refused_while_a_domain_has_no_judgement(db):
    form = form_of(db)
    answer_all(db, "ana", {d: pairs for d, pairs in ALL_LOW.items() if d in ("D1", "D3")})
    with pytest.raises(MetasiftError) as refused:
        form.toggle_done()
    assert str(refused.value) == (
        "not done: 3 domains have no judgement yet: D2 D4 D5 "
        "(answer their questions, or o sets one)"
    )
    assert not form.assessment().done and form.undoable == []
    answer_all(db, "ana")
    assert form.toggle_done() and form.assessment().done
    assert not blinded(db, ROB2, STUDY, RESULT, required=1)  # what rob compare reads as done


def test_robins_i_done_needs_each_domain_judged_by_the_reviewer(db):
    form = form_of(db, instrument=ROBINS)
    for domain in ROBINS.domain_ids()[:-1]:
        form.override(domain, "low: as reported")
    with pytest.raises(MetasiftError, match="1 domain has no judgement yet: D7 .*o sets it"):
        form.toggle_done()
    form.override("D7", "moderate: some outcome data missing")
    assert form.toggle_done()


def test_a_change_that_leaves_a_done_study_unjudged_reopens_it(db):
    answer_all(db, "ana")
    form = form_of(db)
    form.toggle_done()
    form.page = form.pages().index("D3")
    form.answer("3.1", "N")  # 3.2 now applies and is unanswered: D3 has no judgement
    assert not form.assessment().done
    assert form.done_note(True) == (
        "no longer done: 1 domain has no judgement yet: D3 (answer its questions, or o sets it);"
        " d marks it done again"
    )
    assert form.undo() and form.assessment().done  # one undo: the answer and the reopening
    assert form.assessment().given(ROB2.domain("D3")) == {"3.1": "Y"}
    form.answer("3.1", "PY")  # D3 is still judged: the study stays done
    assert form.assessment().done and "stays done" in form.done_note(True)
    assert form.done_note(False) == ""


def test_a_preliminary_choice_is_named_by_a_unique_start_in_any_case(db):
    form = form_of(db)
    form.note("design", support="Cluster")
    form.note("effect_of_interest", support=" ADHERING ")
    assert form.assessment().preliminary == {
        "design": "cluster-randomized parallel-group",
        "effect_of_interest": "adhering",
    }
    form.note("design", support="individually randomized parallel")  # a hyphen typed as a space
    assert form.assessment().preliminary["design"] == "individually-randomized parallel-group"
    with pytest.raises(MetasiftError) as two:
        form.note("design", support="Individually")
    assert str(two.value) == (
        "'Individually' starts more than one Study design choice (individually-randomized "
        "parallel-group; individually randomized cross-over): type more of it"
    )
    with pytest.raises(MetasiftError, match="; individually randomized cross-over \\(a unique"):
        form.note("design", support="stepped wedge")
    form.note("comparator", support="Standard Care")  # free text is kept as typed
    assert form.assessment().preliminary["comparator"] == "Standard Care"


def test_a_preliminary_choice_typed_as_only_a_hyphen_names_none(db):
    form = form_of(db)
    with pytest.raises(MetasiftError, match="^'-' is not a Study design choice: type one of"):
        form.note("design", support="-")  # once hyphens are spaces, nothing is left


def test_a_page_is_shown_with_one_page_word():
    assert [page_label(p) for p in ("4", "4-5", "p. 4", "pp. 4-5", "page 12", "S3")] == [
        "p. 4",
        "pp. 4-5",
        "p. 4",
        "pp. 4-5",
        "page 12",
        "p. S3",
    ]


def test_a_quote_typed_with_its_page_word_stores_the_page_alone(db):
    form = form_of(db)
    form.page = form.pages().index("D1")
    form.answer("1.1", "Y")
    form.note("1.1", quote="p. 3 | sealed envelopes")
    assert form.lines()[0].quote == "p. 3: sealed envelopes"
    assert form.assessment().answers["D1"]["1.1"]["page"] == "3"
    ledger.answer(db, target("ana"), "D1", "1.1", "Y", quote="as typed before", page="p. 7")
    assert form.lines()[0].quote == "p. 7: as typed before"  # an old entry, not doubled


def test_judgement_examples_are_the_instruments_own():
    assert judgement_example(ROB2) == "high: why"
    assert judgement_example(ROBINS) == "critical: why"
    with pytest.raises(MetasiftError, match="type e.g. 'critical: why'"):
        parse_judgement(ROBINS, "high: test")
    with pytest.raises(MetasiftError, match="e.g. 'critical: agreed, p. 4'"):
        parse_consensus(ROBINS, "serious")
