"""Summary-plot weights taken from a pooled analysis: each study's weight in it, as `metasift
analyse` computes and prints it (extraction.pooling.report.weights_by_study, the forest plot's
Weight column), summed over the study's rows when the sheet gives it several (multi-arm trials
split into comparisons); and the words that say how they were derived, for the plot's legend.
Nothing is re-derived here: the run is the analysis the forest plot draws."""

from __future__ import annotations

from dataclasses import dataclass

from extraction.plots.forest_table import method_title
from extraction.pooling.analysis import Analysis
from extraction.pooling.report import weights_by_study
from extraction.pooling.review_studies import sheet_rows
from extraction.sheets.tables import Sheet

SAMPLE_SIZE_WORDS = "each study's total sample size (the sum of its arms' agreed n)"


@dataclass(frozen=True)
class AnalysisWeights:
    by_study: dict[str, float]  # study UUID -> its percentage of the analysis' weight
    words: str  # how they were derived
    without_weight: tuple[str, ...]  # studies in the analysis with no estimate of their own


def analysis_weights(run: Analysis, sheet: Sheet) -> AnalysisWeights:
    """The weight of each study in run, a pooling of sheet's rows (the metafor sheet)."""
    _, rows = sheet_rows(sheet)
    by_line = dict(rows)
    found: dict[str, float] = {}
    missing: list[str] = []
    picked: list[dict[str, str]] = []
    for line, name, weight in zip(run.studies.lines, run.studies.names, weights_by_study(run),
                                  strict=True):  # fmt: skip
        cells = by_line[line]
        picked.append(cells)
        if weight is None:
            missing.append(name)
            continue
        study = cells["study_id"]
        found[study] = found.get(study, 0.0) + weight
    return AnalysisWeights(found, _words(run, picked), tuple(missing))


def _words(run: Analysis, rows: list[dict[str, str]]) -> str:
    """'each study's weight in the pooled analysis of albumin at 6 months (Mean Difference,
    IV, Fixed; k = 2), as metasift analyse weighs it'."""
    outcomes = sorted({r.get("outcome", "") for r in rows} - {""})
    timepoints = sorted({r.get("timepoint", "") for r in rows} - {""})
    what = " and ".join(outcomes) or "the outcome"
    when = f" at {' and '.join(timepoints)}" if timepoints else ""
    method = method_title(run).removesuffix(", 95% CI")
    return (
        f"each study's weight in the pooled analysis of {what}{when} "
        f"({method}; k = {run.pooled.k}), as metasift analyse weighs it"
    )
