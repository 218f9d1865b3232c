"""Which value each cell of a sheet shows, and its status.

Three views, all built on extraction.values:
- the team's (the default): per cell the value exports use (consensus.cell_states: agreed or
  resolved); a cell still pending or in conflict is listed with its status and no value, never
  dropped;
- one reviewer's: their own values in force (what `metasift extract load` takes back), each
  "entered", or "done" once the reviewer has marked its study done (the extraction screen's
  done mark);
- every reviewer's, side by side (--per-reviewer).

A sheet also lists the form's cells nobody entered, as rows to fill in: a View says which
status they have, "pending" in the team's (consensus: a required extractor has not entered
it) and "not entered" in one reviewer's.

Blinding holds as in screening: while a study of a dual extraction lacks both done marks, its
values are shown only to an adjudicator (or in a review whose protocol names nobody); others
see the cells listed as "blinded". One's own values are never blinded.

Example:
    >>> Shown(None, PENDING).status
    'pending'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlite_utils import Database

from db.extraction_values import values_in_force
from extraction.forms.form import Form
from extraction.values.cells import DONE, Cell, StoredValue
from extraction.values.consensus import AGREED, PENDING, RESOLVED, blinded, cell_states

BLINDED = "blinded"
ENTERED, DONE_MARKED, NOT_ENTERED = "entered", "done", "not entered"  # a reviewer's own
__all__ = [
    "BLINDED", "DONE_MARKED", "ENTERED", "NOT_ENTERED", "PENDING", "Shown", "View", "Visible",
    "by_study", "extractors", "reviewer_view", "team_view",
]  # fmt: skip

Visible = Callable[[str], bool]  # study UUID -> may the asker see others' values on it?


@dataclass(frozen=True)
class Shown:
    value: StoredValue | None  # None: nothing to show (pending, conflict, blinded)
    status: str  # agreed, resolved, pending, conflict, blinded; a reviewer's own: entered, done


class View(dict[Cell, Shown]):
    """The cells a sheet shows; missing: the status of a form cell it holds nothing for."""

    def __init__(self, missing: str) -> None:
        super().__init__()
        self.missing = missing


def missing_status(shown: Mapping[Cell, Shown]) -> str:
    """The status of a cell the view holds nothing for (pending unless the view says)."""
    return shown.missing if isinstance(shown, View) else PENDING


def visibility(
    db: Database, form: Form, asker: str | None, adjudicators: tuple[str, ...]
) -> Visible:
    """Whether the asker may see others' values on a study (blinding, as in screening)."""
    if asker is None or asker in adjudicators or form.extractors_required < 2:
        return lambda study_uuid: True
    known: dict[str, bool] = {}  # one query per study, not per cell

    def visible(study_uuid: str) -> bool:
        if study_uuid not in known:
            known[study_uuid] = not blinded(db, form, study_uuid)
        return known[study_uuid]

    return visible


def team_view(db: Database, form: Form, visible: Visible) -> View:
    """The agreed (or resolved) value per cell; others with their status and no value."""
    shown = View(PENDING)
    for cell, state in cell_states(db, form).items():
        if not visible(cell.study_uuid):
            shown[cell] = Shown(None, BLINDED)
        elif state.state in (AGREED, RESOLVED):
            shown[cell] = Shown(state.value, state.state)
        else:
            shown[cell] = Shown(None, state.state)
    return shown


def reviewer_view(db: Database, reviewer: str, asker: str | None, visible: Visible) -> View:
    """The reviewer's own values in force (cleared cells left out), each entered, or done
    once the reviewer has marked its study done."""
    shown = View(NOT_ENTERED)
    done = _done_studies(db, reviewer)
    for value in _extractor_values(db, reviewer):
        if reviewer == asker or visible(value.cell.study_uuid):
            status = DONE_MARKED if value.cell.study_uuid in done else ENTERED
            shown[value.cell] = Shown(value, status)
        else:
            shown[value.cell] = Shown(None, BLINDED)
    return shown


def extractors(db: Database) -> list[str]:
    """Everyone who has entered a value, in name order."""
    return sorted({v.reviewer for v in _extractor_values(db, None)})


def _done_studies(db: Database, reviewer: str) -> set[str]:
    """The studies the reviewer has marked done (and not reopened)."""
    rows = map(StoredValue.from_row, values_in_force(db, reviewer=reviewer))
    return {v.cell.study_uuid for v in rows if v.cell.item == DONE and v.value is True}


def _extractor_values(db: Database, reviewer: str | None) -> list[StoredValue]:
    rows = map(StoredValue.from_row, values_in_force(db, reviewer=reviewer))
    return [
        v for v in rows if v.role == "extractor" and v.cell.item != DONE and v.value is not None
    ]


def studies_with_values(db: Database) -> set[str]:
    """Every study anyone has entered a value on (load accepts their study ids)."""
    return {row["study_uuid"] for row in values_in_force(db)}


def by_study(shown: Mapping[Cell, Shown]) -> dict[str, dict[Cell, Shown]]:
    """The cells grouped by study, so each study's rows read only its own cells."""
    grouped: dict[str, dict[Cell, Shown]] = {}
    for cell, held in shown.items():
        grouped.setdefault(cell.study_uuid, {})[cell] = held
    return grouped
