"""What a forest plot shows, in RevMan's layout, apart from how it is drawn (matplotlib in
forest.py, text in terminal.py): a row per study with its raw numbers (mean, SD and total per
arm, or events and total), its weight and its estimate with the 95% CI; subgroup headings and
subtotals; the total with its diamond; the heterogeneity and overall-effect lines; the
method named; footnotes (a dagger on each study whose values are illustrative, made up rather
than reported, and a line naming them). Estimates are on the scale shown (ratios
exponentiated)."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace

from extraction.pooling.analysis import RATIO_MEASURES, Analysis
from extraction.pooling.report import Z975, heterogeneity_line, p_words, shown_scale
from extraction.pooling.report import weights_by_study as analysis_weights
from extraction.pooling.result import Pooled

RAW_HEADINGS = {
    "continuous": ("Mean", "SD", "Total", "Mean", "SD", "Total"),
    "2x2": ("Events", "Total", "Events", "Total"),
    "yivi": (),
}
RAW_COLUMNS = {
    "continuous": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
    "2x2": ("ai", "n1i", "ci", "n2i"),
    "yivi": (),
}
DAGGER = "\u2020"  # marks a study whose values are illustrative
REVMAN_MEASURES = {"MD": "Mean Difference", "SMD": "Std. Mean Difference",
                   "RR": "Risk Ratio", "OR": "Odds Ratio", "RD": "Risk Difference"}  # fmt: skip


@dataclass(frozen=True)
class ForestRow:
    """kind: "study", "heading" (a subgroup's name), "total" (a diamond) or "text"."""

    kind: str
    label: str
    numbers: tuple[str, ...] = ()
    weight: float | None = None
    estimate: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def effect_text(self) -> str:
        if self.estimate is None or self.low is None or self.high is None:
            return "Not estimable" if self.kind == "study" else ""
        return f"{self.estimate:.2f} [{self.low:.2f}, {self.high:.2f}]"

    @property
    def weight_text(self) -> str:
        return "" if self.weight is None else f"{self.weight:.1f}%"


@dataclass(frozen=True)
class Forest:
    title: str  # e.g. "Mean Difference, IV, Random, 95% CI"
    headings: tuple[str, ...]
    rows: tuple[ForestRow, ...]
    method: str  # the method and test in words
    log_scale: bool
    footnotes: tuple[str, ...] = ()
    caption: str = ""  # what was pooled (outcome, time point), above the drawn plot

    @property
    def null(self) -> float:
        return 1.0 if self.log_scale else 0.0


def method_title(run: Analysis) -> str:
    """RevMan's column title: measure, weighting, model, CI."""
    method = run.pooled.method
    weighting = {"MH": "M-H", "PETO": "Peto"}.get(method, "IV")
    model = "Fixed" if method in ("FE", "MH", "PETO") else "Random"
    measure = "Odds Ratio" if method == "PETO" else REVMAN_MEASURES[run.options.measure]
    return f"{measure}, {weighting}, {model}, 95% CI"


def forest(run: Analysis) -> Forest:
    """The rows of run's forest plot: by subgroup when it has subgroups."""
    weights = analysis_weights(run)
    rows: list[ForestRow] = []
    if run.subgroups and run.studies.subgroups is not None:
        labels = run.studies.subgroups
        for level, part in run.subgroups:
            rows.append(ForestRow("heading", str(level)))
            indices = [i for i, label in enumerate(labels) if label == level]
            rows += [_study_row(run, i, weights[i]) for i in indices]
            rows += _total_rows(part, "Subtotal (95% CI)", indices, run)
    else:
        rows += [_study_row(run, i, weights[i]) for i in range(len(run.studies.names))]
    rows += _total_rows(run, "Total (95% CI)", list(range(len(run.studies.names))), run)
    if run.subgroup_test is not None:
        t = run.subgroup_test
        rows.append(ForestRow("text", f"Test for subgroup differences: Chi² = {t.q:.2f}, "
                              f"df = {t.df} (P {p_words(t.pval)}), I² = {t.i2:.1f}%"))  # fmt: skip
    log = run.options.measure in RATIO_MEASURES
    headings = RAW_HEADINGS[run.studies.kind]
    return Forest(method_title(run), headings, tuple(rows), run.pooled.derivation, log)


def _study_row(run: Analysis, i: int, weight: float | None) -> ForestRow:
    y, v = run.yi[i], run.vi[i]
    numbers = tuple(_number(run, i, c) for c in RAW_COLUMNS[run.studies.kind])
    if y is None or v is None:
        return ForestRow("study", run.studies.names[i], numbers, weight)
    half = Z975 * math.sqrt(v)
    low, high = shown_scale(run, y - half), shown_scale(run, y + half)
    return ForestRow("study", run.studies.names[i], numbers, weight, shown_scale(run, y), low, high)


def _number(run: Analysis, i: int, column: str) -> str:
    columns = run.studies.columns
    if column == "n1i" and "n1i" not in columns:  # read as ai, bi, ci, di
        value = float(columns["ai"][i] + columns["bi"][i])
    elif column == "n2i" and "n2i" not in columns:
        value = float(columns["ci"][i] + columns["di"][i])
    else:
        value = float(columns[column][i])
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def _total_rows(part: Analysis, label: str, indices: list[int], run: Analysis) -> list[ForestRow]:
    p = part.pooled
    totals = _arm_totals(run, indices)
    weight = sum(w for w in (analysis_weights(run)[i] for i in indices) if w is not None)
    diamond = ForestRow("total", label, totals, weight, shown_scale(part, p.estimate),
                        shown_scale(part, p.ci_lb), shown_scale(part, p.ci_ub))  # fmt: skip
    rows = [diamond, ForestRow("text", heterogeneity_line(p)), ForestRow("text", overall_line(p))]
    if p.pi_lb is not None and p.pi_ub is not None:  # the method line names it: show it
        low, high = shown_scale(part, p.pi_lb), shown_scale(part, p.pi_ub)
        rows.append(ForestRow("text", f"Prediction interval: [{low:.2f}, {high:.2f}]"))
    return rows


def _arm_totals(run: Analysis, indices: list[int]) -> tuple[str, ...]:
    """The totals per arm (and events), under their columns; empty cells elsewhere."""
    kind = run.studies.kind
    summed = {"n1i", "n2i", "ai", "ci"}
    return tuple(
        str(sum(int(_number(run, i, c)) for i in indices)) if c in summed else ""
        for c in RAW_COLUMNS[kind]
    )


def overall_line(p: Pooled) -> str:
    stat = "Z" if p.ddf is None else f"t({p.ddf})"
    return f"Test for overall effect: {stat} = {abs(p.stat):.2f} (P {p_words(p.pval)})"


def illustrative_footnote(studies: Collection[str], mark: str = DAGGER) -> str:
    """The line under a plot or analysis naming the studies pooled with made-up values
    (mark: what marks their rows, if anything)."""
    return (f"{mark} Illustrative values (made up, not from a report) in "
            f"{', '.join(sorted(studies))}: this estimate is not evidence.").lstrip()  # fmt: skip


def mark_illustrative(drawn: Forest, studies: Collection[str]) -> Forest:
    """The plot with a dagger on each of the studies' rows and a footnote naming them."""
    if not studies:
        return drawn
    rows = tuple(
        replace(row, label=f"{row.label} {DAGGER}")
        if row.kind == "study" and row.label in studies
        else row
        for row in drawn.rows
    )
    return replace(drawn, rows=rows, footnotes=(*drawn.footnotes, illustrative_footnote(studies)))
