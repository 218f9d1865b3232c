"""A risk-of-bias instrument as data: read from a TOML file and checked as it is read.

An instrument has domains (a domain may come in variants, as RoB 2's domain 2 does for the
effect of assignment and of adhering), each with signalling questions whose `ask_if` says
when they apply, and, where the instrument has an algorithm, a decision tree (or several
parts combined, worst first) from answers to a judgement. Its overall rule maps the domain
judgements to an overall one. The grammar of conditions and answer sets is in conditions.py.
Adding an instrument is adding a file: nothing here names RoB 2 or ROBINS-I.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from db.errors import MetasiftError
from extraction.rob.conditions import Condition, Rule, answer_set, parse_condition, parse_rule

TERMINAL_KEYS = ("ask",)


class InstrumentError(MetasiftError):
    """An instrument file that does not hold together; names the file and the place."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[str, ...]
    ask_if: Condition | None = None


@dataclass(frozen=True)
class Branch:
    quantifier: str  # "one" (a single question), "both", "either" or "otherwise"
    answers: frozenset[str]
    target: str  # another node's name, or a judgement


@dataclass(frozen=True)
class Node:
    asks: tuple[str, ...]
    branches: tuple[Branch, ...]


@dataclass(frozen=True)
class Tree:
    start: str
    nodes: dict[str, Node]


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    variant: str  # "" when the domain has one form
    questions: tuple[Question, ...]
    trees: tuple[Tree, ...]  # none: the judgement is the reviewer's; several: worst wins

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    @property
    def algorithmic(self) -> bool:
        return bool(self.trees)


@dataclass(frozen=True)
class Preliminary:
    id: str
    text: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    version: str
    robvis: str  # the tool name robvis knows
    judgements: tuple[str, ...]  # best first
    labels: dict[str, str]
    responses: dict[str, str]
    preliminary: tuple[Preliminary, ...]
    domains: tuple[Domain, ...]  # every variant, in file order
    overall_rules: tuple[Rule, ...]
    overall_note: str
    variant_by: str  # the preliminary item choosing domain variants ("" if none)
    aliases: tuple[str, ...] = ()

    def variants(self, domain_id: str) -> list[str]:
        return [d.variant for d in self.domains if d.id == domain_id and d.variant]

    def domain(self, domain_id: str, variant: str = "") -> Domain:
        """The domain (its variant; by default its first)."""
        found = [d for d in self.domains if d.id.lower() == domain_id.lower()]
        if not found:
            ids = ", ".join(self.domain_ids())
            raise MetasiftError(f"{self.name} has no domain {domain_id!r} (it has {ids})")
        if not variant or len(found) == 1:
            return found[0]  # a variant names a form of a domain that has several
        chosen = [d for d in found if d.variant == variant]
        if not chosen:
            known = ", ".join(d.variant for d in found if d.variant) or "none"
            raise MetasiftError(f"{self.name} {found[0].id} has no variant {variant!r} ({known})")
        return chosen[0]

    def domain_ids(self) -> list[str]:
        return list(dict.fromkeys(d.id for d in self.domains))

    def assessed_domains(self, variant: str = "") -> list[Domain]:
        """One form of each domain, in order: the given variant where a domain has it."""
        ids = self.domain_ids()
        return [self.domain(i, variant if variant in self.variants(i) else "") for i in ids]

    def label(self, judgement: str) -> str:
        return self.labels.get(judgement, judgement.replace("_", " "))


INSTRUMENTS = resources.files("extraction.rob") / "instruments"


def builtin_instruments() -> dict[str, Instrument]:
    """The instruments metasift ships, by id."""
    found = {}
    for entry in sorted(INSTRUMENTS.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as path:
                instrument = load_instrument(path)
            found[instrument.id] = instrument
    return found


def find_instrument(name: str) -> Instrument:
    """A shipped instrument by id or alias (rob2, robins-i), or one from a TOML file path."""
    if name.endswith(".toml"):
        return load_instrument(Path(name))
    wanted = name.lower()
    for instrument in builtin_instruments().values():
        if wanted == instrument.id or wanted in instrument.aliases:
            return instrument
    known = ", ".join(builtin_instruments())
    raise MetasiftError(f"no risk-of-bias instrument {name!r} (known: {known}, or a .toml file)")


def load_instrument(path: Path) -> Instrument:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InstrumentError(f"{path}: {e}") from e
    try:
        return _instrument(data)
    except KeyError as e:  # a key the format requires (see the built-in instruments' files)
        raise InstrumentError(f"{path}: missing key {e.args[0]!r}") from e
    except (TypeError, ValueError) as e:
        raise InstrumentError(f"{path}: {e}") from e


def _instrument(data: dict[str, Any]) -> Instrument:
    judgements = tuple(data["judgements"])
    responses = dict(data["responses"])
    domains = tuple(_domain(d, responses, judgements) for d in data["domains"])
    rules = tuple(parse_rule(r["if"], r["then"], judgements) for r in data["overall"]["rules"])
    preliminary = tuple(
        Preliminary(p["id"], p["text"], tuple(p.get("choices", ())))
        for p in data.get("preliminary", ())
    )
    return Instrument(
        data["id"], data["name"], str(data.get("version", "")), data.get("robvis", data["name"]),
        judgements, dict(data.get("labels", {})), responses, preliminary, domains, rules,
        data["overall"].get("note", ""), data.get("variant_by", ""), tuple(data.get("aliases", ())),
    )  # fmt: skip


def _domain(data: dict[str, Any], responses: dict[str, str], judgements: tuple[str, ...]) -> Domain:
    where = f"domain {data['id']}{' ' + data['variant'] if data.get('variant') else ''}"
    questions: list[Question] = []
    for q in data["questions"]:
        options = tuple(q["options"])
        unknown = [o for o in options if o not in responses]
        if unknown:
            raise ValueError(f"{where} question {q['id']}: unknown response {unknown[0]!r}")
        known = [earlier.id for earlier in questions]
        ask_if = parse_condition(q["ask_if"], known, responses) if "ask_if" in q else None
        questions.append(Question(q["id"], q["text"], options, ask_if))
    ids = [q.id for q in questions]
    raw_trees = [data["tree"]] if "tree" in data else list(data.get("parts", {}).values())
    trees = tuple(_tree(t, ids, responses, judgements, where) for t in raw_trees)
    return Domain(data["id"], data["name"], data.get("variant", ""), tuple(questions), trees)


def _tree(
    data: dict[str, Any],
    questions: list[str],
    responses: dict[str, str],
    judgements: tuple[str, ...],
    where: str,
) -> Tree:
    names = [k for k in data if k != "start"]
    nodes = {}
    for name in names:
        spec = dict(data[name])
        asks = spec.pop("ask")
        asks = (asks,) if isinstance(asks, str) else tuple(asks)
        for qid in asks:
            if qid not in questions:
                raise ValueError(f"{where} node {name}: asks unknown question {qid!r}")
        branches = []
        for key, target in spec.items():
            if target not in names and target not in judgements:
                raise ValueError(f"{where} node {name}: {target!r} is neither node nor judgement")
            branches.append(_branch(key, target, len(asks), responses, f"{where} node {name}"))
        nodes[name] = Node(asks, tuple(branches))
    if data["start"] not in nodes:
        raise ValueError(f"{where}: the tree starts at unknown node {data['start']!r}")
    return Tree(data["start"], nodes)


def _branch(key: str, target: str, asked: int, responses: dict[str, str], where: str) -> Branch:
    if key == "otherwise":
        return Branch("otherwise", frozenset(), target)
    quantifier, _, spec = key.partition(" ") if " " in key else ("one", "", key)
    if (quantifier == "one") != (asked == 1) or quantifier not in ("one", "both", "either"):
        raise ValueError(f"{where}: branch {key!r} does not fit {asked} asked question(s)")
    return Branch(quantifier, answer_set(spec, responses), target)
