"""RobConsensus: an adjudicator settling the domains two reviewers judged differently, the core
the consensus screen (extraction/tui/rob_consensus_screen.py) is a thin view of.

It lists the disagreements (consensus.open_conflicts' rule: only results every required
reviewer has marked done, so nobody's assessment is seen before then), shows each reviewer's
side (judgement, the algorithm's suggestion, their justification, and per signalling question
their answer, support text and quote), lets the adjudicator record agreed answers where the
reviewers differ (events with the role "consensus", which the algorithm then reads), and
records the agreed judgement of the domain or the overall judgement as a consensus event
(consensus.settle): the judgement exports, plots and pooling use (consensus.agreed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError
from extraction.rob import consensus, ledger
from extraction.rob.assessment import WHOLE, Assessment
from extraction.rob.consensus import CONFLICT, REQUIRED, Assessments, DomainState, Key
from extraction.rob.engine import NA, applicable, overall, suggest
from extraction.rob.form import parse_consensus
from extraction.rob.instrument import Domain, Instrument
from extraction.rob.ledger import CONSENSUS, Target, domain_key


@dataclass(frozen=True)
class Side:
    """One reviewer's view of a domain (or of the overall judgement)."""

    reviewer: str
    judgement: str | None
    suggestion: str | None  # the algorithm's, from their answers
    justification: str  # their override's; "" when the judgement is the algorithm's
    answers: dict[str, dict[str, Any]]  # question -> their answer row in force
    skipped: frozenset[str]  # questions that do not apply given their answers


@dataclass(frozen=True)
class Disagreement:
    state: DomainState
    label: str  # the study as people name it
    domain: Domain | None  # None: the overall judgement; else the first reviewer's variant
    sides: tuple[Side, ...]
    variants_differ: bool = False  # the reviewers assessed different variants of it

    @property
    def key(self) -> Key:
        return (self.state.study_uuid, self.state.result)


@dataclass(frozen=True)
class QuestionRow:
    """A signalling question: each side's answer, and the agreed one."""

    key: str
    text: str
    answers: tuple[str, ...]  # per side: "" unanswered, "NA" where it does not apply
    agreed: str  # the adjudicator's answer, else the one every side gave, else ""
    by_adjudicator: bool
    applies: bool | None  # given the agreed answers before it

    @property
    def differs(self) -> bool:
        return len(set(self.answers)) > 1


class RobConsensus:
    def __init__(
        self,
        db: Database,
        instrument: Instrument,
        adjudicator: str,
        labels: Mapping[str, str],
        study_uuid: str | None = None,
        required: int = REQUIRED,
    ) -> None:
        self.db, self.instrument, self.adjudicator = db, instrument, adjudicator
        self.labels, self.study_uuid, self.required = labels, study_uuid, required
        self.undoable: list[str] = []  # this session's events, newest last

    def label(self, study_uuid: str) -> str:
        return self.labels.get(study_uuid, f"study {study_uuid[:8]}")

    # -- reading ---------------------------------------------------------------------------

    def _gathered(self) -> dict[Key, Assessments]:
        return consensus.gather(self.db, self.instrument, self.study_uuid)

    def disagreements(self) -> list[Disagreement]:
        """Every domain (then the overall judgement) judged differently, on results every
        required reviewer has finished, in study order."""
        found = []
        for key, assessed in self._gathered().items():
            if len(consensus.finished_by(assessed)) < self.required:
                continue
            for domain_id in [*self.instrument.domain_ids(), WHOLE]:
                state = consensus.domain_state(key, domain_id, assessed, self.required)
                if state.state == CONFLICT:
                    found.append(self._disagreement(state, assessed))
        return sorted(found, key=lambda d: self.label(d.state.study_uuid))  # stable: domains

    def waiting(self) -> list[tuple[str, list[str]]]:
        """Assessed results not every required reviewer has finished: label, who finished."""
        found = []
        for (study, result), assessed in self._gathered().items():
            done = sorted(consensus.finished_by(assessed))
            if assessed.by_reviewer and len(done) < self.required:
                found.append((self.label(study) + (f" ({result})" if result else ""), done))
        return found

    def _disagreement(self, state: DomainState, assessed: Assessments) -> Disagreement:
        sides, forms = [], []
        for who, assessment in assessed.by_reviewer.items():
            if state.domain == WHOLE:
                sides.append(_overall_side(who, assessment))
                continue
            mine = next(d for d in assessment.domains() if d.id == state.domain)
            forms.append(mine)
            sides.append(_domain_side(who, assessment, mine))
        shown = forms[0] if forms else None
        differ = len({f.variant for f in forms}) > 1
        return Disagreement(state, self.label(state.study_uuid), shown, tuple(sides), differ)

    def _agreed_rows(self, d: Disagreement) -> dict[str, dict[str, Any]]:
        assert d.domain is not None
        gathered = self._gathered().get(d.key)
        answers = gathered.agreed_answers if gathered else {}
        return answers.get(domain_key(d.domain.id, d.domain.variant), {})

    def questions(self, d: Disagreement) -> list[QuestionRow]:
        """The domain's questions, each side's answer and the agreed one (none: overall)."""
        if d.domain is None:
            return []
        recorded = {q: row["answer"] for q, row in self._agreed_rows(d).items() if row["answer"]}
        given: dict[str, str] = {}
        for q in d.domain.questions:
            per_side = [_shown_answer(side, q.id) for side in d.sides]
            common = per_side[0] if len(set(per_side)) == 1 and per_side[0] != NA else ""
            if recorded.get(q.id) or common:
                given[q.id] = recorded.get(q.id) or common
        applies = applicable(d.domain, given).applies
        return [
            QuestionRow(q.id, q.text, tuple(_shown_answer(side, q.id) for side in d.sides),
                        given.get(q.id) or (NA if applies[q.id] is False else ""),
                        q.id in recorded, applies[q.id])
            for q in d.domain.questions
        ]  # fmt: skip

    def suggestion(self, d: Disagreement) -> str | None:
        """The algorithm's judgement from the agreed answers (a domain), or the overall rule
        from the agreed domain judgements (the overall judgement); None until they decide it."""
        if d.domain is None:
            states = consensus.agreed(self.db, self.instrument, self.required).get(d.key, {})
            values = {k: s.value for k, s in states.items() if k != WHOLE and s.value}
            if len(values) < len(self.instrument.domain_ids()):
                return None
            return overall(self.instrument, {k: str(v) for k, v in values.items()})
        if not d.domain.algorithmic:
            return None
        rows = self.questions(d)
        given = {r.key: r.agreed for r in rows if r.agreed and r.applies is not False}
        return suggest(self.instrument, d.domain, given)

    # -- writing ---------------------------------------------------------------------------

    def answer(self, d: Disagreement, question: str, given: str | None) -> None:
        """The agreed answer to one signalling question (None: clear it)."""
        if d.domain is None:
            raise MetasiftError("the overall judgement has no signalling questions")
        row = next((r for r in self.questions(d) if r.key == question), None)
        if row is not None and row.applies is False and given is not None:
            raise MetasiftError(f"{question} does not apply given the agreed answers before it")
        target = Target(self.instrument, d.key[0], d.key[1], self.adjudicator)
        self.undoable.append(ledger.answer(self.db, target, d.domain.id, question, given,
                                           variant=d.domain.variant, role=CONSENSUS))  # fmt: skip

    def settle(self, d: Disagreement, text: str) -> str:
        """Record the agreed judgement typed as 'high: why' (a justification is required)."""
        judgement, why = parse_consensus(self.instrument, text)
        self.undoable.append(consensus.settle(self.db, self.instrument, self.adjudicator,
                                              d.key, d.state.domain, judgement, why))  # fmt: skip
        return judgement

    def undo(self) -> bool:
        if not self.undoable:
            return False
        ledger.undo(self.db, self.adjudicator, self.undoable.pop())
        return True


def _shown_answer(side: Side, question: str) -> str:
    if question in side.skipped:
        return NA
    row = side.answers.get(question)
    return str(row["answer"]) if row and row["answer"] else ""


def _domain_side(who: str, assessment: Assessment, domain: Domain) -> Side:
    override = assessment.judgements.get(domain.id)
    applies = assessment.applies(domain)
    return Side(
        who, assessment.judgement(domain), assessment.suggestion(domain),
        (override or {}).get("support") or "",
        dict(assessment.answers.get(domain_key(domain.id, domain.variant), {})),
        frozenset(q for q, holds in applies.items() if holds is False),
    )  # fmt: skip


def _overall_side(who: str, assessment: Assessment) -> Side:
    override = assessment.judgements.get(WHOLE)
    justification = (override or {}).get("support") or ""
    return Side(who, assessment.overall(), assessment.overall_suggestion(), justification,
                {}, frozenset())  # fmt: skip
