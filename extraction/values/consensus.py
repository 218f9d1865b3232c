"""Dual extraction: per cell, the value exports and pooling use, and what needs a consensus.

The rule, in order (the same shape as a screening outcome, screening/decisions/outcome.py):
1. a consensus that still matches the values it settled: its value stands (it names the value
   events in force when it was made; an extractor who changes their value reopens the cell);
2. else, once the form's required number of extractors have entered the cell and all entered
   the same value (and unit), that value: agreed;
3. else pending (a required extractor has not entered it) or conflict (they differ).
Once the required number of extractors have marked a study done, only their values count: an
extractor still working on it is drafting, and joins when they mark it done too.

A cleared cell (value null) counts as not entered. While a study lacks the "done" mark of
the required number of extractors, it is blinded: no extractor sees another's values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlite_utils import Database

from db.extraction_values import values_in_force
from extraction.forms.form import Form
from extraction.values.cells import DONE, Cell, StoredValue
from extraction.values.entry_text import read_entry
from extraction.values.ledger import entry, record, undo

PENDING, CONFLICT, AGREED, RESOLVED = "pending", "conflict", "agreed", "resolved"


class CellState(NamedTuple):
    cell: Cell
    entered: tuple[StoredValue, ...]  # each extractor's value in force, cleared ones left out
    consensus: StoredValue | None
    state: str
    value: StoredValue | None  # agreed or resolved: what exports and pooling use


def cell_state(
    cell: Cell, entered: Iterable[StoredValue], consensus: StoredValue | None, required: int
) -> CellState:
    held = tuple(v for v in entered if v.value is not None)
    if consensus is not None and consensus.settles == frozenset(v.uuid for v in held):
        return CellState(cell, held, consensus, RESOLVED, consensus)
    if any(not v.same_as(held[0]) for v in held[1:]):
        return CellState(cell, held, consensus, CONFLICT, None)
    if len(held) < required or not held:
        return CellState(cell, held, consensus, PENDING, None)
    return CellState(cell, held, consensus, AGREED, held[0])


def cell_states(db: Database, form: Form, study_uuid: str | None = None) -> dict[Cell, CellState]:
    """Every cell anyone entered (but done marks), with its state."""
    entered: dict[Cell, list[StoredValue]] = defaultdict(list)
    consensus: dict[Cell, StoredValue] = {}
    finished: dict[str, set[str]] = defaultdict(set)
    for value in map(StoredValue.from_row, values_in_force(db, study_uuid=study_uuid)):
        if value.cell.item == DONE:
            if value.value is True:
                finished[value.cell.study_uuid].add(value.reviewer)
            continue
        if value.role == "consensus":
            earlier = consensus.get(value.cell)
            if earlier is None or (earlier.created_at, earlier.uuid) < (
                value.created_at,
                value.uuid,
            ):
                consensus[value.cell] = value
        else:
            entered[value.cell].append(value)
    required = form.extractors_required
    for cell, values in entered.items():
        # once the study has its required extractors done, an extra extractor still at work
        # is drafting: their values count when they mark the study done too
        done = finished[cell.study_uuid]
        if len(done) >= required:
            values[:] = [v for v in values if v.reviewer in done]
    cells = dict.fromkeys([*(c for c, v in entered.items() if v), *consensus])
    return {c: cell_state(c, entered.get(c, ()), consensus.get(c), required) for c in cells}


def finished_by(db: Database, study_uuid: str) -> set[str]:
    """The extractors whose done mark in force on the study is yes."""
    rows = values_in_force(db, study_uuid=study_uuid)
    return {r["reviewer"] for r in rows if r["item"] == DONE and r["value"] == "true"}


def blinded(db: Database, form: Form, study_uuid: str) -> bool:
    """Whether extractors may not yet see each other's values on this study."""
    return len(finished_by(db, study_uuid)) < form.extractors_required


def settle(
    db: Database,
    form: Form,
    who: str,
    cell: Cell,
    value: object,
    *,
    unit: str | None = None,
    note: str | None = None,
) -> str:
    """Record the consensus value of a cell: it settles the extractors' values in force now."""
    state = cell_states(db, form, cell.study_uuid).get(cell)
    settled = frozenset(v.uuid for v in state.entered) if state else frozenset()
    row = entry(db, form, who, cell, value, unit=unit, note=note, role="consensus", settles=settled)
    return record(db, [row])[0]


def open_conflicts(db: Database, form: Form) -> list[CellState]:
    """The cells in conflict on studies every required extractor has finished."""
    states = cell_states(db, form)
    studies = {cell.study_uuid for cell in states}
    unblinded = {s for s in studies if not blinded(db, form, s)}
    found = [s for c, s in states.items() if s.state == CONFLICT and c.study_uuid in unblinded]
    return sorted(found, key=lambda s: form_order(form, s.cell))


def form_order(form: Form, cell: Cell) -> tuple[object, ...]:
    """Where a cell stands in the form: study, fields in the form's order, arms, then outcomes
    in the form's order by time point; anything the form no longer has comes last."""
    fields = [f.key for f in form.fields]
    outcomes = [o.key for o in form.outcomes]
    spec = form.outcome(cell.outcome)
    times = list(spec.timepoints) if spec else []

    def at(items: list[str], key: str) -> int:
        return items.index(key) if key in items else len(items)

    if cell.item == "field":
        rank = (0, at(fields, cell.field), 0)
    elif cell.item == "arm":
        rank = (1, 0, 0)
    else:
        rank = (2, at(outcomes, cell.outcome), at(times, cell.timepoint))
    return (cell.study_uuid, *rank, cell.arm, cell.field)


@dataclass(frozen=True)
class Settled:
    """A consensus just recorded: what to tell the adjudicator, and its event, which undo()
    cancels the way every value event is cancelled (ledger.undo: an event naming it)."""

    message: str
    cell: Cell
    event: str
    db: Database
    who: str

    def undo(self) -> None:
        undo(self.db, self.who, self.event)


def settle_conflict(
    db: Database, form: Form, who: str, state: CellState, typed: str | None, pick: int | None
) -> Settled:
    """Settle a cell with one extractor's value (pick) or a typed one; what was saved."""
    if pick is not None:
        chosen = state.entered[pick]
        # where the value comes from goes with it: the sheets show the consensus's note
        value, unit, note = chosen.value, chosen.unit, chosen.note
        how = f"{chosen.reviewer}'s value"
    else:
        entry = read_entry(form, state.cell, typed or "")
        value, unit, note, how = entry.value, entry.unit, None, "the typed value"
    event = settle(db, form, who, state.cell, value, unit=unit, note=note)
    return Settled(f"settled {state.cell.label()} with {how}", state.cell, event, db, who)
