"""`metasift pool`: pool a CSV of studies (metafor's column names) as metafor would, and say
how (extraction.pooling)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import click

from extraction.pooling.choices import CONTINUITY_TARGETS, FIXED_METHODS, RANDOM_METHODS, TESTS

if TYPE_CHECKING:
    from extraction.pooling.effect_sizes import Continuity
    from extraction.pooling.table import Studies

MEASURES = ("MD", "SMD", "RR", "OR", "RD")


ENGINE_OPTIONS = (  # name, choices, default, help: as pool and analyse offer them
    ("--smd-variant", ("metafor", "revman"), "metafor",
     "Hedges' g: metafor's exact J, or RevMan 5's formulas."),
    ("--method", FIXED_METHODS + RANDOM_METHODS, "REML",
     "FE, MH or PETO (fixed effect), or a tau² estimator."),
    ("--test", TESTS, "z",
     "z (Wald), t, knha (Knapp-Hartung) or adhoc (Knapp-Hartung floored at 1)."),
)  # fmt: skip


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value}: give a finite number (0.5 is the usual)", ctx, param)
    return value


def engine_options(f: click.decorators.FC) -> click.decorators.FC:
    """--smd-variant, --method and --test, in that order in --help."""
    for name, choices, default, words in reversed(ENGINE_OPTIONS):
        option = click.option(
            name, type=click.Choice(choices), default=default, show_default=True, help=words
        )
        f = option(f)
    return f


@click.command()
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--measure",
    type=click.Choice(MEASURES),
    required=True,
    help="Effect measure; RR and OR are pooled on the log scale.",
)
@engine_options
@click.option(
    "--add",
    type=click.FloatRange(min=0),  # 0: no correction, as metafor's add=0
    callback=_finite,
    help="Continuity correction added to cells.  [default: 0.5]",
)
@click.option(
    "--to", type=click.Choice(CONTINUITY_TARGETS), help="Which studies get it.  [default: only0]"
)
@click.option(
    "--drop00/--keep00",
    default=None,
    help="Drop studies with no events in both arms.  [default: keep; MH/PETO: left out of Q]",
)
@click.option("--subgroup", help="A column whose values split the studies into subgroups.")
@click.option("--outcome", help="Pool only the rows whose outcome column is this.")
@click.option("--timepoint", help="Pool only the rows whose timepoint column is this.")
@click.option("--comparison", help="Pool only the rows whose comparison column is this.")
@click.option(
    "--change-from-baseline",
    "changes",
    is_flag=True,
    help="Pool the changes from baseline of a sheet's measure column, not its final values.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (log scale for RR and OR).")
def pool(
    csv_file: Path,
    measure: str,
    smd_variant: str,
    method: str,
    test: str,
    add: float | None,
    to: str | None,
    drop00: bool | None,
    subgroup: str | None,
    outcome: str | None,
    timepoint: str | None,
    comparison: str | None,
    changes: bool,
    as_json: bool,
) -> None:
    """Pool the studies in CSV_FILE as metafor does (rma, rma.mh, rma.peto; defaults are
    metafor's: REML, z test, 0.5 added to studies with a zero cell) and say how.

    Columns: study, then m1i, sd1i, n1i, m2i, sd2i, n2i (MD, SMD); or ai, n1i, ci, n2i
    (RR, OR, RD; ai, bi, ci, di also read); or yi, vi. Optional: subgroup, outcome and
    timepoint columns; comparison and measure (final or change) as `metasift export sheet
    --for metafor` writes them, final values by default; an illustrative column (yes: values
    made up, not from a report) names those studies under the result and in the JSON.
    Group 1 is the experimental arm.
    Text shows ratios exponentiated; --json keeps them on the log scale, and lists under
    "studies" each study's yi, vi and weight (weights_pct, in the same order). With --subgroup,
    each subgroup is fitted apart and the subgroups are compared as RevMan does (Chi², df,
    P, I²).

    Examples:

    \b
        metasift pool albumin.csv --measure MD
        metasift pool albumin.csv --measure MD --method DL --outcome albumin --timepoint 12w
        metasift pool deaths.csv --measure OR --method MH --json
        metasift pool deaths.csv --measure RR --method REML --test knha --subgroup route
        metasift export sheet --for metafor -o sheet.csv && metasift pool sheet.csv \\
            --measure MD --outcome albumin --timepoint "6 months" --subgroup msc_source
    """
    # the engine (numpy, scipy) is imported when pooling, not when the CLI starts
    from extraction.pooling.analysis import Options, analyse
    from extraction.pooling.report import analysis_json, text
    from extraction.pooling.table import Selection, read_rows, studies_from_rows

    options = Options(measure, method, test, smd_variant, _continuity(method, add, to, drop00))
    values = "change" if changes else "final"
    selection = Selection(outcome, timepoint, subgroup, comparison, values)
    header, rows = read_rows(csv_file)
    continuous = measure in ("MD", "SMD")
    run = analyse(studies_from_rows(csv_file, header, rows, continuous, selection), options)
    made_up = _illustrative(dict(rows), run.studies)
    if not as_json:
        click.echo(text(run))
        if made_up:
            from extraction.plots.forest_table import illustrative_footnote

            click.echo(f"Note: {illustrative_footnote(made_up, mark='')}")
        return
    click.echo(json.dumps({**analysis_json(run), "illustrative": made_up}, indent=2))
    for note in run.dropped:
        click.echo(f"note: {note}", err=True)


def _illustrative(rows: dict[int, dict[str, str]], studies: Studies) -> list[str]:
    """The pooled studies whose row's illustrative column (as `export sheet --for metafor`
    writes it) says yes: values made up, not from a report."""
    from extraction.sheets.provenance import ILLUSTRATIVE_COLUMN, flagged_studies

    return flagged_studies(rows, studies.names, studies.lines, ILLUSTRATIVE_COLUMN)


def _continuity(method: str, add: float | None, to: str | None, drop00: bool | None
                ) -> Continuity | None:  # fmt: skip
    """None (metafor's defaults for the method) unless an option was given."""
    if add is None and to is None and drop00 is None:
        return None
    from extraction.pooling.effect_sizes import Continuity

    return Continuity(
        add=0.5 if add is None else add,
        to=to or "only0",
        drop00=method in FIXED_METHODS if drop00 is None else drop00,
    )


def register(group: click.Group) -> None:
    group.add_command(pool)
