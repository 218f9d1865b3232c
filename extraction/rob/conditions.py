"""The small language of instrument files: answer sets, `ask_if` conditions, overall rules.

- An answer set is responses joined by `|`; `Y*` is Y|PY and `N*` is N|PN (RoB 2's notation).
- A condition is clauses joined by ` or ` (of clauses joined by ` and `); a clause is
  `Q in SET` or, over several questions, `both Q1 Q2 in SET` / `either Q1 Q2 in SET`.
  A condition that reads an unanswered question is undecided (None), not false.
- An overall rule is `any SET`, `all SET` (over judgements) or `otherwise`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SHORTHANDS = {"Y*": ("Y", "PY"), "N*": ("N", "PN")}


def answer_set(spec: str, known: Sequence[str] | Mapping[str, str]) -> frozenset[str]:
    found: list[str] = []
    for part in spec.split("|"):
        part = part.strip()
        expanded = SHORTHANDS.get(part, (part,))
        for answer in expanded:
            if answer not in known:
                raise ValueError(f"unknown answer {answer!r} in {spec!r}")
        found.extend(expanded)
    return frozenset(found)


def describe(answers: frozenset[str], order: Sequence[str]) -> str:
    """An answer set as people read it: Y/PY/NI."""
    return "/".join(a for a in order if a in answers)


@dataclass(frozen=True)
class Clause:
    quantifier: str  # one, both, either
    questions: tuple[str, ...]
    answers: frozenset[str]

    def holds(self, given: Mapping[str, str]) -> bool | None:
        if any(q not in given for q in self.questions):
            return None
        hits = [given[q] in self.answers for q in self.questions]
        return any(hits) if self.quantifier == "either" else all(hits)


@dataclass(frozen=True)
class Condition:
    text: str
    any_of: tuple[tuple[Clause, ...], ...]  # or of ands

    def holds(self, given: Mapping[str, str]) -> bool | None:
        """True, False, or None while an answer it reads is missing."""
        undecided = False
        for conjunction in self.any_of:
            results = [c.holds(given) for c in conjunction]
            if all(r is True for r in results):
                return True
            if not any(r is False for r in results):
                undecided = True
        return None if undecided else False


def parse_condition(text: str, earlier: Sequence[str], responses: Mapping[str, str]) -> Condition:
    """A condition over earlier questions only (a question cannot depend on a later one)."""
    disjunction = []
    for part in text.split(" or "):
        clauses = []
        for clause_text in part.split(" and "):
            words = clause_text.split()
            if len(words) < 3 or words[-2] != "in":
                raise ValueError(f"ask_if {text!r}: write 'Q in SET' or 'either Q1 Q2 in SET'")
            quantifier = words[0] if words[0] in ("both", "either") else "one"
            questions = tuple(words[1:-2] if quantifier != "one" else words[:-2])
            for q in questions:
                if q not in earlier:
                    raise ValueError(f"ask_if {text!r}: {q} is not an earlier question")
            clauses.append(Clause(quantifier, questions, answer_set(words[-1], responses)))
        disjunction.append(tuple(clauses))
    return Condition(text, tuple(disjunction))


@dataclass(frozen=True)
class Rule:
    text: str
    quantifier: str  # any, all, otherwise
    judgements: frozenset[str]
    then: str

    def holds(self, judgements: Sequence[str]) -> bool:
        if self.quantifier == "otherwise":
            return True
        hits = [j in self.judgements for j in judgements]
        return any(hits) if self.quantifier == "any" else all(hits)


def parse_rule(text: str, then: str, judgements: Sequence[str]) -> Rule:
    if then not in judgements:
        raise ValueError(f"overall rule {text!r}: {then!r} is not a judgement")
    if text == "otherwise":
        return Rule(text, "otherwise", frozenset(), then)
    quantifier, _, spec = text.partition(" ")
    if quantifier not in ("any", "all"):
        raise ValueError(f"overall rule {text!r}: write 'any SET', 'all SET' or 'otherwise'")
    return Rule(text, quantifier, answer_set(spec, judgements), then)
