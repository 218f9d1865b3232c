"""RobForm: one reviewer's risk-of-bias form over the included studies, the core the screen
is a thin view of (extraction/tui/rob_screen.py): pages (preliminary considerations, then
one per domain), the lines of a page with what applies, answers and notes written as events,
the live suggestion, overrides, done marks, undo, the other reviewers' judgements once
blinding lifts, consensus, and the traffic-light grid of every study."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlite_utils import Database

from db.errors import MetasiftError
from db.rob_answers import answers_entered_under_another_study, answers_in_force
from extraction.rob import consensus, ledger
from extraction.rob.assessment import WHOLE, Assessment
from extraction.rob.instrument import Domain, Instrument
from extraction.rob.ledger import ASSESSOR, Target

PRELIMINARY_PAGE = "Preliminary"


class Study(Protocol):
    """An included study as the form needs it (extraction.cli.context.Study)."""

    @property
    def uuid(self) -> str: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class Line:
    """A row of the page: a signalling question (or a preliminary item) and its entry."""

    key: str  # question id, or preliminary item id
    text: str
    answer: str  # "" when not answered
    applies: bool | None  # False: skipped (NA); None: waits on an earlier answer
    support: str
    quote: str  # "p. 4: ..." as shown


def parse_judgement(instrument: Instrument, text: str) -> tuple[str | None, str]:
    """'high: allocation not concealed' -> ("high", "allocation not concealed"); a unique
    start of a judgement or its label will do (h, some, mod). Empty text: (None, "")."""
    text = text.strip()
    spelled = _spelled_out(instrument, text)
    if spelled is not None:
        return spelled
    word, _, rest = text.partition(" ")
    word = word.rstrip(":").lower()
    if not word:
        return None, ""
    names = {j: {j, instrument.label(j).lower().replace(" ", "_")} for j in instrument.judgements}
    exact = [j for j, forms in names.items() if word in forms]
    found = exact or [j for j, forms in names.items() if any(f.startswith(word) for f in forms)]
    if len(found) != 1:
        known = ", ".join(instrument.label(j) for j in instrument.judgements)
        raise MetasiftError(f"{word!r} is not one judgement of {known}: type e.g. 'high: why'")
    return found[0], rest.strip().lstrip(":").strip()


def _spelled_out(instrument: Instrument, text: str) -> tuple[str, str] | None:
    """A judgement whose label has spaces, typed in full ('some concerns: why', 'no
    information'): the longest label the text starts with, as a whole word."""
    lowered = text.lower()
    labels = sorted(
        ((instrument.label(j).lower(), j) for j in instrument.judgements), key=lambda p: -len(p[0])
    )
    for label, judgement in labels:
        if " " in label and lowered.startswith(label):
            rest = text[len(label) :]
            if not rest or rest[0] in ": ":
                return judgement, rest.strip().lstrip(":").strip()
    return None


def parse_consensus(instrument: Instrument, text: str) -> tuple[str, str]:
    """A consensus typed as 'high: why': both parts are required."""
    judgement, why = parse_judgement(instrument, text)
    if judgement is None or not why:
        raise MetasiftError("a consensus is a judgement and why: e.g. 'high: agreed, p. 4'")
    return judgement, why


class RobForm:
    def __init__(
        self,
        db: Database,
        instrument: Instrument,
        reviewer: str,
        studies: Sequence[Study],
        result: str = "",
    ) -> None:
        self.db, self.instrument, self.reviewer = db, instrument, reviewer
        self.studies, self.result = list(studies), result
        self.at = 0  # the study
        self.page = 0
        self.undoable: list[str] = []  # this session's events, newest last

    # -- reading ---------------------------------------------------------------------------

    @property
    def study(self) -> Study:
        return self.studies[self.at]

    def target(self) -> Target:
        return Target(self.instrument, self.study.uuid, self.result, self.reviewer)

    def assessment(self, study_uuid: str | None = None) -> Assessment:
        study = study_uuid or self.study.uuid
        rows = answers_in_force(
            self.db, instrument=self.instrument.id, study_uuid=study, reviewer=self.reviewer
        )
        mine = [r for r in rows if r["role"] == ASSESSOR and (r["result"] or "") == self.result]
        return Assessment.from_rows(self.instrument, self.reviewer, mine)

    def pages(self) -> list[str]:
        first = [PRELIMINARY_PAGE] if self.instrument.preliminary else []
        return first + [d.id for d in self.assessment().domains()]

    def domain(self) -> Domain | None:
        name = self.pages()[self.page]
        return None if name == PRELIMINARY_PAGE else self.assessment().domains()[
            [d.id for d in self.assessment().domains()].index(name)
        ]  # fmt: skip

    def lines(self) -> list[Line]:
        assessment, domain = self.assessment(), self.domain()
        if domain is None:
            return [
                Line(p.id, p.text, assessment.preliminary.get(p.id, ""), True, "", "")
                for p in self.instrument.preliminary
            ]
        applies = assessment.applies(domain)
        rows = assessment.answers.get(ledger.domain_key(domain.id, domain.variant), {})
        lines = []
        for q in domain.questions:
            row = rows.get(q.id, {})
            quote = (f"p. {row['page']}: " if row.get("page") else "") + (row.get("quote") or "")
            answer = row.get("answer") or ("NA" if applies[q.id] is False else "")
            lines.append(Line(q.id, q.text, answer, applies[q.id], row.get("support") or "", quote))
        return lines

    def judgement_row(self, domain_id: str) -> dict[str, str] | None:
        return self.assessment().judgements.get(domain_id)

    def second_look(self) -> str | None:
        """Why this study's assessment deserves a second look, if it does: dedup changed its
        reports, or some answers were given while a report of it was another study."""
        said = list(getattr(self.study, "flags", ()))
        moved = answers_entered_under_another_study(self.db, self.study.uuid)
        if moved:
            said.append(f"{moved} answer(s) given before its reports were joined into it")
        return "; ".join(said) or None

    def grid(self) -> list[tuple[str, list[str | None], str | None]]:
        """Per study: its label, this reviewer's judgement per domain, and overall."""
        rows = []
        for study in self.studies:
            mine = self.assessment(study.uuid)
            rows.append((study.label, [mine.judgement(d) for d in mine.domains()], mine.overall()))
        return rows

    def blinded(self) -> bool:
        return consensus.blinded(self.db, self.instrument, self.study.uuid, self.result)

    def states(self) -> dict[str, consensus.DomainState]:
        """Every reviewer's judgements per domain, once blinding lifts (else empty)."""
        if self.blinded():
            return {}
        found = consensus.agreed(self.db, self.instrument)
        return found.get((self.study.uuid, self.result), {})

    # -- writing ---------------------------------------------------------------------------

    def _did(self, event_uuid: str) -> str:
        self.undoable.append(event_uuid)
        return event_uuid

    def answer(self, key: str, given: str) -> None:
        domain = self.domain()
        if domain is None:
            raise MetasiftError("type the preliminary considerations with Enter")
        line = next(line for line in self.lines() if line.key == key)
        if line.applies is False:
            raise MetasiftError(f"{key} does not apply given the answers before it")
        row = self.assessment().answers.get(ledger.domain_key(domain.id, domain.variant), {})
        kept = row.get(key, {})
        self._did(ledger.answer(self.db, self.target(), domain.id, key, given,
                                variant=domain.variant, support=kept.get("support"),
                                quote=kept.get("quote"), page=kept.get("page")))  # fmt: skip

    def note(self, key: str, *, support: str | None = None, quote: str | None = None) -> None:
        """Support text, or a quote typed as 'PAGE | text' (or just text), for an answer."""
        domain = self.domain()
        if domain is None:
            self._did(ledger.preliminary(self.db, self.target(), key, support))
            return
        rows = self.assessment().answers.get(ledger.domain_key(domain.id, domain.variant), {})
        if key not in rows:
            raise MetasiftError(f"answer {key} first, then add its support or quote")
        changes: dict[str, str | None] = {}
        if support is not None:
            changes["support"] = support
        if quote is not None:
            page, bar, text = quote.partition("|")
            changes.update({"page": page.strip(), "quote": text} if bar else {"quote": quote})
        self._did(ledger.note(self.db, self.target(), rows[key], **changes))

    def override(self, domain_id: str, text: str) -> str | None:
        """Set (or with empty text, withdraw) the domain's or the overall judgement."""
        judgement, why = parse_judgement(self.instrument, text)
        self._did(ledger.judge(self.db, self.target(), domain_id, judgement, why or None))
        return judgement

    def settle(self, domain_id: str, text: str) -> str:
        judgement, why = parse_consensus(self.instrument, text)
        key = (self.study.uuid, self.result)
        consensus.settle(self.db, self.instrument, self.reviewer, key, domain_id, judgement, why)
        return judgement

    def toggle_done(self) -> bool:
        done = not self.assessment().done
        self._did(ledger.mark_done(self.db, self.target(), done))
        return done

    def undo(self) -> bool:
        if not self.undoable:
            return False
        ledger.undo(self.db, self.reviewer, self.undoable.pop())
        return True


__all__ = ["WHOLE", "Line", "RobForm", "parse_consensus", "parse_judgement"]
