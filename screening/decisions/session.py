"""ScreeningSession: one reviewer working through one stage of a review.

Pure core (no Textual): the queue, the record shown, decide(), undo(), notes and tags, filters
and search (filters.py holds what a filter is), bulk actions (bulk.py plans them). Every
decision is an event written and committed before the method returns. Blinding: the session
only ever reads this reviewer's own events, so nothing it returns can reveal what anyone else
decided.

Which records a stage holds:
- title-abstract: every record of the review in import order, one per duplicate cluster (its
  canonical record) once deduplication has run; a decision on any member counts for it;
- full-text: the records included *or marked maybe* at title-abstract (a maybe is a record
  that needs its full text to decide). Alone, that is this reviewer's own verdict; once the
  team's decisions shape the list, it is the stage's outcome (agreed or resolved), and a
  record colleagues have already settled leaves this reviewer's list (queue.py). A protocol
  without a title-abstract stage sends every record to full text.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from sqlite_utils import Database

from db.clock import utc_now
from db.decisions import duplicates, record_decisions, record_ids, reviewer_events, tags_used
from db.errors import MetasiftError
from db.query_sql import record_ids_matching
from db.sources import canonical_ids_in_force
from screening.decisions.bulk import BulkPlan
from screening.decisions.filters import STATUS_FILTERS, Filter
from screening.decisions.highlight import Highlighter
from screening.decisions.kept_outcomes import keep_fresh
from screening.decisions.ledger import UNDO, Decision, Ledger, changed_part
from screening.decisions.ordering import ORDERS, StageOrder
from screening.decisions.queue import dual_sample, pilot_summary, team_queue
from screening.decisions.record_view import RecordView, load_record
from screening.decisions.tags import clean_tags, spellings
from screening.decisions.verdict_rules import verdict_problem, verdicts_at
from screening.protocol import Protocol

TO_FULL_TEXT = ("include", "maybe")
Clock = Callable[[], str]


class ScreeningError(MetasiftError):
    """An action the protocol or the stage does not allow; the screen shows the message."""


@dataclass(frozen=True)
class Counts:
    """This reviewer's progress through the stage."""

    total: int
    verdicts: dict[str, int]

    @property
    def decided(self) -> int:
        return sum(self.verdicts.values())

    @property
    def undecided(self) -> int:
        return self.total - self.decided


class ScreeningSession:
    def __init__(
        self,
        db: Database,
        protocol: Protocol,
        reviewer: str,
        stage: str = "title-abstract",
        *,
        clock: Clock = utc_now,
    ) -> None:
        if stage not in protocol.stages:
            raise ScreeningError(
                f"stage {stage!r} is not in review.toml's stages ({', '.join(protocol.stages)})"
            )
        if not reviewer.strip():
            raise ScreeningError("a reviewer name is needed")
        self.db, self.protocol, self.reviewer, self.stage = db, protocol, reviewer, stage
        self.clock = clock
        self.highlighter = Highlighter(protocol.picos)
        self.duplicates = duplicates(db)
        self.ledger = self._ledger(stage)
        self.earlier = self._earlier_ledger()
        self.pool = self._pool()
        self._pool_set = self.pool if isinstance(self.pool, range) else set(self.pool)
        in_force = (self.ledger.current(r) for r in self.ledger.records() if r in self._pool_set)
        self._counts = Counter(d.verdict for d in in_force if d)
        self.filter = Filter()
        self.order = StageOrder(self.pool, min(protocol.pilot, len(self.pool)), reviewer + stage)
        self.view: Sequence[int] = self.pool
        self.index = 0
        self.drafts: dict[int, tuple[str | None, tuple[str, ...]]] = {}
        self._seek_undecided(0, wrap=False)

    # -- what the stage holds --------------------------------------------------------------

    def _ledger(self, stage: str) -> Ledger:
        events = map(Decision.from_row, reviewer_events(self.db, self.reviewer, stage))
        canonical = self.duplicates
        return Ledger(events, (lambda rid: canonical.get(rid, rid)) if canonical else None)

    def _earlier_ledger(self) -> Ledger | None:
        if self.stage != "full-text" or "title-abstract" not in self.protocol.stages:
            return None
        return self._ledger("title-abstract")

    def _pool(self) -> Sequence[int]:
        shaped = team_queue(self.db, self.protocol, self.stage, self.reviewer)
        if shaped is not None:
            return shaped  # from stage_states, which leaves a removed source's records out
        if self.earlier is None:
            pool = record_ids(self.db, leave_out=self.duplicates)
        else:
            pool = sorted(rid for rid in self.earlier.records() if self._sent_on(rid))
        in_force = canonical_ids_in_force(self.db)
        return pool if in_force is None else [rid for rid in pool if rid in in_force]

    def _sent_on(self, record_id: int) -> bool:
        earlier = self.earlier.current(record_id) if self.earlier else None
        return earlier is not None and earlier.verdict in TO_FULL_TEXT

    @property
    def verdicts(self) -> tuple[str, ...]:
        """The verdicts this stage allows: not-retrieved is a full-text outcome only."""
        return verdicts_at(self.stage)

    @property
    def statuses(self) -> tuple[str, ...]:
        """The list filters this stage offers: all, undecided and each verdict it allows."""
        return ("all", "undecided", *self.verdicts)

    @property
    def reason_required(self) -> bool:
        return self.protocol.reason_required.get(self.stage, False)

    def counts(self) -> Counts:
        return Counts(len(self.pool), {v: self._counts[v] for v in self.verdicts})

    # -- moving around ---------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return self.view[self.index] if self.view else None

    def current(self) -> RecordView | None:
        rid = self.current_id
        return None if rid is None else self.record(rid)

    def record(self, rid: int) -> RecordView:
        """Any record of the stage as the screen shows it, with this reviewer's decision."""
        earlier = self.earlier.current(rid) if self.earlier else None
        return load_record(
            self.db,
            rid,
            decision=self.ledger.current(rid),
            earlier=earlier,
            draft=self.drafts.get(rid),
            full_text=self.stage == "full-text",
        )

    def decision(self, record_id: int) -> Decision | None:
        return self.ledger.current(record_id)

    def last_decision(self) -> Decision | None:
        return self.ledger.last()

    def move(self, delta: int) -> bool:
        index = max(0, min(len(self.view) - 1, self.index + delta))
        moved, self.index = index != self.index, index
        return moved

    def go_to(self, record_id: int) -> bool:
        try:
            self.index = self.view.index(record_id)
        except ValueError:
            return False
        return True

    def next_undecided(self, wrap: bool = True) -> bool:
        """Move to the next record without a decision (from the top again if wrap)."""
        return self._seek_undecided(self.index + 1, wrap)

    def _seek_undecided(self, start: int, wrap: bool) -> bool:
        index = self._undecided_from(start, wrap)
        if index is not None:
            self.index = index
        return index is not None

    def _undecided_from(self, start: int, wrap: bool) -> int | None:
        n = len(self.view)
        for i in range(start, start + n if wrap else n):
            if self.ledger.current(self.view[i % n]) is None:
                return i % n
        return None

    def advance(self) -> None:
        """After a decision: the next undecided record further on, else simply the next one."""
        if not self.next_undecided(wrap=False):
            self.move(1)

    def upcoming(self) -> int | None:
        """The record a decision on this one would move to (the screen prepares it early)."""
        if not self.view:
            return None
        index = self._undecided_from(self.index + 1, wrap=False)
        if index is None:
            index = min(self.index + 1, len(self.view) - 1)
        return self.view[index]

    # -- deciding --------------------------------------------------------------------------

    def decide(self, verdict: str, reason: str | None = None) -> Decision:
        """Record this reviewer's verdict on the current record, commit it, move on."""
        rid = self._require_record()
        self._check(verdict, reason)
        note, tags = self._annotations(rid)
        event = self._event(rid, verdict, reason, note, tags)
        self._write([event])
        self.drafts.pop(rid, None)  # only once written: a failed write keeps the draft
        self.advance()
        return event

    def pilot_done(self, record_id: int | None) -> str | None:
        """After a decision on record_id: the pilot round's agreement if that decision
        finished this reviewer's pilot, else None."""
        pilot = self.pool[: self.protocol.pilot] if self.protocol.pilot else ()
        if record_id not in pilot or any(self.ledger.current(r) is None for r in pilot):
            return None
        return pilot_summary(self.db, self.protocol, self.stage, self.reviewer)

    def _check(self, verdict: str, reason: str | None) -> None:
        problem = verdict_problem(self.protocol, self.stage, verdict, reason)
        if problem:
            raise ScreeningError(problem)

    def undo(self) -> list[Decision]:
        """Cancel this reviewer's newest decision (or bulk action) here; returns what it undid.

        The cursor goes back to the record concerned, so it can be decided again at once.
        """
        targets = self.ledger.to_undo()
        if not targets:
            return []
        batch = str(uuid.uuid4()) if len(targets) > 1 else None
        undos = [
            Decision(
                str(uuid.uuid4()),
                t.record_id,
                UNDO,
                created_at=self.clock(),
                batch=batch,
                undoes=t.uuid,
            )
            for t in targets
        ]
        self._write(undos)
        for target in targets:  # a note or tags on an undone first decision become a draft again
            if self.ledger.current(target.record_id) is None and (target.note or target.tags):
                self.drafts[target.record_id] = (target.note, target.tags)
        self.go_to(targets[-1].record_id)
        return targets

    def undone_part(self, target: Decision) -> str:
        """Right after undo(): what undoing target took back, for the screen to name. A note
        or tags added to a decided record are events of their own, so undo takes them back one
        at a time: "note", "tags" (or both) when target kept the verdict now back in force,
        else target's verdict."""
        return changed_part(target, self.ledger.current(target.record_id))

    def set_note(self, note: str) -> bool:
        """Attach a note to the current record. True if its decision carries it (written now,
        or already so); False if kept as a draft that goes with the next decision on it."""
        rid = self._require_record()
        return self._annotate(rid, note.strip() or None, self._annotations(rid)[1])

    def set_tags(self, tags: Iterable[str]) -> bool:
        """Like set_note. A tag is matched without regard to case and keeps the spelling this
        reviewer used first (rct after RCT is RCT), so one tag never splits in two."""
        rid = self._require_record()
        clean = clean_tags(tags, self._tag_spellings())
        return self._annotate(rid, self._annotations(rid)[0], clean)

    def _annotate(self, rid: int, note: str | None, tags: tuple[str, ...]) -> bool:
        current = self.ledger.current(rid)
        if current is None:
            if note or tags:
                self.drafts[rid] = (note, tags)
            else:
                self.drafts.pop(rid, None)
            return False
        if (note, tags) == (current.note, current.tags):
            return True  # unchanged: no event, so that undo never takes back a no-op
        event = replace(
            current,
            uuid=str(uuid.uuid4()),
            created_at=self.clock(),
            batch=None,
            note=note,
            tags=tags,
        )
        self._write([event])
        return True

    def _annotations(self, rid: int) -> tuple[str | None, tuple[str, ...]]:
        if rid in self.drafts:
            return self.drafts[rid]
        current = self.ledger.current(rid)
        return (current.note, current.tags) if current else (None, ())

    def tags(self) -> list[str]:
        """Tags this reviewer has used, once each whatever its case, for the tag editor and
        the tag filter."""
        return sorted(self._tag_spellings().values(), key=str.lower)

    def _tag_spellings(self) -> dict[str, str]:
        drafted = (t for _, tags in self.drafts.values() for t in tags)
        return spellings((*tags_used(self.db, self.reviewer), *drafted))  # saved ones first

    def unsaved(self) -> list[int]:
        """Records holding a note or tags not saved yet: they wait for a decision on the
        record (a decision event carries them), so quitting first would lose them."""
        return sorted(self.drafts)

    # -- order (ordering.py) ---------------------------------------------------------------
    def set_order(self, mode: str) -> None:
        """Order the list by relevance, import or random (the record shown stays)."""
        if mode not in ORDERS:
            raise ScreeningError(f"unknown order {mode!r}; use {', '.join(ORDERS)}")
        if mode != "import" and self.order.sample is None:  # read once, when first needed
            self.order.sample = dual_sample(self.db, self.protocol, self.stage)
        self.order.mode = mode
        self.set_filter()

    def apply_ranking(self, ranked: Collection[int]) -> None:  # the reviewer's own model's
        self.order.ranked = ranked
        if self.order.mode == "relevance":
            self.set_filter()

    # -- filters and search ----------------------------------------------------------------

    def set_filter(
        self, status: str | None = None, tag: str | None = "", query: str | None = None
    ) -> int:
        """Narrow the list (None/"" leaves a part as it is; tag=None clears the tag). Returns
        how many records match. The record shown stays if it still matches."""
        if (status or self.filter.status) not in STATUS_FILTERS:
            raise ScreeningError(f"unknown filter {status!r}; use {', '.join(STATUS_FILTERS)}")
        self.filter = self.filter.changed(status, tag, query)
        terms = self.filter.terms
        matching = record_ids_matching(self.db, terms) if terms else None
        keep = self.current_id
        arranged = self.order.arrange(set(self.ledger.records()), keep)
        if not self.filter.active:
            self.view = arranged
        else:
            self.view = [
                r for r in arranged if (matching is None or r in matching) and self._listed(r)
            ]
        if keep is None or not self.go_to(keep):
            self.index = 0
        return len(self.view)

    def clear_filter(self) -> int:
        self.filter = Filter()
        return self.set_filter()

    def _listed(self, rid: int) -> bool:
        decision = self.ledger.current(rid)
        tags = decision.tags if decision else self.drafts.get(rid, (None, ()))[1]
        return self.filter.admits(decision, tags)

    # -- bulk actions ----------------------------------------------------------------------

    def plan_bulk(self, verdict: str, reason: str | None = None) -> BulkPlan:
        """What a bulk decision on the filtered records would write. Needs a filter, so that a
        slip cannot decide the whole stage at once."""
        if not self.filter.active:
            raise ScreeningError("bulk actions work on a filtered list: search (/) or filter (f)")
        if not self.view:
            raise ScreeningError("nothing to decide: no record matches this filter (Esc clears it)")
        self._check(verdict, reason)
        return BulkPlan.over(
            self.view, self.ledger.current, verdict, reason, self.filter.describe()
        )

    def apply_bulk(self, plan: BulkPlan) -> list[Decision]:
        """Write a planned bulk decision as ordinary events of this reviewer, in one commit."""
        batch = str(uuid.uuid4())
        events = []
        for rid in plan.record_ids:
            note, tags = self._annotations(rid)
            event = self._event(rid, plan.verdict, plan.reason, note, tags)
            events.append(replace(event, batch=batch))
        self._write(events)
        for rid in plan.record_ids:  # only once written: a failed write keeps the drafts
            self.drafts.pop(rid, None)
        return events

    # -- writing ---------------------------------------------------------------------------

    def _event(
        self, rid: int, verdict: str, reason: str | None, note: str | None, tags: tuple[str, ...]
    ) -> Decision:
        return Decision(str(uuid.uuid4()), rid, verdict, reason, note, tags, self.clock())

    def _write(self, events: list[Decision]) -> None:
        rows = (e.row(self.reviewer, self.stage) for e in events)
        record_decisions(self.db, rows, lambda db: keep_fresh(db, self.protocol))
        for event in events:
            change = self.ledger.apply(event)
            if change and change[0] in self._pool_set:
                _, before, after = change
                if before:
                    self._counts[before.verdict] -= 1
                if after:
                    self._counts[after.verdict] += 1

    def _require_record(self) -> int:
        rid = self.current_id
        if rid is None:
            raise ScreeningError("no record here: clear the filter or import records")
        return rid
