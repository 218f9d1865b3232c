"""Writing a reviewer's extracted values, checked against the form, as events.

Every value is an append-only event (UUID, reviewer, time): an edit is a new event, clearing
a cell writes null, undo names the event it cancels. Nothing is stored that the form would
refuse: an unknown field or outcome, a time point the outcome lacks, an arm not yet defined,
a choice not offered, a reported outcome with a problem (reported.problems), a unit that
cannot be converted to the outcome's.
"""

from __future__ import annotations

import json
import math
import re
import uuid as uuids
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.errors import MetasiftError
from db.extraction_values import event, record_values, values_in_force
from extraction.conversions.derived import ConversionError
from extraction.forms.form import Form, FormField
from extraction.values.cells import ARM, DONE, FIELD, OUTCOME, Cell, StoredValue
from extraction.values.reported import MEASURES, problems

_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


class ValueRefused(MetasiftError):
    """A value the form refuses; names the cell and the part at fault."""

    def __init__(self, cell: Cell, part: str, message: str) -> None:
        super().__init__(f"{cell.label()}: {message}")
        self.cell, self.part = cell, part


def set_value(
    db: Database,
    form: Form,
    reviewer: str,
    cell: Cell,
    value: Any,
    *,
    unit: str | None = None,
    note: str | None = None,
) -> str:
    """Check and write one value; its event UUID. None clears the cell."""
    return record(db, [entry(db, form, reviewer, cell, value, unit=unit, note=note)])[0]


def entry(
    db: Database,
    form: Form,
    reviewer: str,
    cell: Cell,
    value: Any,
    *,
    unit: str | None = None,
    note: str | None = None,
    role: str = "extractor",
    settles: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The event row for a value, checked against the form (not yet written)."""
    factor = None
    value, unit, note = printable(value), printable(unit), printable(note)
    if value is not None:
        arms_of = None if role == "consensus" else reviewer  # a consensus may use anyone's arms
        unit, factor = _check(db, form, arms_of, cell, value, unit)
    return {
        **cell._asdict(), "uuid": str(uuids.uuid4()), "reviewer": reviewer, "role": role,
        "value": json.dumps(value, ensure_ascii=False), "unit": unit, "factor": factor,
        "note": note or None, "settles": json.dumps(sorted(settles)) if settles else None,
        "undoes": None, "created_at": utc_now(),
    }  # fmt: skip


def printable(value: Any) -> Any:
    """Text without control characters (a pasted or loaded value could carry a terminal
    escape, which every screen and sheet would then replay), in str, dict and list values."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch.isprintable() or ch in "\t\n")
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable(v) for v in value]
    return value


def record(db: Database, rows: list[dict[str, Any]]) -> list[str]:
    record_values(db, [_after_earlier(db, row) for row in rows])
    return [row["uuid"] for row in rows]


def _after_earlier(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    """The row stamped after every earlier event of its cell and person: two changes made in
    one millisecond (done, then reopened) must keep their order, which (time, UUID) would
    leave to chance."""
    cell = {k: row[k] for k in Cell._fields}
    where = " AND ".join(f"{k} = ?" for k in cell)
    latest = db.execute(
        f"SELECT max(created_at) FROM extraction_values WHERE {where} AND reviewer = ?",
        [*cell.values(), row["reviewer"]],
    ).fetchone()[0]
    if latest is None or row["created_at"] > latest:
        return row
    later = datetime.fromisoformat(latest) + timedelta(milliseconds=1)
    return {**row, "created_at": later.isoformat(timespec="milliseconds")}


def undo(db: Database, reviewer: str, event_uuid: str) -> str:
    """Cancel one of the reviewer's own events; the cell's earlier value is in force again."""
    undone = event(db, event_uuid)
    if undone is None or undone["reviewer"] != reviewer:
        raise MetasiftError(f"no value event {event_uuid} of {reviewer} to undo")
    cell = Cell(*(undone[k] or "" for k in Cell._fields))
    row = {**cell._asdict(), "uuid": str(uuids.uuid4()), "reviewer": reviewer,
           "role": undone["role"], "value": None, "unit": None, "factor": None, "note": None,
           "settles": None, "undoes": event_uuid, "created_at": utc_now()}  # fmt: skip
    return record(db, [row])[0]


def mark_done(db: Database, reviewer: str, study_uuid: str, done: bool = True) -> str:
    """The reviewer has finished (or reopened) the study: blinding lifts once all required
    extractors are done."""
    row = entry(db, Form(), reviewer, Cell.done(study_uuid), done)
    return record(db, [row])[0]


def reviewer_values(
    db: Database, reviewer: str, study_uuid: str | None = None
) -> list[StoredValue]:
    rows = values_in_force(db, study_uuid=study_uuid, reviewer=reviewer)
    return [v for v in map(StoredValue.from_row, rows) if v.role == "extractor"]


def defined_arms(db: Database, reviewer: str | None, study_uuid: str) -> set[str]:
    """The arms the reviewer (None: anyone) has defined on the study."""
    rows = values_in_force(db, study_uuid=study_uuid, reviewer=reviewer)
    return {r["arm"] for r in rows if r["item"] == ARM and r["value"] not in (None, "null")}


def _check(
    db: Database, form: Form, reviewer: str | None, cell: Cell, value: Any, unit: str | None
) -> tuple[str | None, float | None]:
    """(unit, factor) for a value the form accepts; ValueRefused otherwise."""
    if cell.item == DONE:
        if not isinstance(value, bool):
            raise ValueRefused(cell, "value", "done is yes or no")
        return None, None
    if cell.item == FIELD:
        spec = form.field(cell.field)
        if spec is None:
            raise ValueRefused(cell, "field", "the form has no such field")
        _check_field(cell, spec, value)
        return (unit or spec.unit or None), None
    if cell.item == ARM:
        _check_arm(cell, form, value)
        return None, None
    if cell.item == OUTCOME:
        return _check_outcome(db, form, reviewer, cell, value, unit)
    raise ValueRefused(cell, "item", f"unknown item {cell.item!r}")


def _check_field(cell: Cell, spec: FormField, value: Any) -> None:
    kind = spec.type
    ok = {
        "text": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": _finite(value),
        "choice": value in spec.choices,
        "yes/no": isinstance(value, bool),
        "date": isinstance(value, str) and _DATE.fullmatch(value) is not None,
    }[kind]
    if not ok:
        wanted = {"choice": f"one of {', '.join(spec.choices)}", "date": "a date (YYYY[-MM[-DD]])",
                  "number": "a finite number"}  # fmt: skip
        raise ValueRefused(cell, "value", f"must be {wanted.get(kind, kind)}, not {value!r}")


def _finite(value: Any) -> bool:
    """A number JSON can hold: NaN and infinity would be stored as invalid JSON."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_arm(cell: Cell, form: Form, value: Any) -> None:
    if not cell.arm:
        raise ValueRefused(cell, "arm", "an arm needs a key")
    if not isinstance(value, dict) or not isinstance(value.get("label"), str):
        raise ValueRefused(cell, "label", "an arm is {label, type, n}")
    kind, n = value.get("type"), value.get("n")
    if form.arm_types and kind not in form.arm_types:
        raise ValueRefused(cell, "type", f"arm type must be one of {', '.join(form.arm_types)}")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise ValueRefused(cell, "n", "n randomised must be a whole number above 0")
    unknown = set(value) - {"label", "type", "n", "description"}
    if unknown:
        raise ValueRefused(cell, sorted(unknown)[0], f"an arm has no {sorted(unknown)[0]}")


def _check_outcome(
    db: Database, form: Form, reviewer: str | None, cell: Cell, value: Any, unit: str | None
) -> tuple[str | None, float | None]:
    spec = form.outcome(cell.outcome)
    if spec is None:
        raise ValueRefused(cell, "outcome", "the form has no such outcome")
    if cell.timepoint not in spec.timepoints:
        when = ", ".join(spec.timepoints)
        raise ValueRefused(cell, "timepoint", f"{spec.name} is extracted at {when}")
    if cell.field not in MEASURES:
        raise ValueRefused(cell, "measure", "the measure is final or change")
    if cell.arm not in defined_arms(db, reviewer, cell.study_uuid):
        raise ValueRefused(cell, "arm", f"define arm {cell.arm!r} first")
    if not isinstance(value, dict):
        raise ValueRefused(cell, "value", "an outcome value is a reported layout ({as: ...})")
    found = problems(value)
    if found:
        raise ValueRefused(cell, found[0].field, found[0].message)
    if (value["as"] == "events") != (spec.kind == "dichotomous"):
        raise ValueRefused(cell, "as", f"{spec.name} is {spec.kind}: {value['as']} does not fit")
    if spec.kind == "dichotomous":
        return None, None
    unit = unit or spec.unit
    try:
        return unit, form.units.factor(unit, spec.unit, spec.substance)
    except ConversionError as e:
        raise ValueRefused(cell, "unit", str(e)) from e
