"""How `rob plot` and `rob export` weigh studies: equally, by total sample size, or by their
weight in a pooled analysis chosen as `metasift analyse` chooses one (its options, written
KEY=VALUE in --analysis), pooled by analyse's own code (extraction/cli/analyse.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import click

from db.errors import MetasiftError
from extraction.cli.context import ExtractionReview
from extraction.cli.pool import ENGINE_OPTIONS, MEASURES

EQUAL, SAMPLE_SIZE, ANALYSIS = "equal", "sample-size", "analysis"
ANALYSIS_HELP = (
    "With --weight analysis: the analysis as `metasift analyse` takes it, KEY=VALUE pairs "
    "joined by commas: outcome, timepoint, comparison, measure, method, test, smd-variant, "
    "values (final or change). E.g. 'outcome=albumin,timepoint=6 months,method=FE'."
)
CHOICES = {"measure": MEASURES, "values": ("final", "change")}
CHOICES.update({name.removeprefix("--"): choices for name, choices, _, _ in ENGINE_OPTIONS})
FREE = ("outcome", "timepoint", "comparison")
DEFAULTS = {"measure": None, "values": "final"}
DEFAULTS.update({name.removeprefix("--"): default for name, _, default, _ in ENGINE_OPTIONS})


@dataclass(frozen=True)
class Weighting:
    by_study: dict[str, float] | None  # None: every study counts once
    words: str  # how the weights were derived, for the plot
    notes: tuple[str, ...] = ()  # studies of the analysis the plot cannot weigh


def weight_options(f: click.decorators.FC) -> click.decorators.FC:
    """--weight, --analysis, and --weighted (the older spelling of --weight sample-size)."""
    f = click.option("--weighted", is_flag=True, hidden=True, help="--weight sample-size.")(f)
    f = click.option("--analysis", "analysis_spec", help=ANALYSIS_HELP)(f)
    return click.option(
        "--weight", type=click.Choice([EQUAL, SAMPLE_SIZE, ANALYSIS]), default=EQUAL,
        show_default=True,
        help="Weigh each study equally, by its total sample size, or by its weight in a "
        "pooled analysis (--analysis).",
    )(f)  # fmt: skip


def chosen(params: dict[str, Any]) -> str:
    weight = SAMPLE_SIZE if params.get("weighted") else params["weight"]
    if weight == ANALYSIS and not params.get("analysis_spec"):
        raise MetasiftError("--weight analysis needs --analysis 'outcome=...,timepoint=...'")
    if weight != ANALYSIS and params.get("analysis_spec"):
        raise MetasiftError("--analysis weighs studies only with --weight analysis")
    return str(weight)


def study_weights(review: ExtractionReview, params: dict[str, Any]) -> Weighting:
    weight = chosen(params)
    if weight == EQUAL:
        return Weighting(None, "")
    if weight == SAMPLE_SIZE:
        from extraction.rob.export import total_sample_sizes
        from extraction.rob.weights import SAMPLE_SIZE_WORDS

        sizes = total_sample_sizes(review.db, review.form)
        return Weighting({k: float(v) for k, v in sizes.items()}, SAMPLE_SIZE_WORDS)
    return _analysis_weights(review, parse_analysis(params["analysis_spec"]))


def _analysis_weights(review: ExtractionReview, analysis: dict[str, Any]) -> Weighting:
    from extraction.cli.analyse import _pool, _review_data
    from extraction.rob.weights import analysis_weights

    try:
        sheet, labels, _, _ = _review_data(review, {**analysis, "exclude_high": False})
        run, _ = _pool(sheet, {}, analysis)
    except MetasiftError as e:  # analyse's options are keys here: --timepoint is timepoint=
        said = re.sub(r"--(outcome|timepoint|comparison)\b", r"\1=... in --analysis", str(e))
        raise MetasiftError(f"--analysis: {said}") from e
    found = analysis_weights(run, sheet)
    notes = tuple(f"{name}: no estimate of its own, no weight" for name in found.without_weight)
    return Weighting(found.by_study, found.words, notes)


def parse_analysis(spec: str) -> dict[str, Any]:
    """'outcome=albumin,timepoint=6 months,method=FE' -> analyse's parameters."""
    given: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = (x.strip() for x in part.partition("="))
        key = key.lower().replace("_", "-")
        if not sep or not value:
            raise MetasiftError(f"--analysis: {part!r}: write KEY=VALUE, e.g. outcome=albumin")
        if key not in (*FREE, *CHOICES):
            known = ", ".join((*FREE, *CHOICES))
            raise MetasiftError(f"--analysis: no key {key!r} (keys: {known})")
        if key in CHOICES and value not in CHOICES[key]:
            raise MetasiftError(f"--analysis: {key}={value}: one of {', '.join(CHOICES[key])}")
        given[key] = value
    merged = {**DEFAULTS, **{k: None for k in FREE}, **given}
    return {
        "outcome": merged["outcome"], "timepoint": merged["timepoint"],
        "comparison": merged["comparison"], "subgroup": None,
        "changes": merged["values"] == "change", "measure": merged["measure"],
        "method": merged["method"], "test": merged["test"],
        "smd_variant": merged["smd-variant"],
    }  # fmt: skip
