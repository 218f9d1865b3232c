"""What an extracted value is about (a cell of the form) and the value as stored.

A cell is a study field, an arm's definition, an arm's outcome at a time point (final value
or change from baseline), or a reviewer's "done" mark on a study. Cells are named by keys,
never labels, so a form whose labels change keeps every value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

FIELD, ARM, OUTCOME, DONE = "field", "arm", "outcome", "done"


class Cell(NamedTuple):
    study_uuid: str
    item: str  # field, arm, outcome, done
    field: str = ""  # field: its key; outcome: the measure (final or change)
    arm: str = ""
    outcome: str = ""
    timepoint: str = ""

    @classmethod
    def study_field(cls, study: str, key: str) -> Cell:
        return cls(study, FIELD, key)

    @classmethod
    def arm_of(cls, study: str, arm: str) -> Cell:
        return cls(study, ARM, arm=arm)

    @classmethod
    def outcome_of(
        cls, study: str, arm: str, outcome: str, timepoint: str, measure: str = "final"
    ) -> Cell:
        return cls(study, OUTCOME, measure, arm, outcome, timepoint)

    @classmethod
    def done(cls, study: str) -> Cell:
        return cls(study, DONE)

    def label(self) -> str:
        """How messages and sheets name the cell."""
        if self.item == FIELD:
            return self.field
        if self.item == ARM:
            return f"arm {self.arm}"
        if self.item == OUTCOME:
            measure = "" if self.field == "final" else f" ({self.field} from baseline)"
            return f"{self.outcome} at {self.timepoint}, arm {self.arm}{measure}"
        return "done"


@dataclass(frozen=True)
class StoredValue:
    """One reviewer's (or a consensus') value in force for a cell."""

    uuid: str
    cell: Cell
    reviewer: str
    role: str
    value: Any  # decoded JSON; None: the cell was cleared
    unit: str | None
    factor: float | None
    note: str | None
    settles: frozenset[str]
    created_at: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredValue:
        cell = Cell(*(row[k] or "" for k in Cell._fields))
        settles = frozenset(json.loads(row["settles"])) if row["settles"] else frozenset()
        value = json.loads(row["value"]) if row["value"] is not None else None
        return cls(row["uuid"], cell, row["reviewer"], row["role"], value, row["unit"],
                   row["factor"], row["note"], settles, row["created_at"])  # fmt: skip

    def same_as(self, other: StoredValue) -> bool:
        """The same value: equal JSON and unit (3.1 g/dL and 31 g/L are not the same entry,
        though they convert alike: the sheet must show one)."""
        return (self.value, self.unit or "") == (other.value, other.unit or "")
