"""RobForm: one reviewer's risk-of-bias form over the included studies, the core the screen
is a thin view of (extraction/tui/rob_screen.py): pages (preliminary considerations, then
one per domain), the lines of a page with what applies, answers and notes written as events,
the live suggestion, overrides, done marks, undo, the other reviewers' judgements once
blinding lifts, consensus, and the traffic-light grid of every study."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlite_utils import Database

from db.errors import MetasiftError
from db.rob_answers import answers_entered_under_another_study, answers_in_force
from db.typed_choice import unique_match
from extraction.rob import consensus, ledger
from extraction.rob.assessment import WHOLE, Assessment
from extraction.rob.instrument import Domain, Instrument
from extraction.rob.ledger import ASSESSOR, Target

PRELIMINARY_PAGE = "Preliminary"
# a page typed with its word ("p. 4", "pp. 4-5", "page 4"): the word is shown, not stored
PAGE_WORD = re.compile(r"(?i)^(?:pages?\b|pp?\.|pp?(?=[\s\d]))\s*(?=[^\s.])")


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


def page_label(page: str) -> str:
    """'4' -> 'p. 4', '4-5' -> 'pp. 4-5'; a page stored with its word keeps it, once."""
    if PAGE_WORD.match(page):
        return page
    return f"pp. {page}" if re.search(r"\d\s*[-–,]\s*\d", page) else f"p. {page}"


def judgement_example(instrument: Instrument) -> str:
    """A judgement and why as the instrument's own words type it: 'high: why' for RoB 2,
    'critical: why' for ROBINS-I (a one-word label, the worst, types most plainly)."""
    plain = [j for j in instrument.judgements if " " not in instrument.label(j)]
    worst = (plain or list(instrument.judgements))[-1]
    return f"{instrument.label(worst).lower()}: why"


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

    def forms(j: str) -> tuple[str, str]:  # the label as one word: 'some_concerns'
        return j, instrument.label(j).lower().replace(" ", "_")

    found = unique_match(word, instrument.judgements, forms=forms)
    if len(found) != 1:
        known = ", ".join(instrument.label(j) for j in instrument.judgements)
        example = judgement_example(instrument)
        raise MetasiftError(f"{word!r} is not one judgement of {known}: type e.g. '{example}'")
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
        example = judgement_example(instrument).replace("why", "agreed, p. 4")
        raise MetasiftError(f"a consensus is a judgement and why: e.g. '{example}'")
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
        # this session's entries, newest last: an entry's events, undone together
        self.undoable: list[list[str]] = []

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
            page = f"{page_label(row['page'])}: " if row.get("page") else ""
            quote = page + (row.get("quote") or "")
            answer = row.get("answer") or ("NA" if applies[q.id] is False else "")
            lines.append(Line(q.id, q.text, answer, applies[q.id], row.get("support") or "", quote))
        return lines

    def unjudged(self, assessment: Assessment | None = None) -> list[str]:
        """The domains of this study with no judgement yet (neither the algorithm's from
        complete answers nor the reviewer's); when every domain has one, ["overall"] if the
        overall judgement still has none."""
        mine = assessment or self.assessment()
        missing = [d.id for d in mine.domains() if mine.judgement(d) is None]
        return missing if missing or mine.overall() else [WHOLE]

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
        """Keep the entry for undo. A study marked done that the entry leaves without a
        judgement somewhere is reopened by the same entry: done means judged throughout,
        for rob compare and consensus as for this form."""
        entry = [event_uuid]
        mine = self.assessment()
        if mine.done and self.unjudged(mine):
            entry.append(ledger.mark_done(self.db, self.target(), False))
        self.undoable.append(entry)
        return event_uuid

    def done_note(self, was_done: bool) -> str:
        """What an entry did to a study that was marked done before it ('' if it was not)."""
        if not was_done:
            return ""
        if self.assessment().done:
            return "the study stays done: rob compare and consensus see this change at once"
        return f"no longer done: {missing_text(self.unjudged())}; d marks it done again"

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
            # the page is stored as its number: "p. 3 | text" would show as "p. p. 3"
            located = {"page": PAGE_WORD.sub("", page.strip()), "quote": text}
            changes.update(located if bar else {"quote": quote})
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
        """Mark the study done, or reopen it; done is refused while a judgement is missing
        (rob compare would offer a half-judged study for consensus)."""
        mine = self.assessment()
        missing = [] if mine.done else self.unjudged(mine)
        if missing:
            raise MetasiftError(f"not done: {missing_text(missing)}")
        self._did(ledger.mark_done(self.db, self.target(), not mine.done))
        return not mine.done

    def undo(self) -> bool:
        if not self.undoable:
            return False
        for event_uuid in reversed(self.undoable.pop()):
            ledger.undo(self.db, self.reviewer, event_uuid)
        return True


def missing_text(missing: list[str]) -> str:
    """'2 domains have no judgement yet: D2 D4 (answer their questions, or o sets one)'."""
    domains = [m for m in missing if m != WHOLE]
    if not domains:
        return "the overall judgement is not set yet (O sets it)"
    many = len(domains) > 1
    return (f"{len(domains)} domain{'s have' if many else ' has'} no judgement yet: "
            f"{' '.join(domains)} (answer {'their' if many else 'its'} questions, or o sets "
            f"{'one' if many else 'it'})")  # fmt: skip


__all__ = [
    "WHOLE",
    "Line",
    "RobForm",
    "judgement_example",
    "missing_text",
    "page_label",
    "parse_consensus",
    "parse_judgement",
]
