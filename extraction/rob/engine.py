"""The engine: which questions apply, a domain's suggested judgement, the overall rule.

It reads any instrument (instrument.py) and knows none by name. A question whose `ask_if` is
false is recorded as NA (an answer given to it is set aside: the tree never reads it). A tree
that needs an unanswered question, or meets an answer none of its branches takes, raises
RobAnswerError naming the question, so no judgement is ever guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from db.errors import MetasiftError
from extraction.rob.conditions import describe
from extraction.rob.instrument import Branch, Domain, Instrument, Node, Tree

NA = "NA"


class RobAnswerError(MetasiftError):
    """An answer missing, not allowed, or not fitting the tree; names the question."""

    def __init__(self, question: str, message: str) -> None:
        super().__init__(message)
        self.question = question


@dataclass(frozen=True)
class Applicability:
    """Per question: True applies, False does not (NA), None undecided (an earlier answer
    it depends on is missing)."""

    applies: dict[str, bool | None]
    answers: dict[str, str]  # the answers in force, NA where a question does not apply


def applicable(domain: Domain, given: Mapping[str, str]) -> Applicability:
    applies: dict[str, bool | None] = {}
    answers: dict[str, str] = {}
    for question in domain.questions:
        holds = True if question.ask_if is None else question.ask_if.holds(answers)
        applies[question.id] = holds
        if holds is False:
            answers[question.id] = NA
        elif question.id in given:
            answers[question.id] = given[question.id]
    return Applicability(applies, answers)


def check_answers(instrument: Instrument, domain: Domain, given: Mapping[str, str]) -> None:
    """Every answer names a question of the domain and is one of its options."""
    for qid, answer in given.items():
        question = domain.question(qid)
        if question is None:
            ids = ", ".join(q.id for q in domain.questions)
            raise RobAnswerError(qid, f"{domain.id} has no question {qid} (it has {ids})")
        if answer not in question.options:
            allowed = ", ".join(question.options)
            raise RobAnswerError(qid, f"{qid}={answer} is not allowed: {qid} takes {allowed}")


def judge_domain(instrument: Instrument, domain: Domain, given: Mapping[str, str]) -> str:
    """The algorithm's judgement for one domain from its answers (checked first)."""
    if not domain.algorithmic:
        raise MetasiftError(
            f"{instrument.name} {domain.id}: its judgement is the reviewer's, not an "
            "algorithm's; only the overall rule is computed (--domain overall)"
        )
    check_answers(instrument, domain, given)
    answers = applicable(domain, given).answers
    results = [_walk(instrument, domain, tree, answers) for tree in domain.trees]
    return max(results, key=instrument.judgements.index)  # parts combine: worst wins


def suggest(instrument: Instrument, domain: Domain, given: Mapping[str, str]) -> str | None:
    """The judgement if the answers so far decide it, else None (a form's live suggestion)."""
    try:
        return judge_domain(instrument, domain, given)
    except MetasiftError:
        return None


def _walk(instrument: Instrument, domain: Domain, tree: Tree, answers: Mapping[str, str]) -> str:
    at = tree.start
    while at not in instrument.judgements:
        node = tree.nodes[at]
        for qid in node.asks:
            if qid not in answers:
                question = domain.question(qid)
                text = f" ({question.text})" if question else ""
                raise RobAnswerError(qid, f"{domain.id} needs an answer to {qid}{text}")
        branch = _branch_taken(node, answers)
        if branch is None:
            shown = ", ".join(f"{q}={answers[q]}" for q in node.asks)
            raise RobAnswerError(
                node.asks[0], f"{shown} does not fit {domain.id}'s tree here ({_expected(node)})"
            )
        at = branch.target
    return at


def _branch_taken(node: Node, answers: Mapping[str, str]) -> Branch | None:
    given = [answers[q] for q in node.asks]
    for branch in node.branches:
        hits = [a in branch.answers for a in given]
        if (
            branch.quantifier == "otherwise"
            or (branch.quantifier == "either" and any(hits))
            or (branch.quantifier in ("one", "both") and all(hits))
        ):
            return branch
    return None


def _expected(node: Node) -> str:
    order = ("Y", "PY", "PN", "N", "NI", NA)
    taken = frozenset().union(*(b.answers for b in node.branches))
    return f"it takes {describe(taken, order)}"


def overall(instrument: Instrument, judgements: Mapping[str, str], variant: str = "") -> str:
    """The overall judgement from one judgement per domain, by the instrument's rule."""
    ids = [d.id for d in instrument.assessed_domains(variant)]
    for did, judgement in judgements.items():
        if did not in ids:
            raise RobAnswerError(did, f"{instrument.name} has no domain {did} ({', '.join(ids)})")
        if judgement not in instrument.judgements:
            allowed = ", ".join(instrument.judgements)
            raise RobAnswerError(did, f"{did}={judgement} is not allowed: a domain is {allowed}")
    missing = [d for d in ids if d not in judgements]
    if missing:
        raise RobAnswerError(missing[0], f"the overall rule needs a judgement for {missing[0]}")
    values = [judgements[d] for d in ids]
    for rule in instrument.overall_rules:
        if rule.holds(values):
            return rule.then
    raise MetasiftError(f"{instrument.name}: no overall rule fits {', '.join(values)}")


def parse_pairs(text: str) -> dict[str, str]:
    """`1.1=Y,1.2=py` -> {"1.1": "Y", "1.2": "PY"}; D1=low keeps the judgement's case."""
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise RobAnswerError(key, f"{part!r}: write QUESTION=ANSWER, e.g. 1.1=Y")
        if key in pairs:
            raise RobAnswerError(key, f"{key} is answered twice")
        judgement = value.lower().replace(" ", "_").replace("-", "_")
        pairs[key] = judgement if key.upper().startswith("D") else value.upper()
    return pairs
