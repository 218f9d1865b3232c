"""The risk-of-bias engine against the published RoB 2 trees: every combination of answers
each domain's tree distinguishes, judged by the engine (which reads rob2.toml) and by a plain
encoding of the trees in ../shared/reference/risk-of-bias.md written out below; the overall
rules of RoB 2 and ROBINS-I; errors for missing and refused answers; and an instrument that
is only a data file (tests/fixtures/rob/toy_checklist.toml)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from db.errors import MetasiftError
from extraction.rob.engine import RobAnswerError, judge_domain, overall, parse_pairs
from extraction.rob.instrument import find_instrument, load_instrument
from tests.conftest import FIXTURES

ROB2 = find_instrument("rob2")
ROBINS = find_instrument("robins-i")
LOW, SOME, HIGH = "low", "some_concerns", "high"
ERROR = "error"  # the tree meets an answer it has no branch for
Y, N = ("Y", "PY"), ("N", "PN")  # Y*, N*


def yes(a: str) -> bool:
    return a in Y


def no(a: str) -> bool:
    return a in N


# -- the trees, written out by hand from the reference file ---------------------------------


def d1(a: dict[str, str]) -> str:
    if no(a["1.2"]):
        return HIGH
    if a["1.2"] == "NI":
        return HIGH if yes(a["1.3"]) else SOME
    if no(a["1.1"]):
        return SOME
    return SOME if yes(a["1.3"]) else LOW


def d2_assignment(a: dict[str, str]) -> str:
    if no(a["2.1"]) and no(a["2.2"]):
        part1 = LOW
    elif no(a["2.3"]):
        part1 = LOW
    elif a["2.3"] == "NI":
        part1 = SOME
    elif not yes(a["2.3"]):
        return ERROR
    elif no(a["2.4"]):
        part1 = SOME
    elif a["2.4"] == "NA":
        return ERROR
    elif yes(a["2.5"]):
        part1 = SOME
    elif a["2.5"] == "NA":
        return ERROR
    else:
        part1 = HIGH
    if yes(a["2.6"]):
        part2 = LOW
    elif no(a["2.7"]):
        part2 = SOME
    elif a["2.7"] == "NA":
        return ERROR
    else:
        part2 = HIGH
    return max(part1, part2, key=[LOW, SOME, HIGH].index)


def d2_adhering(a: dict[str, str]) -> str:
    to_q26 = False
    if not (no(a["2.1"]) and no(a["2.2"])) and (no(a["2.3"]) or a["2.3"] == "NI"):
        to_q26 = True
    elif a["2.4"] in (*Y, "NI") or a["2.5"] in (*Y, "NI"):
        to_q26 = True
    if not to_q26:
        return LOW
    if a["2.6"] == "NA":
        return ERROR
    return SOME if yes(a["2.6"]) else HIGH


def d3(a: dict[str, str]) -> str:
    if yes(a["3.1"]):
        return LOW
    if a["3.2"] == "NA":
        return ERROR
    if yes(a["3.2"]):
        return LOW
    if a["3.3"] == "NA":
        return ERROR
    if no(a["3.3"]):
        return LOW
    if a["3.4"] == "NA":
        return ERROR
    return SOME if no(a["3.4"]) else HIGH


def d4(a: dict[str, str]) -> str:
    if yes(a["4.1"]) or yes(a["4.2"]):
        return HIGH
    informed = no(a["4.2"])  # 4.2 NI takes the other branch, where "no" is some concerns
    for q in ("4.3", "4.4"):
        if a[q] == "NA":
            return ERROR
        if no(a[q]):
            return LOW if informed else SOME
    if a["4.5"] == "NA":
        return ERROR
    return SOME if no(a["4.5"]) else HIGH


def d5(a: dict[str, str]) -> str:
    if yes(a["5.2"]) or yes(a["5.3"]):
        return HIGH
    if no(a["5.2"]) and no(a["5.3"]):
        return LOW if yes(a["5.1"]) else SOME
    return SOME


# which questions apply (the reference's ask_if), to set NA where they do not
def applies_d2_assignment(a: dict[str, str]) -> dict[str, bool]:
    either = a["2.1"] in (*Y, "NI") or a["2.2"] in (*Y, "NI")
    q23 = either and yes(a["2.3"])
    q24 = q23 and a["2.4"] in (*Y, "NI")
    return {"2.3": either, "2.4": q23, "2.5": q24, "2.7": a["2.6"] in (*N, "NI")}


def applies_d2_adhering(a: dict[str, str]) -> dict[str, bool]:
    q23 = a["2.1"] in (*Y, "NI") or a["2.2"] in (*Y, "NI")
    a23 = a["2.3"] if q23 else "NA"
    q26 = a23 in (*N, "NI") or a["2.4"] in (*Y, "NI") or a["2.5"] in (*Y, "NI")
    return {"2.3": q23, "2.6": q26}


def applies_d3(a: dict[str, str]) -> dict[str, bool]:
    q32 = a["3.1"] in (*N, "NI")
    q33 = q32 and no(a["3.2"])
    return {"3.2": q32, "3.3": q33, "3.4": q33 and a["3.3"] in (*Y, "NI")}


def applies_d4(a: dict[str, str]) -> dict[str, bool]:
    q43 = a["4.1"] in (*N, "NI") and a["4.2"] in (*N, "NI")
    q44 = q43 and a["4.3"] in (*Y, "NI")
    return {"4.3": q43, "4.4": q44, "4.5": q44 and a["4.4"] in (*Y, "NI")}


def no_conditions(a: dict[str, str]) -> dict[str, bool]:
    return {}


CASES: list[tuple[str, str, Callable[..., str], Callable[..., dict[str, bool]]]] = [
    ("D1", "", d1, no_conditions),
    ("D2", "assignment", d2_assignment, applies_d2_assignment),
    ("D2", "adhering", d2_adhering, applies_d2_adhering),
    ("D3", "", d3, applies_d3),
    ("D4", "", d4, applies_d4),
    ("D5", "", d5, no_conditions),
]


def combinations(domain_id: str, variant: str) -> list[dict[str, str]]:
    """Every combination of the answer classes the trees tell apart (Y*, N*, NI, NA where
    a question offers it), each class by one member, alternating Y/PY and N/PN."""
    domain = ROB2.domain(domain_id, variant)
    per_question = []
    for q in domain.questions:
        per_question.append([a for a in ("Y", "N", "NI", "NA") if a in q.options])
    found = []
    for i, combo in enumerate(itertools.product(*per_question)):
        swap = {"Y": "PY", "N": "PN"} if i % 2 else {}
        answers = [swap.get(a, a) for a in combo]
        found.append(dict(zip([q.id for q in domain.questions], answers, strict=True)))
    return found


def expected(answers: dict[str, str], tree: Callable[..., str], applies: Callable) -> str:
    settled = dict(answers)
    for qid, applies_now in applies(settled).items():  # in question order: conditions chain
        if not applies_now:
            settled[qid] = "NA"
    for qid, applies_now in applies(settled).items():
        if not applies_now:
            settled[qid] = "NA"
    return tree(settled)


@pytest.mark.parametrize(("domain_id", "variant", "tree", "applies"), CASES)
def test_every_combination_the_rob2_tree_distinguishes(domain_id, variant, tree, applies):
    domain = ROB2.domain(domain_id, variant)
    seen = set()
    for answers in combinations(domain_id, variant):
        want = expected(answers, tree, applies)
        try:
            got = judge_domain(ROB2, domain, answers)
        except RobAnswerError:
            got = ERROR
        assert got == want, (domain_id, variant, answers)
        seen.add(got)
    assert {LOW, SOME, HIGH} <= seen


@pytest.mark.parametrize(
    ("domain", "variant", "answers", "judgement"),
    [
        ("D1", "", "1.1=Y,1.2=Y,1.3=N", LOW),
        ("D1", "", "1.1=NI,1.2=PY,1.3=NI", LOW),
        ("D1", "", "1.1=N,1.2=Y,1.3=N", SOME),
        ("D1", "", "1.2=NI,1.3=PN", SOME),
        ("D1", "", "1.2=N", HIGH),
        ("D2", "assignment", "2.1=N,2.2=PN,2.6=Y", LOW),
        ("D2", "assignment", "2.1=Y,2.2=N,2.3=Y,2.4=Y,2.5=N,2.6=Y", HIGH),
        ("D2", "assignment", "2.1=N,2.2=N,2.6=N,2.7=N", SOME),
        ("D2", "adhering", "2.1=N,2.2=N,2.4=NA,2.5=N", LOW),
        ("D2", "adhering", "2.1=Y,2.2=Y,2.3=N,2.4=N,2.5=N,2.6=Y", SOME),
        ("D3", "", "3.1=N,3.2=N,3.3=N", LOW),  # the branch some summaries miss
        ("D3", "", "3.1=NI,3.2=N,3.3=NI,3.4=N", SOME),
        ("D3", "", "3.1=N,3.2=N,3.3=Y,3.4=NI", HIGH),
        ("D4", "", "4.1=N,4.2=NI,4.3=N", SOME),
        ("D4", "", "4.1=N,4.2=N,4.3=Y,4.4=Y,4.5=PN", SOME),
        ("D5", "", "5.1=Y,5.2=N,5.3=NI", SOME),
        ("D5", "", "5.2=PY,5.3=NI", HIGH),
        ("D5", "", "5.1=PY,5.2=N,5.3=PN", LOW),
    ],
)
def test_named_paths_through_the_trees(domain, variant, answers, judgement):
    assert judge_domain(ROB2, ROB2.domain(domain, variant), parse_pairs(answers)) == judgement


def test_rob2_overall_rule_over_every_combination():
    for combo in itertools.product([LOW, SOME, HIGH], repeat=5):
        judged = dict(zip(["D1", "D2", "D3", "D4", "D5"], combo, strict=True))
        want = HIGH if HIGH in combo else LOW if set(combo) == {LOW} else SOME
        assert overall(ROB2, judged) == want


def test_robins_i_overall_rule_over_every_combination():
    levels = ["low", "moderate", "serious", "critical", "no_information"]
    for combo in itertools.product(levels, repeat=7):
        judged = {f"D{i + 1}": j for i, j in enumerate(combo)}
        if "critical" in combo:
            want = "critical"
        elif "serious" in combo:
            want = "serious"
        elif "no_information" in combo:
            want = "no_information"
        elif set(combo) == {"low"}:
            want = "low"
        else:
            want = "moderate"
        assert overall(ROBINS, judged) == want


@pytest.mark.parametrize(
    ("domain", "answers", "message"),
    [
        ("D3", "3.1=N", "D3 needs an answer to 3.2"),
        ("D1", "1.1=Y,1.2=Y", "D1 needs an answer to 1.3"),
        ("D5", "5.2=Y", "D5 needs an answer to 5.3"),
        ("D1", "1.1=NA,1.2=Y,1.3=N", "1.1=NA is not allowed: 1.1 takes Y, PY, PN, N, NI"),
        ("D3", "3.1=N,3.2=NI", "3.2=NI is not allowed"),
        ("D1", "1.1=maybe,1.2=Y,1.3=N", "1.1=MAYBE is not allowed"),
        ("D1", "2.1=Y", "D1 has no question 2.1"),
        ("D3", "3.1=N,3.2=NA", "3.2=NA does not fit D3's tree here"),
    ],
)
def test_missing_or_refused_answers_are_named(domain, answers, message):
    with pytest.raises(RobAnswerError, match=message.replace("(", r"\(").replace("*", r"\*")):
        judge_domain(ROB2, ROB2.domain(domain), parse_pairs(answers))


def test_answers_to_questions_that_do_not_apply_are_set_aside():
    # 2.3 applies only when someone was aware; here no one was, so its Y is never read
    d2 = ROB2.domain("D2", "assignment")
    assert judge_domain(ROB2, d2, parse_pairs("2.1=N,2.2=N,2.3=Y,2.6=Y")) == LOW


def test_robins_i_domains_are_the_reviewers_judgement():
    with pytest.raises(MetasiftError, match="only the overall rule is computed"):
        judge_domain(ROBINS, ROBINS.domain("D1"), {"1.1": "N"})
    assert ROBINS.domain_ids() == [f"D{i}" for i in range(1, 8)]


def test_an_instrument_is_only_a_data_file():
    toy = load_instrument(FIXTURES / "rob" / "toy_checklist.toml")
    assert toy.id == "toy" and toy.domain_ids() == ["A", "B"]
    a, b = toy.domain("A"), toy.domain("B")
    assert judge_domain(toy, a, {"A1": "Y", "A2": "N"}) == "good"
    assert judge_domain(toy, a, {"A1": "N"}) == "poor"
    assert judge_domain(toy, b, {"B1": "NI"}) == "unclear"
    assert overall(toy, {"A": "good", "B": "unclear"}) == "unclear"
    assert find_instrument(str(FIXTURES / "rob" / "toy_checklist.toml")).name == "Toy checklist"


def test_a_broken_instrument_file_names_the_place(tmp_path):
    text = (FIXTURES / "rob" / "toy_checklist.toml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('"Y|N" = "good"', '"Y|N" = "excellent"'), encoding="utf-8")
    with pytest.raises(MetasiftError, match="broken.toml: domain A node a2: 'excellent'"):
        load_instrument(broken)


def test_an_instrument_file_missing_a_key_names_the_key(tmp_path):
    bare = tmp_path / "x.toml"
    bare.write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(MetasiftError, match=r"^.*x\.toml: missing key 'judgements'$"):
        load_instrument(bare)
