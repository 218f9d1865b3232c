"""A sheet in the layout `metasift export sheet` writes, loaded back as a reviewer's values.

Rows are found by column name (see tables), studies by their study id. Only values that
differ from the reviewer's values in force become events, so loading a sheet twice adds
nothing. An empty cell is not a clearing: it leaves the value in force alone (an arm's empty
n keeps the n entered; an empty note keeps the note). Every value that would be written is
checked as the form checks it (extraction.values.ledger.entry), and every problem is
reported with its sheet, row and column; nothing is written unless all is valid: arms, then
the values that need them, go in one transaction that is rolled back on any problem.

Example:
    >>> Where("outcomes", 5, ("study", "Q1")).at("Q1", "q1 is above the median")
    'outcomes, row 5, column B (Q1): q1 is above the median'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError
from extraction.forms.form import Form, FormField
from extraction.sheets.layout import header_key
from extraction.sheets.tables import (
    ARM_KEYS,
    ARMS,
    NOTE,
    OUTCOMES,
    REPORTED_KEYS,
    STATUS,
    STUDIES,
    STUDY,
    STUDY_ID,
    Sheet,
    column_letter,
)
from extraction.values.cells import ARM, FIELD, OUTCOME, Cell, StoredValue
from extraction.values.ledger import entry, printable, reviewer_values
from extraction.values.reported import TEXT_KEYS

_INTEGER = re.compile(r"[+-]?\d+")
COUNTS = ("n", "events", "total")
OUTCOME_PARTS = {
    **{k: h for k, h in REPORTED_KEYS.items()}, "as": "reported as", "value": "reported as",
    "unit": "unit", "timepoint": "time point", "outcome": "outcome", "measure": "measure",
    "arm": "arm",
}  # fmt: skip
ARM_PARTS = {**ARM_KEYS, "arm": "arm"}
# the columns each sheet's rows are read from (what a sheet is, sheet_kind tells)
READ_COLUMNS = {
    ARMS: (STUDY_ID, "arm", *ARM_KEYS.values()),
    OUTCOMES: (STUDY_ID, "arm", "outcome", "time point", "measure", "reported as",
               *REPORTED_KEYS.values(), "unit", NOTE),
}  # fmt: skip


class SheetRefused(MetasiftError):
    """Problems in a sheet: nothing was loaded."""

    def __init__(self, problems: list[str]) -> None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{count} in the sheet; nothing loaded")
        self.problems = problems


@dataclass(frozen=True)
class Where:
    sheet: str
    row: int  # as a spreadsheet numbers it: the header is row 1
    header: tuple[str, ...]

    def at(self, column: str, message: str) -> str:
        letter = column_letter(self.header.index(column)) if column in self.header else "?"
        return f"{self.sheet}, row {self.row}, column {letter} ({column}): {message}"


@dataclass(frozen=True)
class Wanted:
    """A value the sheet holds for a cell, and where."""

    cell: Cell
    value: Any
    where: Where
    parts: Mapping[str, str]  # the ledger's part at fault -> the column to name
    column: str  # the column to name when the part is not in parts
    unit: str | None = None
    note: str | None = None


@dataclass
class Loaded:
    added: int = 0
    unchanged: int = 0
    sheets: list[str] = field(default_factory=list)  # the sheets read


def sheet_kind(sheet: Sheet) -> str | None:
    """studies, arms or outcomes, told by the sheet's columns; None for any other sheet."""
    header = set(sheet.header)
    if "reported as" in header:
        return OUTCOMES
    if ARM_KEYS["label"] in header:
        return ARMS
    return STUDIES if {STUDY_ID, STUDY} <= header else None


def load_sheets(
    db: Database, form: Form, reviewer: str, sheets: list[Sheet], studies: set[str]
) -> Loaded:
    """Load the sheets as the reviewer's values; SheetRefused (nothing written) on problems."""
    problems: list[str] = []
    wanted: list[Wanted] = []
    loaded = Loaded()
    for sheet in sheets:
        kind = sheet_kind(sheet)
        if kind is None or len(sheet.rows) < 1:
            continue
        loaded.sheets.append(sheet.name)
        missing = [c for c in READ_COLUMNS.get(kind, ()) if c not in sheet.header]
        if missing:  # one problem for the sheet, not one per row with a column "?"
            names = ", ".join(repr(c) for c in missing)
            problems.append(f"{sheet.name}: no column {names}; keep the header row as exported")
            continue
        reader = {STUDIES: _study_values, ARMS: _arm_values, OUTCOMES: _outcome_values}[kind]
        wanted += reader(sheet, form, studies, problems)
    stored = {v.cell: v for v in reviewer_values(db, reviewer)}
    changes = _changes(wanted, stored, problems)
    loaded.unchanged = len(wanted) - len(changes)
    loaded.added = _write(db, form, reviewer, changes, problems)
    return loaded


def _rows(sheet: Sheet) -> list[tuple[Where, dict[str, Any]]]:
    """Each row below the header with a value in it, as {column: cell}, with where it is."""
    header = sheet.header
    out = []
    for number, row in enumerate(sheet.rows[1:], start=2):
        cells = {h: _blank_is_none(v) for h, v in zip(header, row, strict=False) if h}
        if any(v is not None for v in cells.values()):
            out.append((Where(sheet.name, number, header), cells))
    return out


def _blank_is_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _study(where: Where, cells: dict[str, Any], studies: set[str], problems: list[str]) -> str:
    study = cells.get(STUDY_ID)
    if study is None or str(study) not in studies:
        shown = "is empty" if study is None else f"{study!r} is not a study of this review"
        problems.append(where.at(STUDY_ID, f"{shown} (copy the study id from an exported sheet)"))
        return ""
    return str(study)


def _study_values(sheet: Sheet, form: Form, studies: set[str], problems: list[str]) -> list[Wanted]:
    fixed = {STUDY, STUDY_ID, STATUS}
    out = []
    for where, cells in _rows(sheet):
        study = _study(where, cells, studies, problems)
        for header, raw in cells.items():
            if header in fixed or raw is None or not study:
                continue
            key = header_key(header)
            try:
                value = field_value(form.field(key), raw)
            except ValueError as e:
                problems.append(where.at(header, str(e)))
                continue
            out.append(Wanted(Cell.study_field(study, key), value, where, {}, header))
    return out


def field_value(spec: FormField | None, raw: Any) -> Any:
    """A sheet cell as the field's type holds it; ValueError naming what was wanted."""
    kind = spec.type if spec else "text"
    if kind in ("integer", "number"):
        value = number(raw)
        if kind == "integer" and value != int(value):
            raise ValueError(f"must be a whole number, not {raw!r}")
        return int(value) if kind == "integer" else value
    if kind == "yes/no":
        said = str(raw).strip().lower() if not isinstance(raw, bool) else ("yes" if raw else "no")
        if said not in ("yes", "no", "true", "false"):
            raise ValueError(f"must be yes or no, not {raw!r}")
        return said in ("yes", "true")
    if isinstance(raw, datetime | date):
        return raw.date().isoformat() if isinstance(raw, datetime) else raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def number(raw: Any) -> int | float:
    """A number cell: ints stay ints; ValueError for text that is not a number."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value: int | float = raw
    else:
        text = str(raw).strip()
        try:
            value = int(text) if _INTEGER.fullmatch(text) else float(text)
        except ValueError:
            raise ValueError(f"must be a number, not {raw!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {raw!r}")
    return value


def _arm_values(sheet: Sheet, form: Form, studies: set[str], problems: list[str]) -> list[Wanted]:
    out = []
    for where, cells in _rows(sheet):
        given = {k: cells.get(h) for k, h in ARM_KEYS.items() if cells.get(h) is not None}
        if cells.get("arm") is None and set(given) <= {"type"}:
            continue  # a row to fill in, left empty
        study = _study(where, cells, studies, problems)
        if cells.get("arm") is None:
            problems.append(where.at("arm", "give the arm a key (outcome rows name it)"))
            continue
        if "n" in given:
            try:
                given["n"] = field_value(FormField("n", "n", "integer"), given["n"])
            except ValueError as e:
                problems.append(where.at(ARM_KEYS["n"], str(e)))
                continue
        value = {k: v if k == "n" else str(v) for k, v in given.items()}
        if study:
            cell = Cell.arm_of(study, str(cells["arm"]))
            out.append(Wanted(cell, value, where, ARM_PARTS, "arm"))
    return out


def _outcome_values(
    sheet: Sheet, form: Form, studies: set[str], problems: list[str]
) -> list[Wanted]:
    out = []
    for where, cells in _rows(sheet):
        numbers = {k: cells.get(h) for k, h in REPORTED_KEYS.items() if cells.get(h) is not None}
        if cells.get("reported as") is None and not numbers:
            continue  # nothing entered for this arm, outcome and time point
        study = _study(where, cells, studies, problems)
        value: dict[str, Any] = {"as": cells.get("reported as")}
        for key, raw in numbers.items():
            try:
                value[key] = str(raw) if key in TEXT_KEYS else _count_or_number(key, raw)
            except ValueError as e:
                problems.append(where.at(REPORTED_KEYS[key], str(e)))
        needed = ("reported as", "arm", "outcome", "time point")
        problems += [where.at(c, "is empty") for c in needed if cells.get(c) is None]
        if not study or any(cells.get(c) is None for c in needed):
            continue
        measure = str(cells.get("measure") or "final")
        where_in_form = (str(cells["arm"]), str(cells["outcome"]), str(cells["time point"]))
        cell = Cell.outcome_of(study, *where_in_form, measure)
        value["as"] = str(value["as"])
        unit = str(cells["unit"]) if cells.get("unit") is not None else None
        note = str(cells[NOTE]) if cells.get(NOTE) is not None else None
        out.append(Wanted(cell, value, where, OUTCOME_PARTS, "reported as", unit, note))
    return out


def _count_or_number(key: str, raw: Any) -> int | float:
    value = number(raw)
    return int(value) if key in COUNTS and value == int(value) else value


def _changes(
    wanted: list[Wanted], stored: Mapping[Cell, StoredValue], problems: list[str]
) -> list[Wanted]:
    """What differs from the reviewer's values in force, with empty cells keeping theirs."""
    seen: dict[Cell, Where] = {}
    out = []
    for w in wanted:
        # compared as the ledger stores it: without control characters
        w = replace(w, value=printable(w.value), unit=printable(w.unit), note=printable(w.note))
        if w.cell in seen:
            problems.append(w.where.at(w.column, f"the same cell as row {seen[w.cell].row}"))
            continue
        seen[w.cell] = w.where
        before = stored.get(w.cell)
        if before is None:
            out.append(w)
            continue
        merged = _merged(w, before)
        if merged is not None:
            out.append(merged)
    return out


def _merged(w: Wanted, before: StoredValue) -> Wanted | None:
    """The wanted value with the stored one's where the sheet is empty; None if the sheet
    says nothing new."""
    value = w.value
    if w.cell.item == ARM and isinstance(before.value, dict):
        value = {**before.value, **w.value}
    elif w.cell.item == OUTCOME and isinstance(before.value, dict) and isinstance(value, dict):
        # the numbers are read as a whole (another layout drops the old one's), but an empty
        # illustrative or SD-source cell keeps the text in force, as an empty note does
        kept = {k: before.value[k] for k in TEXT_KEYS if k in before.value}
        value = {**kept, **value} if value.get("as") == before.value.get("as") else value
    same_value = _comparable(value) == _comparable(before.value)
    same_unit = (w.unit or before.unit) == before.unit
    same_note = w.note is None or w.note == before.note
    if same_value and same_unit and same_note:
        return None
    return Wanted(w.cell, value, w.where, w.parts, w.column, w.unit or before.unit,
                  w.note or before.note)  # fmt: skip


def _comparable(value: Any) -> Any:
    """The measure lives in the cell; a value that repeats it is the same value."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "measure"}
    return value


class _Rollback(Exception):
    pass


def _write(
    db: Database, form: Form, reviewer: str, changes: list[Wanted], problems: list[str]
) -> int:
    """Check and write the changes in one transaction: arms first, since outcome values
    must name an arm already defined; rolled back if anything is refused, or problems were
    found before (every value is still checked, so all problems are reported at once)."""
    arms = [w for w in changes if w.cell.item == ARM]
    rest = [w for w in changes if w.cell.item in (FIELD, OUTCOME)]
    try:
        with db.atomic():
            for batch in (arms, rest):  # each problem is reported, even past a refused arm
                rows = [_entry(db, form, reviewer, w, problems) for w in batch]
                valid = [row for row in rows if row is not None]
                if valid:
                    db.table("extraction_values").insert_all(valid)
            if problems:
                raise _Rollback
    except _Rollback:
        raise SheetRefused(problems) from None
    return len(changes)


def _entry(
    db: Database, form: Form, reviewer: str, w: Wanted, problems: list[str]
) -> dict[str, Any] | None:
    try:
        return entry(db, form, reviewer, w.cell, w.value, unit=w.unit, note=w.note)
    except MetasiftError as e:
        part = getattr(e, "part", None) or getattr(e, "field", None) or ""
        problems.append(w.where.at(w.parts.get(part, w.column), str(e)))
        return None


def main_sheets(sheets: list[Sheet]) -> list[Sheet]:
    """From a workbook, the sheets named studies, arms and outcomes (a per-reviewer or RevMan
    sheet beside them is not loaded); from CSV files, every extraction sheet.

    Example:
        >>> [s.name for s in main_sheets([Sheet("arms"), Sheet("arms (bo)")])]
        ['arms']
    """
    named = [s for s in sheets if s.name in (STUDIES, ARMS, OUTCOMES)]
    return named or sheets
