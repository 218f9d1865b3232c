"""The extraction sheet: study characteristics, arms, and one long sheet of outcome values.

- studies: one row per study, one column per form field (its label as header, its key in
  brackets when they differ, so load finds the field after a label changes); fields no
  longer in the form keep their column, headed "KEY (not in the form)";
- arms: one row per arm (key, label, arm type, n randomised, description);
- outcomes: one row per arm, outcome, time point and measure (final value or change from
  baseline): the statistics as reported, with the unit and factor, then the mean, SD and n
  (or events and total) derived in the outcome's unit, the method and the imputed-SD flag
  (yes or no, as the metafor sheet's sd_imputed); a value made up rather than reported says
  so in its illustrative column and its method. Every arm gets a row per outcome and time
  point of the form, empty where nothing was entered, so a team can extract in the sheet
  itself: its status says so ("pending" in the team's sheet, "not entered" in a reviewer's,
  "blinded" on a blinded study), and its measure and outcome unit are the form's (the cell
  to fill in, and the unit the derived values will be in), not a value reported. Values for
  outcomes or time points the form no longer has are listed too, marked "not in the form".
  An arm-less study gets a row per arm type to fill in, with the same status.

Example:
    >>> field_header(FormField("design", "Design"))
    'Design [design]'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from extraction.conversions.derived import ConversionError
from extraction.forms.form import Form, FormField
from extraction.sheets.shown import BLINDED, Shown, by_study, missing_status
from extraction.sheets.tables import (
    ARM_COLUMNS,
    ARM_KEYS,
    ARMS,
    NOT_IN_FORM,
    OUTCOME_COLUMNS,
    OUTCOMES,
    REPORTED_KEYS,
    STATUS,
    STUDIES,
    STUDY_COLUMNS,
    Sheet,
)
from extraction.values.cells import ARM, FIELD, OUTCOME, Cell
from extraction.values.reported import Dichotomous, derive, illustrative, imputed

_KEYED = re.compile(r"^(?P<label>.*) \[(?P<key>[^\[\]]+)\]$")
_REMOVED = re.compile(r"^(?P<key>.+) \(" + NOT_IN_FORM + r"\)$")


def field_header(spec: FormField) -> str:
    """The label, with the field's unit, and its key in brackets unless the label is the key."""
    label = f"{spec.label} ({spec.unit})" if spec.unit else spec.label
    return spec.key if label == spec.key else f"{label} [{spec.key}]"


def header_key(header: str) -> str:
    """The field key a studies-sheet header names (see field_header)."""
    found = _KEYED.match(header) or _REMOVED.match(header)
    return found["key"] if found else header


def study_labels(included: Mapping[str, str], shown: Iterable[Cell]) -> dict[str, str]:
    """Included studies, then any other study holding values (nothing is left out)."""
    labels = dict(included)
    for cell in shown:
        labels.setdefault(cell.study_uuid, f"not included ({cell.study_uuid[:8]})")
    return labels


def extraction_sheets(
    form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown], suffix: str = ""
) -> list[Sheet]:
    """The three sheets; suffix names whose they are (" (ana)") when there are several."""
    return [
        Sheet(STUDIES + suffix, studies_rows(form, labels, shown)),
        Sheet(ARMS + suffix, arms_rows(form, labels, shown)),
        Sheet(OUTCOMES + suffix, outcome_rows(form, labels, shown)),
    ]


def studies_rows(
    form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown]
) -> list[list[Any]]:
    keys = [f.key for f in form.fields]
    removed = sorted({c.field for c in shown if c.item == FIELD and c.field not in keys})
    headers = [field_header(f) for f in form.fields] + [f"{k} ({NOT_IN_FORM})" for k in removed]
    rows: list[list[Any]] = [[*STUDY_COLUMNS, *headers, STATUS]]
    for study, label in labels.items():
        cells = [shown.get(Cell.study_field(study, key)) for key in (*keys, *removed)]
        waiting = [
            f"{s.status}: {key}"
            for key, s in zip((*keys, *removed), cells, strict=True)
            if s is not None and s.value is None
        ]
        values = [plain(s.value.value) if s and s.value else None for s in cells]
        # what waits, or else the status of the values shown, as the arms and outcomes say
        settled = dict.fromkeys(s.status for s in cells if s and s.value and s.status)
        rows.append([label, study, *values, "; ".join(waiting or settled)])
    return rows


def study_arms(study: str, shown: Mapping[Cell, Shown]) -> dict[str, dict[str, Any]]:
    """The study's arms shown, key -> {label, type, n, description} ({} if not shown), in
    key order (values entered in one millisecond have no order of their own)."""
    arms = {
        c.arm: dict(s.value.value) if s.value and isinstance(s.value.value, dict) else {}
        for c, s in shown.items()
        if c.study_uuid == study and c.item == ARM
    }
    return dict(sorted(arms.items()))


def arms_rows(
    form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown]
) -> list[list[Any]]:
    return [list(ARM_COLUMNS), *_per_study(_study_arm_rows, form, labels, shown)]


def outcome_rows(
    form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown]
) -> list[list[Any]]:
    return [list(OUTCOME_COLUMNS), *_per_study(_study_outcome_rows, form, labels, shown)]


StudyRows = Callable[[Form, str, str, Mapping[Cell, Shown], str], list[list[Any]]]


def _per_study(
    rows_of: StudyRows, form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown]
) -> list[list[Any]]:
    """Each study's rows; a cell of the form the view holds nothing for gets the view's
    missing status, or "blinded" on a study whose values are blinded (so an empty row does
    not tell a blinded extractor what the other has not entered)."""
    grouped = by_study(shown)
    missing = missing_status(shown)
    rows = []
    for study, label in labels.items():
        own = grouped.get(study, {})
        blinded = any(s.status == BLINDED for s in own.values())
        rows += rows_of(form, study, label, own, BLINDED if blinded else missing)
    return rows


def _study_arm_rows(
    form: Form, study: str, label: str, shown: Mapping[Cell, Shown], missing: str
) -> list[list[Any]]:
    arms = study_arms(study, shown)
    if not arms:  # a row per arm type to fill in, so a team can define arms in the sheet
        return [[label, study, None, None, t, None, None, missing] for t in form.arm_types]
    rows = []
    for key, arm in arms.items():
        status = shown[Cell.arm_of(study, key)].status
        if form.arm_types and arm and arm.get("type") not in form.arm_types:
            status = _join(status, NOT_IN_FORM)
        rows.append([label, study, key, *(plain(arm.get(k)) for k in ARM_KEYS), status])
    return rows


def _study_outcome_rows(
    form: Form, study: str, label: str, shown: Mapping[Cell, Shown], missing: str
) -> list[list[Any]]:
    arms = study_arms(study, shown)
    entered = sorted(c for c in shown if c.study_uuid == study and c.item == OUTCOME)
    cells = dict.fromkeys([*_form_cells(form, study, arms, entered), *entered])
    return [
        _outcome_row(form, label, arms.get(c.arm, {}), c, shown.get(c) or Shown(None, missing))
        for c in cells
    ]


def _form_cells(form: Form, study: str, arms: Mapping[str, Any], entered: list[Cell]) -> list[Cell]:
    """A cell per arm, outcome and time point of the form (change-from-baseline cells only
    where some arm of the study has one for that outcome)."""
    changes = {c.outcome for c in entered if c.field == "change"}
    cells = []
    for arm in arms:
        for spec in form.outcomes:
            measures = ("final", "change") if spec.key in changes else ("final",)
            cells += [
                Cell.outcome_of(study, arm, spec.key, t, m)
                for t in spec.timepoints
                for m in measures
            ]
    return cells


def _outcome_row(
    form: Form, label: str, arm: Mapping[str, Any], cell: Cell, shown: Shown
) -> list[Any]:
    spec = form.outcome(cell.outcome)
    in_form = spec is not None and cell.timepoint in spec.timepoints
    status = shown.status
    if not in_form:
        status = _join(status, NOT_IN_FORM)
    head = [label, cell.study_uuid, cell.arm, plain(arm.get("label")), plain(arm.get("type")),
            cell.outcome, spec.name if spec else None, cell.timepoint, cell.field]  # fmt: skip
    # the form's unit, which derived values are in (also on a row still to fill in)
    unit_analysed = spec.unit if spec and spec.kind == "continuous" else None
    if shown.value is None or not isinstance(shown.value.value, dict):
        return [*head, None, *[None] * len(REPORTED_KEYS), None, None, *[None] * 5,
                unit_analysed, None, None, None, status]  # fmt: skip
    stored = shown.value
    reported = stored.value
    derived, method = _derived(reported, stored.factor)
    if illustrative(reported):  # the numbers were made up: "as reported" would mislead
        method = f"ILLUSTRATIVE, not from a report: {method.replace('as reported', 'as entered')}"
    return [
        *head, plain(reported.get("as")), *(plain(reported.get(k)) for k in REPORTED_KEYS),
        stored.unit, stored.factor, *derived, unit_analysed, method,
        plain(imputed(reported)), stored.note, status,
    ]  # fmt: skip


def _derived(reported: dict[str, Any], factor: float | None) -> tuple[list[Any], str]:
    """[mean, SD, n, events, total] in the outcome's unit, and the method in words."""
    try:
        found = derive(reported, factor or 1.0)
    except (ConversionError, KeyError, TypeError, ValueError) as e:
        return [None] * 5, f"cannot derive: {e}"
    if isinstance(found, Dichotomous):
        return [None, None, None, found.events, found.total], found.method
    method = f"{found.method}; {found.warning}" if found.warning else found.method
    return [found.mean, found.sd, found.n, None, None], method


def plain(value: Any) -> Any:
    """A stored value as a sheet cell: yes/no for booleans, JSON for anything nested."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _join(status: str, more: str) -> str:
    return f"{status}; {more}" if status else more
