"""`metasift analyse`: pool the review's own agreed values (the table `export sheet --for
metafor` writes, built in memory), with forest and funnel plots, the small-study tests,
leave-one-out and a sensitivity analysis without studies at high risk of bias."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from db.errors import MetasiftError
from extraction.cli.context import VIEWER, ExtractionReview, ReviewOpener
from extraction.cli.output_files import writable_file
from extraction.cli.pool import MEASURES, engine_options

if TYPE_CHECKING:
    from extraction.forms.form import Form
    from extraction.pooling.analysis import Analysis
    from extraction.pooling.referees import Extras
    from extraction.sheets.tables import Sheet

PICTURES = (".svg", ".png")


def _picture(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    value = writable_file(ctx, param, value)
    if value is not None and value.suffix.lower() not in PICTURES:
        raise click.BadParameter(f"{value}: write it as .svg or .png", ctx, param)
    return value


def build(opener: ReviewOpener) -> click.Command:
    @click.command(name="analyse")
    @click.option("--review", "review_path", type=click.Path(), default=None,
                  help="The review: its review.db, or the folder holding it.")  # fmt: skip
    @click.option("--reviewer", envvar="METASIFT_REVIEWER",
                  help="Who is asking (or METASIFT_REVIEWER).")  # fmt: skip
    @click.option("--outcome", help="The outcome (its key in the form).")
    @click.option("--timepoint", help="The time point.")
    @click.option("--comparison", help="The comparison (its key), when the form has several.")
    @click.option("--change-from-baseline", "changes", is_flag=True,
                  help="Pool the changes from baseline, not the final values.")  # fmt: skip
    @click.option("--subgroup", help="A study field of type choice (its key), e.g. route.")
    @click.option("--measure", type=click.Choice(MEASURES),
                  help="Effect measure.  [default: MD, or RR for events]")  # fmt: skip
    @engine_options
    @click.option(
        "--plot",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_picture,
        help="Write the forest plot (RevMan's layout) to FILE.svg or FILE.png.",
    )
    @click.option(
        "--funnel",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_picture,
        help="Write the funnel plot with Egger's and Begg's tests.",
    )
    @click.option("--leave-one-out", "leave_out", is_flag=True,
                  help="Also pool without each study in turn.")  # fmt: skip
    @click.option("--exclude-high-risk", "exclude_high", is_flag=True,
                  help="Leave out studies whose agreed overall risk of bias is high (RoB 2) "
                  "or serious/critical (ROBINS-I).")  # fmt: skip
    @click.option("--instrument", default="rob2", show_default=True,
                  help="The risk-of-bias instrument for --exclude-high-risk.")  # fmt: skip
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (log scale for RR, OR).")
    def analyse(**params: Any) -> None:
        """Pool the review's agreed values for one outcome and time point (the included
        studies, as `metasift export sheet --for metafor` writes them; multi-arm trials
        combined) with the engine of `metasift pool`, and draw the forest plot in the
        terminal. Defaults are metafor's (REML, z test).

        --plot draws the forest plot in RevMan's layout (raw numbers, weights, squares
        sized by weight, the diamond, heterogeneity and overall effect, the method).
        --funnel draws the funnel plot and runs Egger's and Begg's tests (advised at
        k >= 10; the output says when there are fewer). --leave-one-out pools without
        each study in turn. --exclude-high-risk leaves out the studies whose agreed
        overall risk-of-bias judgement is high and names them.

        Example:

        \b
            metasift analyse --outcome albumin --timepoint "6 months" --plot forest.svg
            metasift analyse --outcome albumin --timepoint "6 months" --subgroup route
            metasift analyse --outcome adverse --measure OR --method MH --funnel funnel.png
            metasift analyse --outcome albumin --timepoint "6 months" --exclude-high-risk
        """
        _analyse(opener, params)

    return analyse


def _analyse(opener: ReviewOpener, params: dict[str, Any]) -> None:
    from dataclasses import replace

    from extraction.plots.forest_table import forest, mark_illustrative
    from extraction.pooling.referees import Extras

    with opener(params["review_path"], params["reviewer"], VIEWER) as review:
        sheet, labels, high, unsettled = _review_data(review, params)
        _outcome_in_sheet(review, sheet, params["outcome"])
        caption = _caption(review, params)
    run, selected = _pool(sheet, high, params, frozenset(labels.get(s, s) for s in high))
    named = {s: labels.get(s, s) for s in (*high, *unsettled)}  # only those in this analysis
    extras = Extras(
        excluded_high_risk={named[s]: j for s, j in high.items() if named[s] in selected},
        not_yet_agreed=tuple(named[s] for s in unsettled if named[s] in selected),
    )
    made_up = _illustrative(sheet, run)
    extras = _referees(run, extras, params, (made_up, caption))
    drawn = replace(mark_illustrative(forest(run), made_up), caption=caption)
    imputed = _imputed_sds(sheet, selected, params)
    if params["plot"] is not None:
        from extraction.plots.forest import draw_forest

        draw_forest(drawn, params["plot"])
        click.echo(f"wrote {params['plot']}", err=True)
    _print(run, drawn, extras, params["as_json"], (imputed, made_up))


def _outcome_in_sheet(review: ExtractionReview, sheet: Sheet, outcome: str | None) -> None:
    """An outcome with no row in the sheet: say why, rather than that no row of a sheet the
    reviewer never wrote has it."""
    from extraction.pooling.review_studies import sheet_rows

    if not outcome or any(row.get("outcome") == outcome for _, row in sheet_rows(sheet)[1]):
        return
    if review.form.outcome(outcome) is None:
        known = ", ".join(o.key for o in review.form.outcomes) or "none"
        raise MetasiftError(
            f"--outcome {outcome}: not an outcome of the form (its outcomes: {known})"
        )
    raise MetasiftError(
        f"--outcome {outcome}: no value of it to pool yet; analyses read the values the "
        "extractors agree on (`metasift extract compare` lists the others) in arms whose "
        "arm type a comparison names"
    )


def _caption(review: ExtractionReview, params: dict[str, Any]) -> str:
    """What the plots pool, named above them: the outcome (its name in the form), the time
    point, the comparison and change from baseline, as far as they were chosen."""
    key = params["outcome"]
    spec = review.form.outcome(key) if key else None
    said = [f"Outcome: {spec.name if spec else key}"] if key else []
    said += [f"{name}: {params[k]}" for k, name in (("timepoint", "time point"),
             ("comparison", "comparison"), ("subgroup", "subgroups by")) if params[k]]  # fmt: skip
    return "; ".join(said + (["change from baseline"] if params["changes"] else []))


def _illustrative(sheet: Sheet, run: Analysis) -> list[str]:
    """The pooled studies with a value made up, not from a report (the sheet's column)."""
    from extraction.pooling.review_studies import sheet_rows
    from extraction.sheets.provenance import ILLUSTRATIVE_COLUMN, flagged_studies

    rows = dict(sheet_rows(sheet)[1])
    return flagged_studies(rows, run.studies.names, run.studies.lines, ILLUSTRATIVE_COLUMN)


def _imputed_sds(sheet: Sheet, selected: tuple[str, ...], params: dict[str, Any]) -> list[str]:
    """The pooled studies with an SD the paper did not report (the sheet's sd_imputed)."""
    from extraction.pooling.review_studies import sheet_rows

    wanted = {k: params[k] for k in ("outcome", "timepoint") if params[k]}
    return sorted({row["study"] for _, row in sheet_rows(sheet)[1] if row["sd_imputed"] == "yes"
                   and row["study"] in selected
                   and all(row[k] == v for k, v in wanted.items())})  # fmt: skip


def _check_subgroup(form: Form, key: str | None) -> None:
    """Subgroups come from a choice field (the metafor sheet's subgroup columns); a text
    field was refused as a column the sheet lacks, which did not say why."""
    if key is None:
        return
    field = form.field(key)
    if field is not None and field.type != "choice":
        choices = ", ".join(f.key for f in form.fields if f.type == "choice") or "none yet"
        raise MetasiftError(
            f"--subgroup {key}: {field.label} is a {field.type} field; subgroups come from a "
            f"choice field of the form ({choices})"
        )


def _review_data(
    review: ExtractionReview, params: dict[str, Any]
) -> tuple[Sheet, dict[str, str], dict[str, str], frozenset[str]]:
    """The metafor sheet of the agreed values, the study labels, and (with
    --exclude-high-risk) the studies at high risk and those not yet agreed."""
    from extraction.cli.sheet import _sheets  # the sheet `export sheet --for metafor` writes

    _check_subgroup(review.form, params.get("subgroup"))
    sheet = _sheets(review, None, False, "metafor")[0]
    labels = {s.uuid: s.label for s in review.included_studies()}
    if not params["exclude_high"]:
        return sheet, labels, {}, frozenset()
    from extraction.rob.instrument import find_instrument
    from extraction.rob.sensitivity import high_risk_studies

    found = high_risk_studies(review.db, find_instrument(params["instrument"]))
    if not found.assessed:
        raise MetasiftError("--exclude-high-risk: no study has a risk-of-bias assessment yet")
    return sheet, labels, found.high, found.unsettled


def _pool(
    sheet: Sheet,
    high: dict[str, str],
    params: dict[str, Any],
    high_labels: frozenset[str] = frozenset(),  # the labels of the studies in `high`
) -> tuple[Analysis, tuple[str, ...]]:
    """The analysis without the studies at high risk, and every study the selection holds."""
    from extraction.pooling.analysis import Options, analyse
    from extraction.pooling.review_studies import default_measure, review_studies
    from extraction.pooling.table import Selection

    values = "change" if params["changes"] else "final"
    selection = Selection(params["outcome"], params["timepoint"], params["subgroup"],
                          params["comparison"], values)  # fmt: skip
    measure = params["measure"] or default_measure(sheet, params["outcome"])
    continuous = measure in ("MD", "SMD")
    outcome = params["outcome"]  # one outcome holds means or events, never both
    if params["measure"] and outcome and continuous != (default_measure(sheet, outcome) == "MD"):
        has = ("events, not means: use RR, OR or RD" if continuous
               else "means, not events: use MD or SMD")  # fmt: skip
        raise MetasiftError(f"--measure {measure}: {outcome} has {has}")
    everyone = review_studies(sheet, continuous, selection)
    kept = everyone
    if high:
        if set(everyone.names) <= high_labels:
            raise MetasiftError(
                f"--exclude-high-risk: all {len(everyone.names)} studies of this analysis are "
                "at high risk of bias; nothing is left to pool"
            )
        kept = review_studies(sheet, continuous, selection, high)
    options = Options(measure, params["method"], params["test"], params["smd_variant"])
    return analyse(kept, options), everyone.names


def _referees(
    run: Analysis, extras: Extras, params: dict[str, Any], shown: tuple[list[str], str]
) -> Extras:
    """shown: the studies with illustrative values and the caption, for the funnel plot."""
    from dataclasses import replace

    from extraction.pooling.referees import small_study_tests
    from extraction.pooling.small_studies import leave_one_out

    if params["leave_out"]:
        extras = replace(extras, leave_one_out=leave_one_out(run.studies, run.options))
    if params["funnel"] is not None:
        from extraction.plots.funnel import draw_funnel, small_study_lines

        tests = small_study_tests(run)
        extras = replace(extras, small_studies=tests)
        lines = small_study_lines(tests, _limit_words(run))
        draw_funnel(run, lines, params["funnel"], *shown)
        click.echo(f"wrote {params['funnel']}", err=True)
    return extras


def _print(
    run: Analysis, drawn: Any, extras: Extras, as_json: bool, flagged: tuple[list[str], list[str]]
) -> None:
    """flagged: the studies with an imputed SD, and those with illustrative values."""
    from extraction.plots.funnel import small_study_lines
    from extraction.plots.terminal import terminal_forest
    from extraction.pooling.referees import extras_json, leave_one_out_lines
    from extraction.pooling.report import analysis_json

    imputed, made_up = flagged
    if as_json:
        found = {**analysis_json(run), **extras_json(extras), "sd_imputed": imputed,
                 "illustrative": made_up}  # fmt: skip
        click.echo(json.dumps(found, indent=2))
        return
    lines = [terminal_forest(drawn), f"Effect sizes: {run.effect_words}."]
    lines += [f"Note: {note}." for note in (*run.pooled.notes, *run.dropped)]
    if imputed:  # an SD the paper lacks: `export sheet` names its source
        lines.append(f"Note: SD imputed, not reported, for {', '.join(imputed)}; the outcomes "
                     "sheet of `metasift export sheet` names each SD's source.")  # fmt: skip
    for label, judgement in extras.excluded_high_risk.items():
        lines.append(f"Left out: {label} (overall risk of bias {judgement}).")
    if extras.not_yet_agreed:
        lines.append(f"Kept, risk of bias not yet agreed: {', '.join(extras.not_yet_agreed)}.")
    tests = extras.small_studies
    if tests is not None:
        lines += ["", *small_study_lines(tests, _limit_words(run))]
    if extras.leave_one_out is not None:
        lines += ["", *leave_one_out_lines(run, extras.leave_one_out)]
    click.echo("\n".join(lines))


def _limit_words(run: Analysis) -> Callable[[float], str]:
    """Egger's limit estimate as the text shows estimates: ratios exponentiated."""
    from extraction.pooling.report import shown_scale

    ratio = run.options.measure in ("RR", "OR")
    return lambda x: f"{shown_scale(run, x):.3f}" + (" (exponentiated)" if ratio else "")


def register(group: click.Group, opener: ReviewOpener) -> None:
    group.add_command(build(opener))
