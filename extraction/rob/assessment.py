"""One reviewer's assessment of one result of one study, read from the entries in force:
the answers per domain, the algorithm's suggestion, the judgement that stands (the reviewer's
override, else the suggestion) and the overall judgement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from extraction.rob.engine import applicable, overall, suggest
from extraction.rob.instrument import Domain, Instrument
from extraction.rob.ledger import ANSWER, DONE, JUDGEMENT, OVERALL, PRELIMINARY, domain_key

WHOLE = "overall"


@dataclass
class Assessment:
    instrument: Instrument
    reviewer: str
    answers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # key, q -> row
    preliminary: dict[str, str] = field(default_factory=dict)
    judgements: dict[str, dict[str, Any]] = field(default_factory=dict)  # domain/overall -> row
    done: bool = False

    @classmethod
    def from_rows(
        cls, instrument: Instrument, reviewer: str, rows: Iterable[dict[str, Any]]
    ) -> Assessment:
        made = cls(instrument, reviewer)
        for row in rows:
            item = row["item"]
            if row["answer"] is None:
                continue  # a cleared entry
            if item == ANSWER:
                made.answers.setdefault(row["domain"], {})[row["question"]] = row
            elif item == PRELIMINARY:
                made.preliminary[row["question"]] = row["answer"]
            elif item in (JUDGEMENT, OVERALL):
                made.judgements[row["domain"] or WHOLE] = row
            elif item == DONE:
                made.done = row["answer"] == "true"
        return made

    @property
    def variant(self) -> str:
        chosen = self.preliminary.get(self.instrument.variant_by, "")
        return chosen if chosen else ""

    def domains(self) -> list[Domain]:
        return self.instrument.assessed_domains(self.variant)

    def given(self, domain: Domain) -> dict[str, str]:
        rows = self.answers.get(domain_key(domain.id, domain.variant), {})
        return {q: row["answer"] for q, row in rows.items()}

    def applies(self, domain: Domain) -> dict[str, bool | None]:
        return applicable(domain, self.given(domain)).applies

    def suggestion(self, domain: Domain) -> str | None:
        if not domain.algorithmic:
            return None
        return suggest(self.instrument, domain, self.given(domain))

    def judgement(self, domain: Domain) -> str | None:
        """The reviewer's override if any, else the algorithm's suggestion."""
        override = self.judgements.get(domain.id)
        return override["answer"] if override else self.suggestion(domain)

    def overall_suggestion(self) -> str | None:
        found = {d.id: self.judgement(d) for d in self.domains()}
        if any(j is None for j in found.values()):
            return None
        return overall(self.instrument, {k: v for k, v in found.items() if v}, self.variant)

    def overall(self) -> str | None:
        override = self.judgements.get(WHOLE)
        return override["answer"] if override else self.overall_suggestion()

    def evidence(self, domain_id: str) -> frozenset[str]:
        """The event UUIDs a domain's judgement (or the overall one) rests on: a consensus
        settles these, and a change to any of them reopens it."""
        if domain_id == WHOLE:
            rows = [r for answers in self.answers.values() for r in answers.values()]
            rows += list(self.judgements.values())
        else:
            rows = [r for key, answers in self.answers.items() if key.split(":")[0] == domain_id
                    for r in answers.values()]  # fmt: skip
            rows += [self.judgements[domain_id]] if domain_id in self.judgements else []
        return frozenset(r["uuid"] for r in rows)
