"""Two reviewers' risk-of-bias judgements, per domain and overall: what stands, what needs a
consensus, and blinding.

The rule, per study, result and domain (the shape of extraction/values/consensus.py):
1. a consensus that still matches the evidence it settled (the answer and judgement events
   of every reviewer in force when it was made) stands: a reviewer who changes an answer in
   that domain reopens it;
2. else, once the required number of reviewers have a judgement (their override, else the
   algorithm's suggestion from complete answers) and all agree: agreed;
3. else pending (a judgement missing) or conflict (they differ).

Until the required number of reviewers have marked the assessment done, it is blinded: no
reviewer sees another's answers. The agreed (or settled) judgement is what exports and plots use.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError
from db.rob_answers import answers_in_force
from extraction.rob.assessment import WHOLE, Assessment
from extraction.rob.instrument import Instrument
from extraction.rob.ledger import ANSWER, CONSENSUS, Target, judge

PENDING, CONFLICT, AGREED, RESOLVED = "pending", "conflict", "agreed", "resolved"
REQUIRED = 2  # reviewers who assess each result independently

Key = tuple[str, str]  # study UUID, result


@dataclass(frozen=True)
class DomainState:
    study_uuid: str
    result: str
    domain: str  # a domain id, or "overall"
    judgements: dict[str, str | None]  # reviewer -> their judgement (None: not yet)
    consensus: dict[str, Any] | None
    state: str
    value: str | None  # agreed or resolved: what exports and plots use


@dataclass
class Assessments:
    """Every reviewer's assessment of one result, and the consensus entries on it."""

    by_reviewer: dict[str, Assessment]
    consensus: dict[str, dict[str, Any]]  # domain or overall -> latest consensus row
    # an adjudicator's agreed answers: domain key (D2:adhering) -> question -> latest row
    agreed_answers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def gather(
    db: Database, instrument: Instrument, study_uuid: str | None = None
) -> dict[Key, Assessments]:
    rows: dict[Key, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    consensus: dict[Key, dict[str, dict[str, Any]]] = defaultdict(dict)
    answers: dict[Key, dict[str, dict[str, dict[str, Any]]]] = defaultdict(dict)
    for row in answers_in_force(db, instrument=instrument.id, study_uuid=study_uuid):
        key = (row["study_uuid"], row["result"] or "")
        if row["role"] != CONSENSUS:
            rows[key][row["reviewer"]].append(row)
        elif row["item"] == ANSWER:
            _keep_latest(answers[key].setdefault(row["domain"], {}), row["question"], row)
        else:
            _keep_latest(consensus[key], row["domain"] or WHOLE, row)
    found = {}
    for key in dict.fromkeys([*rows, *consensus, *answers]):
        by = {who: Assessment.from_rows(instrument, who, r) for who, r in rows[key].items()}
        found[key] = Assessments(by, consensus.get(key, {}), answers.get(key, {}))
    return found


def _keep_latest(latest: dict[str, dict[str, Any]], name: str, row: dict[str, Any]) -> None:
    """Several adjudicators' entries on one thing: the latest speaks (as merged copies agree)."""
    earlier = latest.get(name)
    if earlier is None or (earlier["created_at"], earlier["uuid"]) < (
        row["created_at"],
        row["uuid"],
    ):
        latest[name] = row


def domain_state(key: Key, domain: str, found: Assessments, required: int) -> DomainState:
    judged = {}
    for who, assessment in found.by_reviewer.items():
        dom = next((d for d in assessment.domains() if d.id == domain), None)
        judged[who] = assessment.overall() if domain == WHOLE else (
            assessment.judgement(dom) if dom else None
        )  # fmt: skip
    held = {j for j in judged.values() if j is not None}
    made = found.consensus.get(domain)
    evidence = frozenset().union(*(a.evidence(domain) for a in found.by_reviewer.values()))
    if made is not None and made["answer"] and frozenset(json.loads(made["settles"])) == evidence:
        return DomainState(*key, domain, judged, made, RESOLVED, made["answer"])
    if len(held) > 1:
        return DomainState(*key, domain, judged, made, CONFLICT, None)
    if sum(j is not None for j in judged.values()) < required:
        return DomainState(*key, domain, judged, made, PENDING, None)
    return DomainState(*key, domain, judged, made, AGREED, held.pop())


def domain_states(
    db: Database, instrument: Instrument, required: int = REQUIRED, study_uuid: str | None = None
) -> list[DomainState]:
    """Every assessed result's domains, then its overall judgement, in order."""
    states = []
    for key, found in gather(db, instrument, study_uuid).items():
        for domain in [*instrument.domain_ids(), WHOLE]:
            states.append(domain_state(key, domain, found, required))
    return states


def finished_by(found: Assessments) -> set[str]:
    return {who for who, a in found.by_reviewer.items() if a.done}


def blinded(
    db: Database,
    instrument: Instrument,
    study_uuid: str,
    result: str = "",
    required: int = REQUIRED,
) -> bool:
    """Whether reviewers may not yet see each other's answers on this result."""
    found = gather(db, instrument, study_uuid).get((study_uuid, result))
    return found is None or len(finished_by(found)) < required


def settle(
    db: Database,
    instrument: Instrument,
    who: str,
    key: Key,
    domain: str,
    judgement: str,
    justification: str,
) -> str:
    """Record the consensus judgement of a domain (or "overall"): it settles the reviewers'
    evidence in force now."""
    found = gather(db, instrument, key[0]).get(key)
    if found is None or not found.by_reviewer:
        raise MetasiftError(f"no assessment of study {key[0][:8]} to settle")
    evidence = frozenset().union(*(a.evidence(domain) for a in found.by_reviewer.values()))
    target = Target(instrument, key[0], key[1], who)
    return judge(db, target, domain, judgement, justification, role=CONSENSUS, settles=evidence)


def agreed(
    db: Database, instrument: Instrument, required: int = REQUIRED
) -> dict[Key, dict[str, DomainState]]:
    """Per assessed result, each domain's state (its value once agreed or settled)."""
    table: dict[Key, dict[str, DomainState]] = defaultdict(dict)
    for state in domain_states(db, instrument, required):
        table[(state.study_uuid, state.result)][state.domain] = state
    return dict(table)


def open_conflicts(
    db: Database, instrument: Instrument, required: int = REQUIRED
) -> list[DomainState]:
    """The domains (and overall judgements) the reviewers judged differently, on results
    every required reviewer has finished (before that they are blind to each other)."""
    found = []
    for key, assessments in gather(db, instrument).items():
        if len(finished_by(assessments)) < required:
            continue
        for domain in [*instrument.domain_ids(), WHOLE]:
            state = domain_state(key, domain, assessments, required)
            if state.state == CONFLICT:
                found.append(state)
    return found
