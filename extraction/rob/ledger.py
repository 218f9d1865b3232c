"""Writing a reviewer's risk-of-bias entries, checked against the instrument, as events.

Every entry is an append-only event (UUID, reviewer, time): a changed answer is a new event,
clearing writes null, undo names the event it cancels. Nothing is stored that the instrument
would refuse: an unknown domain or question, an answer the question does not offer, a
preliminary choice not offered, or a judgement overriding the algorithm without a
justification.
"""

from __future__ import annotations

import json
import uuid as uuids
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.errors import MetasiftError
from db.rob_answers import answer_event, record_answers
from db.typed_choice import unique_match
from extraction.rob.instrument import Instrument, Preliminary
from extraction.values.ledger import printable

ANSWER, PRELIMINARY, JUDGEMENT, OVERALL, DONE = (
    "answer",
    "preliminary",
    "judgement",
    "overall",
    "done",
)
ASSESSOR, CONSENSUS = "assessor", "consensus"


def domain_key(domain_id: str, variant: str = "") -> str:
    """How answers name their domain: D2:adhering's 2.1 is not D2:assignment's 2.1."""
    return f"{domain_id}:{variant}" if variant else domain_id


@dataclass(frozen=True)
class Target:
    """Whose assessment of what: a reviewer's, of one result of one study, by one instrument."""

    instrument: Instrument
    study_uuid: str
    result: str
    reviewer: str

    def row(self, item: str, domain: str = "", question: str = "", **values: Any) -> dict[str, Any]:
        return {
            "uuid": str(uuids.uuid4()), "study_uuid": self.study_uuid,
            "instrument": self.instrument.id, "result": self.result, "reviewer": self.reviewer,
            "role": values.pop("role", ASSESSOR), "item": item, "domain": domain,
            "question": question, "answer": None, "support": None, "quote": None, "page": None,
            "settles": None, "undoes": None, "created_at": utc_now(), **values,
        }  # fmt: skip


def write(db: Database, row: dict[str, Any]) -> str:
    record_answers(db, [row])
    return str(row["uuid"])


def answer(
    db: Database,
    target: Target,
    domain_id: str,
    question: str,
    given: str | None,
    *,
    variant: str = "",
    support: str | None = None,
    quote: str | None = None,
    page: str | None = None,
    role: str = ASSESSOR,
) -> str:
    """Answer (None: clear) one signalling question; its event UUID. An adjudicator's agreed
    answer has the role "consensus"."""
    domain = target.instrument.domain(domain_id, variant)
    spec = domain.question(question)
    if spec is None:
        raise MetasiftError(f"{target.instrument.name} {domain.id} has no question {question}")
    if given is not None and given not in spec.options:
        raise MetasiftError(
            f"{question}={given} is not allowed: {question} takes {', '.join(spec.options)}"
        )
    key = domain_key(domain.id, domain.variant)
    values = {
        "answer": given,
        "support": _text(support),
        "quote": _text(quote),
        "page": _text(page),
        "role": role,
    }
    return write(db, target.row(ANSWER, key, question, **values))


def note(db: Database, target: Target, previous: dict[str, Any], **changes: str | None) -> str:
    """The same answer with new support text, quote or page (a new event)."""
    kept = {k: previous.get(k) for k in ("answer", "support", "quote", "page")}
    kept.update({k: _text(v) for k, v in changes.items()})
    return write(db, target.row(ANSWER, previous["domain"], previous["question"], **kept))


def preliminary(db: Database, target: Target, key: str, text: str | None) -> str:
    """A preliminary item's text; an item with choices stores the choice the text names."""
    spec = next((p for p in target.instrument.preliminary if p.id == key), None)
    if spec is None:
        raise MetasiftError(f"{target.instrument.name} has no preliminary item {key!r}")
    if text and text.strip() and spec.choices:
        text = choice(spec, text)
    return write(db, target.row(PRELIMINARY, "", key, answer=_text(text)))


def choice(spec: Preliminary, text: str) -> str:
    """The one choice text names: in full or by a unique start, in any case, a hyphen or a
    space alike ('cluster', 'Individually randomized cross')."""

    def plain(words: str) -> str:
        return " ".join(words.casefold().replace("-", " ").split())

    found = unique_match(plain(text), spec.choices, forms=lambda c: (plain(c),))
    if len(found) == 1:
        return found[0]
    if found:
        raise MetasiftError(
            f"{text.strip()!r} starts more than one {spec.text} choice ({'; '.join(found)}): "
            "type more of it"
        )
    raise MetasiftError(
        f"{text.strip()!r} is not a {spec.text} choice: type one of {'; '.join(spec.choices)} "
        "(a unique start will do)"
    )


def judge(
    db: Database,
    target: Target,
    domain_id: str,
    judgement: str | None,
    justification: str | None = None,
    *,
    role: str = ASSESSOR,
    settles: frozenset[str] = frozenset(),
) -> str:
    """Set (None: withdraw) a domain judgement, or the overall one (domain_id "overall").
    Overriding an algorithm, and any consensus, needs a justification."""
    instrument = target.instrument
    if judgement is not None and judgement not in instrument.judgements:
        known = ", ".join(instrument.judgements)
        raise MetasiftError(f"{judgement!r} is not a {instrument.name} judgement ({known})")
    whole = domain_id == "overall"
    algorithmic = whole or instrument.domain(domain_id).algorithmic
    if judgement is not None and algorithmic and not (justification or "").strip():
        what = "the overall judgement" if whole else f"{domain_id}'s judgement"
        raise MetasiftError(f"setting {what} by hand needs a justification")
    item = OVERALL if whole else JUDGEMENT
    extra = {"settles": json.dumps(sorted(settles))} if role == CONSENSUS else {}
    row = target.row(item, "" if whole else domain_id, answer=judgement,
                     support=_text(justification), role=role, **extra)  # fmt: skip
    return write(db, row)


def mark_done(db: Database, target: Target, done: bool = True) -> str:
    """The reviewer finished (or reopened) this assessment: blinding lifts once the required
    number of reviewers are done."""
    return write(db, target.row(DONE, answer="true" if done else "false"))


def undo(db: Database, reviewer: str, event_uuid: str) -> str:
    """Cancel one of the reviewer's own events; the entry's earlier value is in force again."""
    undone = answer_event(db, event_uuid)
    if undone is None or undone["reviewer"] != reviewer:
        raise MetasiftError(f"no risk-of-bias event {event_uuid} of {reviewer} to undo")
    keep = ("study_uuid", "instrument", "result", "reviewer", "role", "item", "domain", "question")
    row = {k: undone[k] for k in keep}
    row.update({"uuid": str(uuids.uuid4()), "undoes": event_uuid, "created_at": utc_now()})
    record_answers(db, [row])
    return str(row["uuid"])


def _text(value: str | None) -> str | None:
    """Printable text or None (a pasted control character would replay on every screen)."""
    if value is None:
        return None
    kept = str(printable(value)).strip()
    return kept or None
