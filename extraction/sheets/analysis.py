"""The extracted values as meta-analysis software takes them: metafor's long table and
RevMan's data-entry blocks, one per comparison, outcome, time point and measure.

Group 1 (m1i, sd1i, n1i; ai, n1i) is the comparison's intervention arm type, group 2 its
control (review.toml's [extraction.comparisons]); each side is in the outcome's unit.

Multi-arm trials (Cochrane Handbook 23.3.4): when a study has several arms of one side's
type (two MSC doses against one control), the shared control must not be counted twice.
review.toml's `[extraction] multi_arm` says how: "combine" (the default) makes the arms one
group, continuous arms with the Handbook's formula for combining groups (6.5.2.10,
extraction.conversions.spread.combine_groups), dichotomous arms by adding events and totals;
"split" compares each arm with the shared group, whose participants (and events) are divided
among the comparisons, its mean and SD kept. The "multi-arm" column (metafor) and "note"
column (RevMan) say which was done. A side with a value made up rather than reported
(extraction.values.reported.illustrative) is flagged: the "illustrative" column (metafor) and
the note (RevMan) say so. Final values
and changes from baseline are separate blocks, never mixed.

Example:
    >>> Side(30.0, 4.0, 20, None, 1, False, False).events is None
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from extraction.conversions.derived import ConversionError, Derived
from extraction.conversions.spread import combine_groups
from extraction.forms.form import Comparison, Form, OutcomeSpec
from extraction.sheets.layout import plain, study_arms
from extraction.sheets.shown import Shown, by_study
from extraction.sheets.tables import Sheet
from extraction.values.cells import Cell
from extraction.values.reported import MEASURES, Dichotomous, derive, illustrative, imputed

COMBINED = "combined (Cochrane Handbook 23.3.4; 6.5.2.10)"
SPLIT = "split among the comparisons (Cochrane Handbook 23.3.4)"
SD_IMPUTED = "SD imputed"
ILLUSTRATIVE = "ILLUSTRATIVE: made up, not from a report"
METAFOR_VALUES = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i", "ai", "ci")


@dataclass(frozen=True)
class Side:
    """One side of a comparison in one study: its arms' values, combined if several."""

    mean: float | None
    sd: float | None
    n: float  # continuous: participants; dichotomous: the total (a split group: a share)
    events: float | None
    arms: int
    imputed: bool
    illustrative: bool  # a value made up, not from a report
    split: int = 1  # the shared group divided among this many comparisons

    def share(self, parts: int) -> Side:
        """This side as one of parts comparisons with the same shared group."""
        events = None if self.events is None else self.events / parts
        return replace(self, n=self.n / parts, events=events, split=parts)


@dataclass(frozen=True)
class Pair:
    """One study's two sides for a comparison, outcome, time point and measure."""

    comparison: Comparison
    outcome: OutcomeSpec
    timepoint: str
    measure: str
    study: str
    label: str
    treated: Side
    control: Side

    @property
    def note(self) -> str:
        said = [
            f"{side.arms} {arm_type} arms {COMBINED}"
            if side.split == 1
            else f"{arm_type} group {SPLIT} ({side.split})"
            for side, arm_type in (
                (self.treated, self.comparison.intervention),
                (self.control, self.comparison.control),
            )  # fmt: skip
            if side.arms > 1 or side.split > 1
        ]
        if self.treated.imputed or self.control.imputed:
            said.append(SD_IMPUTED)
        if self.illustrative:
            said.append(ILLUSTRATIVE)
        return "; ".join(said)

    @property
    def illustrative(self) -> bool:
        return self.treated.illustrative or self.control.illustrative


def pairs(form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown]) -> list[Pair]:
    """Every study with a value on both sides, per comparison, outcome, time point, measure."""
    grouped = by_study(shown)
    arms = {study: study_arms(study, grouped.get(study, {})) for study in labels}
    out = []
    for comparison in form.comparisons:
        for spec in form.outcomes:
            for timepoint in spec.timepoints:
                for measure in MEASURES:
                    for study, label in labels.items():
                        where = (study, arms[study], shown, spec, timepoint, measure)
                        for name, treated, control in _sides(form.multi_arm, comparison, where):
                            out.append(Pair(comparison, spec, timepoint, measure, study,
                                            label + name, treated, control))  # fmt: skip
    return out


_Where = tuple[str, Mapping[str, Mapping[str, Any]], Mapping[Cell, Shown], OutcomeSpec, str, str]


def _sides(how: str, comparison: Comparison, where: _Where) -> list[tuple[str, Side, Side]]:
    """(label suffix, treated, control) per comparison row of one study: one row with each
    side's arms combined, or, when splitting, one per arm of the side that has several."""
    study, arms, shown, spec, timepoint, measure = where
    both = [_side(*where, arm_type) for arm_type in (comparison.intervention, comparison.control)]
    treated, control = both
    if treated is None or control is None:
        return []
    if how != "split" or (treated.arms == 1 and control.arms == 1):
        return [("", treated, control)]
    several = comparison.intervention if treated.arms > 1 else comparison.control
    rows = []
    for key, arm in arms.items():
        if arm.get("type") != several:
            continue
        alone = _side(study, {key: arm}, shown, spec, timepoint, measure, several)
        if alone is not None:
            rows.append((f" ({arm.get('label') or key})", alone))
    parts = len(rows)
    if several == comparison.intervention:
        return [(name, alone, control.share(parts)) for name, alone in rows]
    return [(name, treated.share(parts), alone) for name, alone in rows]


def _side(
    study: str, arms: Mapping[str, Mapping[str, Any]], shown: Mapping[Cell, Shown],
    spec: OutcomeSpec, timepoint: str, measure: str, arm_type: str,
) -> Side | None:  # fmt: skip
    found: list[tuple[Derived | Dichotomous, bool, bool]] = []
    for arm, value in arms.items():
        if value.get("type") != arm_type:
            continue
        held = shown.get(Cell.outcome_of(study, arm, spec.key, timepoint, measure))
        if held is None or held.value is None or not isinstance(held.value.value, dict):
            continue
        try:
            reported = held.value.value
            found.append((derive(reported, held.value.factor or 1.0), imputed(reported),
                          illustrative(reported) is not None))  # fmt: skip
        except (ConversionError, KeyError, TypeError, ValueError):
            continue  # stored under older rules and no longer derivable: left out
    return _combined(found) if found else None


def _combined(found: list[tuple[Derived | Dichotomous, bool, bool]]) -> Side:
    flags = (any(flag for _, flag, _ in found), any(flag for *_, flag in found))
    values = [value for value, *_ in found]
    dichotomous = [v for v in values if isinstance(v, Dichotomous)]
    if dichotomous:
        events = sum(v.events for v in dichotomous)
        return Side(None, None, sum(v.total for v in dichotomous), events, len(values), *flags)
    groups = [(v.n, v.mean, v.sd) for v in values if isinstance(v, Derived)]
    one = combine_groups(groups)
    return Side(one.mean, one.sd, one.n, None, len(values), *flags)


def metafor_sheet(form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown]) -> Sheet:
    """One long table: a row per comparison, outcome, time point, measure and study; the
    study fields of type choice as subgroup columns (named by key)."""
    subgroups = [f.key for f in form.fields if f.type == "choice"]
    header = ["outcome", "timepoint", "measure", "comparison", "study", "study_id",
              *subgroups, *METAFOR_VALUES, "unit", "sd_imputed", "multi_arm",
              "illustrative"]  # fmt: skip
    rows: list[list[Any]] = [header]
    for p in pairs(form, labels, shown):
        groups = [_shown_value(shown, Cell.study_field(p.study, key)) for key in subgroups]
        values: list[float | int | None]
        if p.outcome.kind == "dichotomous":
            values = [None, None, p.treated.n, None, None, p.control.n,
                      p.treated.events, p.control.events]  # fmt: skip
        else:
            values = [p.treated.mean, p.treated.sd, p.treated.n,
                      p.control.mean, p.control.sd, p.control.n, None, None]  # fmt: skip
        flag = "yes" if p.treated.imputed or p.control.imputed else "no"
        multi = "; ".join(s for s in p.note.split("; ") if s not in (SD_IMPUTED, ILLUSTRATIVE))
        rows.append([p.outcome.key, p.timepoint, p.measure, p.comparison.key, p.label, p.study,
                     *groups, *values, p.outcome.unit or None, flag, multi or None,
                     "yes" if p.illustrative else "no"])  # fmt: skip
    return Sheet("metafor", rows)


def _shown_value(shown: Mapping[Cell, Shown], cell: Cell) -> Any:
    held = shown.get(cell)
    return plain(held.value.value) if held and held.value else None


def revman_sheet(form: Form, labels: Mapping[str, str], shown: Mapping[Cell, Shown]) -> Sheet:
    """A block per comparison, outcome, time point and measure: a title row, RevMan's
    column headings, a row per study, then an empty row."""
    blocks: dict[tuple[str, str, str, str], list[Pair]] = {}
    for p in pairs(form, labels, shown):
        blocks.setdefault((p.comparison.key, p.outcome.key, p.timepoint, p.measure), []).append(p)
    rows: list[list[Any]] = []
    for found in blocks.values():
        rows += _block(found)
    return Sheet("revman", rows, frozen=0)


def _block(found: list[Pair]) -> list[list[Any]]:
    first = found[0]
    c, spec = first.comparison, first.outcome
    unit = f" ({spec.unit})" if spec.kind == "continuous" and spec.unit else ""
    measure = "change from baseline" if first.measure == "change" else "final values"
    title = f"{c.intervention} vs {c.control}: {spec.name}{unit}, {first.timepoint}, {measure}"
    body: list[list[Any]]
    if spec.kind == "dichotomous":
        head = ["Study", "Experimental Events", "Experimental Total", "Control Events",
                "Control Total", "Note"]  # fmt: skip
        body = [[p.label, p.treated.events, p.treated.n, p.control.events, p.control.n,
                 p.note or None] for p in found]  # fmt: skip
    else:
        head = ["Study", "Experimental Mean", "Experimental SD", "Experimental Total",
                "Control Mean", "Control SD", "Control Total", "Note"]  # fmt: skip
        body = [[p.label, p.treated.mean, p.treated.sd, p.treated.n, p.control.mean,
                 p.control.sd, p.control.n, p.note or None] for p in found]  # fmt: skip
    return [[title], head, *body, []]
