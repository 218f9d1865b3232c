"""review.toml's [extraction] table -> Form.

    [extraction]
    extractors_required = 2          # independent extractions per study: 1 (default) or 2
    multi_arm = "combine"            # or "split": see extraction/sheets/analysis.py

    [extraction.fields]              # study characteristics; the key is the value's identity,
    country = { label = "Country" }  # so a label can change without losing what was entered
    design = { label = "Design", type = "choice", choices = ["RCT", "non-randomised"] }
    dose = { label = "Dose", type = "number", unit = "cells/kg" }

    [extraction.outcomes.albumin]
    name = "Serum albumin"
    kind = "continuous"              # or "dichotomous" (events / total)
    unit = "g/L"                     # the unit analyses use; values convert to it
    substance = "albumin"            # for mass-to-molar factors (bilirubin, creatinine...)
    better = "higher"                # or "lower": which direction favours the intervention
    timepoints = ["2 weeks", "1 month", "3 months", "6 months"]

    [extraction.comparisons.msc_vs_control]
    intervention = "MSC"             # the arm type on the m1i/ai side
    control = "standard care"        # the arm type on the m2i/ci side

    [[extraction.units]]             # factors the built-in table lacks, or overrides
    from = "mg/dL"
    to = "umol/L"
    factor = 17.1
    substance = "bilirubin"

Field types: text, integer, number, choice, yes/no, date. A form may change mid-review:
values are stored against keys, so a field or time point added later is simply empty for the
studies already extracted, and one removed keeps its values, which exports list as "not in
the form".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extraction.conversions.units import UnitFactor, UnitTable

FIELD_TYPES = ("text", "integer", "number", "choice", "yes/no", "date")
KINDS = ("continuous", "dichotomous")
BETTER = ("higher", "lower")
TABLE_KEYS = {"extractors_required", "multi_arm", "fields", "outcomes", "comparisons", "units"}
MULTI_ARM = ("combine", "split")

Fail = Callable[[str, str], Exception]  # (dotted key, message) -> the error to raise


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class OutcomeSpec:
    key: str
    name: str
    kind: str  # continuous or dichotomous
    unit: str = ""  # continuous: the unit analyses use
    substance: str = ""
    better: str = "higher"
    timepoints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    key: str
    intervention: str  # arm type
    control: str


@dataclass(frozen=True)
class Form:
    fields: tuple[FormField, ...] = ()
    outcomes: tuple[OutcomeSpec, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    unit_factors: tuple[UnitFactor, ...] = ()
    extractors_required: int = 1
    # a multi-arm trial's several arms of one side (Cochrane Handbook 23.3.4): combined into
    # one group, or each compared with the shared group, split into as many parts
    multi_arm: str = "combine"
    units: UnitTable = field(default_factory=UnitTable, compare=False, repr=False)

    @property
    def arm_types(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(t for c in self.comparisons for t in (c.intervention, c.control))
        )

    def outcome(self, key: str) -> OutcomeSpec | None:
        return next((o for o in self.outcomes if o.key == key), None)

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


def parse_form(data: Any, fail: Fail) -> Form:
    """The [extraction] table as a Form; fail(key, message) makes the error to raise."""
    if data is None:
        return Form()
    _table(data, "extraction", fail)
    _known(data, "extraction", TABLE_KEYS, fail)
    required = data.get("extractors_required", 1)
    if required not in (1, 2) or isinstance(required, bool):
        raise fail("extraction.extractors_required", "must be 1 or 2")
    multi_arm = data.get("multi_arm", "combine")
    if multi_arm not in MULTI_ARM:
        raise fail("extraction.multi_arm", 'must be "combine" or "split"')
    units = enumerate(_list(data, "units", fail), start=1)
    factors = tuple(_unit(u, f"extraction.units[{i}]", fail) for i, u in units)
    return Form(
        fields=tuple(_field(k, v, fail) for k, v in _entries(data, "fields", fail)),
        outcomes=tuple(_outcome(k, v, fail) for k, v in _entries(data, "outcomes", fail)),
        comparisons=tuple(_comparison(k, v, fail) for k, v in _entries(data, "comparisons", fail)),
        unit_factors=factors,
        extractors_required=required,
        multi_arm=multi_arm,
        units=UnitTable(factors),
    )


def _field(key: str, spec: Any, fail: Fail) -> FormField:
    where = f"extraction.fields.{key}"
    _table(spec, where, fail)
    _known(spec, where, {"label", "type", "choices", "unit"}, fail)
    kind = _str(spec, "type", where, fail, "text")
    if kind not in FIELD_TYPES:
        raise fail(f"{where}.type", f"is {kind!r}; choose from {', '.join(FIELD_TYPES)}")
    choices = _strs(spec, "choices", where, fail)
    if kind == "choice" and not choices:
        raise fail(f"{where}.choices", "a choice field needs its choices")
    label = _str(spec, "label", where, fail, key)
    return FormField(key, label, kind, choices, _str(spec, "unit", where, fail))


def _outcome(key: str, spec: Any, fail: Fail) -> OutcomeSpec:
    where = f"extraction.outcomes.{key}"
    _table(spec, where, fail)
    _known(spec, where, {"name", "kind", "unit", "substance", "better", "timepoints"}, fail)
    kind = _str(spec, "kind", where, fail, "continuous")
    if kind not in KINDS:
        raise fail(f"{where}.kind", f"is {kind!r}; choose continuous or dichotomous")
    better = _str(spec, "better", where, fail, "higher")
    if better not in BETTER:
        raise fail(f"{where}.better", f"is {better!r}; choose higher or lower")
    unit = _str(spec, "unit", where, fail)
    if kind == "continuous" and not unit:
        raise fail(f"{where}.unit", "a continuous outcome needs the unit analyses use")
    timepoints = _strs(spec, "timepoints", where, fail) or ("end of follow-up",)
    if len(set(timepoints)) < len(timepoints):
        raise fail(f"{where}.timepoints", "lists a time point twice")
    name = _str(spec, "name", where, fail, key)
    substance = _str(spec, "substance", where, fail)
    return OutcomeSpec(key, name, kind, unit, substance, better, timepoints)


def _comparison(key: str, spec: Any, fail: Fail) -> Comparison:
    where = f"extraction.comparisons.{key}"
    _table(spec, where, fail)
    _known(spec, where, {"intervention", "control"}, fail)
    sides = [_str(spec, side, where, fail) for side in ("intervention", "control")]
    for side, value in zip(("intervention", "control"), sides, strict=True):
        if not value:
            raise fail(f"{where}.{side}", "names the arm type on this side; it is missing")
    if sides[0] == sides[1]:
        raise fail(f"{where}.control", "is the same arm type as the intervention")
    return Comparison(key, sides[0], sides[1])


def _unit(spec: Any, where: str, fail: Fail) -> UnitFactor:
    _table(spec, where, fail)
    _known(spec, where, {"from", "to", "factor", "substance"}, fail)
    factor = spec.get("factor")
    if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
        raise fail(f"{where}.factor", "must be a positive number")
    source, target = _str(spec, "from", where, fail), _str(spec, "to", where, fail)
    if not source or not target:
        raise fail(where, "needs from and to")
    return UnitFactor(source, target, float(factor), _str(spec, "substance", where, fail))


def _entries(data: dict[str, Any], key: str, fail: Fail) -> list[tuple[str, Any]]:
    table = data.get(key, {})
    _table(table, f"extraction.{key}", fail)
    return list(table.items())


def _list(data: dict[str, Any], key: str, fail: Fail) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise fail(f"extraction.{key}", "must be an array of tables ([[extraction.units]])")
    return value


def _table(value: Any, where: str, fail: Fail) -> None:
    if not isinstance(value, dict):
        raise fail(where, "must be a table")


def _known(spec: dict[str, Any], where: str, keys: set[str], fail: Fail) -> None:
    for key in spec:
        if key not in keys:
            near = difflib.get_close_matches(key, keys, n=1)
            hint = f"did you mean {near[0]}?" if near else f"known: {', '.join(sorted(keys))}"
            raise fail(f"{where}.{key}", f"is not a key here ({hint})")


def _str(spec: dict[str, Any], key: str, where: str, fail: Fail, default: str = "") -> str:
    value = spec.get(key, default)
    if not isinstance(value, str):
        raise fail(f"{where}.{key}", "must be a string")
    return value.strip()


def _strs(spec: dict[str, Any], key: str, where: str, fail: Fail) -> tuple[str, ...]:
    value = spec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"{where}.{key}", "must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())
