"""One reviewer's extraction of one study, as the screen shows it: the form's cells in order,
each with its value in force, what pooling will use, and typing into a cell.

Lines, in order: the study fields; the arms (the reviewer's, then one to add another); per
outcome, per time point, per arm, the final value (a change from baseline, when entered,
follows on its own line). Values for fields no longer in the form are shown at the end, kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.extraction_values import values_entered_under_another_study
from extraction.conversions.derived import ConversionError, Derived
from extraction.forms.form import Form
from extraction.values.cells import ARM, FIELD, OUTCOME, Cell, StoredValue
from extraction.values.consensus import finished_by
from extraction.values.entry_text import EntryError, read_entry
from extraction.values.ledger import (
    ValueRefused,
    mark_done,
    reviewer_values,
    set_value,
    undo,
)
from extraction.values.ledger import entry as check_entry
from extraction.values.reported import Dichotomous, derive, illustrative, imputed


@dataclass(frozen=True)
class Line:
    cell: Cell
    section: str  # "Study", "Arms", or the outcome's name
    label: str
    value: StoredValue | None
    shown: str  # the value as typed back
    derived: str  # what pooling uses, in the outcome's unit
    method: str = ""  # how it was derived
    in_form: bool = True

    @property
    def note(self) -> str:
        return self.value.note or "" if self.value else ""


class Worksheet:
    """The reviewer's cells of one study; every change is an event written at once."""

    def __init__(self, db: Database, form: Form, reviewer: str, study_uuid: str) -> None:
        self.db, self.form, self.reviewer, self.study = db, form, reviewer, study_uuid
        self._written: list[tuple[str, Cell]] = []  # this session's events, for undo

    def values(self) -> dict[Cell, StoredValue]:
        return {v.cell: v for v in reviewer_values(self.db, self.reviewer, self.study)}

    def lines(self) -> list[Line]:
        held = self.values()
        study = self.study
        lines = [
            self._line(Cell.study_field(study, f.key), "Study", f.label, held)
            for f in self.form.fields
        ]
        arms = sorted(c.arm for c, v in held.items() if c.item == ARM and v.value is not None)
        lines += [self._line(Cell.arm_of(study, a), "Arms", f"arm {a}", held) for a in arms]
        adding = Cell.arm_of(study, self._next_arm(arms))
        lines.append(self._line(adding, "Arms", "+ add an arm", held))
        lines += self._outcome_lines(arms, held)
        known = {line.cell for line in lines}
        left = [c for c in held if c not in known and c.item in (FIELD, OUTCOME)]
        lines += [self._line(c, "Not in the form", c.label(), held, in_form=False) for c in left]
        return lines

    def _outcome_lines(self, arms: list[str], held: dict[Cell, StoredValue]) -> list[Line]:
        """Per outcome, time point and arm: the final value, then a change if entered."""
        labels = {a: held[Cell.arm_of(self.study, a)].value.get("label", a) for a in arms}
        lines = []
        for outcome in self.form.outcomes:
            for when in outcome.timepoints:
                for arm in arms:
                    for measure in ("final", "change"):
                        cell = Cell.outcome_of(self.study, arm, outcome.key, when, measure)
                        if measure == "change" and cell not in held:
                            continue
                        tail = "" if measure == "final" else " (change)"
                        label = f"{when} · {labels[arm]}{tail}"
                        lines.append(self._line(cell, outcome.name, label, held))
        return lines

    def _line(
        self,
        cell: Cell,
        section: str,
        label: str,
        held: dict[Cell, StoredValue],
        *,
        in_form: bool = True,
    ) -> Line:
        value = held.get(cell)
        derived, method = self._derived(value)
        return Line(cell, section, label, value, shown(value), derived, method, in_form)

    def _derived(self, value: StoredValue | None) -> tuple[str, str]:
        """What pooling uses and how it was derived."""
        if value is None or value.cell.item != OUTCOME or value.value is None:
            return "", ""
        try:
            found = derive(value.value, value.factor or 1.0)
        except ConversionError as e:
            return "cannot derive", str(e)
        if isinstance(found, Dichotomous):
            return f"{found.events}/{found.total}", found.method
        warning = f"; {found.warning}" if found.warning else ""
        made_up = illustrative(value.value)
        method = f"ILLUSTRATIVE ({made_up}): as entered" if made_up else found.method
        return describe(found, value.value), method + warning

    @staticmethod
    def _next_arm(arms: list[str]) -> str:
        taken = set(arms)
        return next(f"a{i}" for i in range(1, len(arms) + 2) if f"a{i}" not in taken)

    def enter(self, cell: Cell, text: str) -> str:
        """Read and store what was typed; a message saying what was saved. EntryError or
        ValueRefused (with the reason) when the form refuses it; nothing is stored then."""
        entry = read_entry(self.form, cell, text)
        if cell.item == OUTCOME and entry.measure != cell.field:
            cell = cell._replace(field=entry.measure)
        value, unit, note = entry.value, entry.unit, entry.note
        uuid = set_value(self.db, self.form, self.reviewer, cell, value, unit=unit, note=note)
        self._written.append((uuid, cell))
        return f"saved {cell.label()}" if entry.value is not None else f"cleared {cell.label()}"

    def check(self, cell: Cell, text: str) -> str | None:
        """What is wrong with the text as typed so far (None: it would be stored)."""
        try:
            entry = read_entry(self.form, cell, text)
        except EntryError as e:
            return str(e)
        if entry.value is None:
            return None
        if cell.item == OUTCOME and entry.measure != cell.field:
            cell = cell._replace(field=entry.measure)
        try:
            check_entry(self.db, self.form, self.reviewer, cell, entry.value, unit=entry.unit)
        except ValueRefused as e:
            return str(e).split(": ", 1)[-1]
        return None

    def undo(self) -> str | None:
        """Undo this session's last change; what was undone (None: nothing to undo)."""
        if not self._written:
            return None
        event, cell = self._written.pop()
        undo(self.db, self.reviewer, event)
        return f"undone: {cell.label()}"

    def second_look(self) -> str | None:
        """Why this study's values deserve a second look, if they do: some were entered while
        a report of it was another study (a link or a dedup merge joined them since)."""
        moved = values_entered_under_another_study(self.db, self.study)
        if not moved:
            return None
        return f"{moved} value(s) entered before its reports were joined into this study"

    @property
    def done(self) -> bool:
        return self.reviewer in finished_by(self.db, self.study)

    def toggle_done(self) -> bool:
        mark_done(self.db, self.reviewer, self.study, not self.done)
        return self.done


def shown(value: StoredValue | None) -> str:
    """A stored value as one would type it again."""
    if value is None or value.value is None:
        return ""
    v = value.value
    if value.cell.item == ARM:
        return "; ".join(
            str(x) for x in (v.get("label"), v.get("type"), v.get("n")) if x is not None
        )
    if value.cell.item != OUTCOME:
        return {True: "yes", False: "no"}.get(v, str(v)) if isinstance(v, bool) else str(v)
    parts = ["change"] if value.cell.field == "change" else []
    if v.get("as") == "events":
        parts.append(f"events {_num(v['events'])}/{_num(v['total'])}")
    elif v.get("as") == "mean-ci":
        parts += [f"ci {_num(v['ci_low'])} {_num(v['ci_high'])}", f"n {_num(v['n'])}"]
        parts += [f"mean {_num(v['mean'])}"] if v.get("mean") is not None else []
    else:
        shown_apart = ("as", "sd_source", "measure", "illustrative")
        parts += [f"{k} {_num(x)}" for k, x in v.items() if k not in shown_apart]
        parts += [f"from {json.dumps(v['sd_source'])}"] if imputed(v) else []
    made_up = illustrative(v)
    if made_up:
        parts.append(f"illustrative {json.dumps(made_up)}")
    if value.unit:
        parts.append(f"unit {value.unit}")
    return " ".join(parts)


def describe(found: Derived, reported: dict[str, Any]) -> str:
    flag = " · SD IMPUTED" if imputed(reported) else ""
    flag += " · ILLUSTRATIVE" if illustrative(reported) else ""
    warn = " · skewed?" if found.warning else ""
    return f"mean {found.mean:.4g} SD {found.sd:.4g} n {found.n}{flag}{warn}"


def _num(x: float) -> str:
    return f"{x:g}"
