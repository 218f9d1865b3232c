"""`metasift agreement`: agreement between reviewers per stage (screening.decisions.agreement)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from db.errors import MetasiftError
from db.plurals import counted
from screening.cli import review_option
from screening.decisions.agreement import PAIR_METHODS, TEAM_METHODS, Agreement, review_agreement
from screening.protocol import STAGES
from screening.review import load_review


@click.command()
@review_option
@click.option("--stage", type=click.Choice(STAGES), help="Only this stage.  [default: every stage]")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per row.")
def agreement(review_path: str | None, stage: str | None, as_json: bool) -> None:
    """Show how far reviewers agree, per stage and per pair of reviewers, on the records both
    decided: the counts table, percent agreement, Cohen's kappa with its 95% CI (large-sample
    variance of Fleiss, Cohen and Everitt 1969), PABAK, Gwet's AC1 and Krippendorff's alpha.
    When three or more reviewers decided at a stage, a team row adds Fleiss' kappa (records
    all of them decided) and alpha over every record two or more decided.

    Each duplicate cluster counts once, with each reviewer's decision in force; a resolution
    does not change what reviewers said. Verdicts are compared, not exclusion reasons: two
    excludes for different reasons agree here, though status counts them as a conflict. Maybe
    counts as include unless review.toml says maybe = "maybe". A reviewer taken out of
    review.toml keeps their decisions, and they appear here. A statistic the data leave
    undefined (everyone chose one category) is n/a (null in JSON). Every figure counts only
    records two or more reviewers have decided (blinding has lifted on them) and none names a
    record: anyone may run it, with no --reviewer.

    JSON: a list of objects with keys stage, reviewers, n, agreement, kappa, kappa_ci_lb,
    kappa_ci_ub, pabak, ac1, alpha, table (pair: first reviewer's verdict -> second's ->
    records; team: verdict -> how many reviewers gave it -> records), and also categories,
    scope (pair or team), alpha_n, former_reviewers and methods.

    Example:

    \b
        metasift agreement --stage title-abstract --json | jq '.[] | {reviewers, kappa}'
    """
    with load_review(review_path) as review:
        protocol = review.protocol
        if stage and stage not in protocol.stages:
            raise MetasiftError(f"review.toml has no {stage} stage ({', '.join(protocol.stages)})")
        stages = (stage,) if stage else protocol.stages
        rows = review_agreement(review.db, protocol, stages)
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(_text(rows, stages, protocol.maybe_is_include)))


def _text(rows: list[Agreement], stages: Sequence[str], maybe_is_include: bool) -> list[str]:
    maybe = "maybe counts as include" if maybe_is_include else "maybe is its own category"
    lines = []
    for name in stages:
        here = [row for row in rows if row.stage == name]
        # status counts a conflict over the exclusion reason alone; the categories here are
        # verdicts, so such a pair agrees: said, or the two counts look inconsistent
        reasons = "; verdicts compared, not exclusion reasons" if name == "full-text" else ""
        lines.append(f"{name} ({maybe}{reasons})")
        if not here:
            lines.append("  fewer than two reviewers have decided here: nothing to compare")
        for row in here:
            lines += _team_lines(row) if row.team else _pair_lines(row)
    return [*lines, _methods_line(any(row.team for row in rows))]


def _figure(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def _former(row: Agreement) -> str:
    return f" ({', '.join(row.former)}: no longer in review.toml)" if row.former else ""


def _pair_lines(row: Agreement) -> list[str]:
    a, b = row.reviewers
    lines = [f"  {a} and {b}: {counted(row.n, 'record')} both decided{_former(row)}"]
    if not row.n:
        return lines
    corner = f"{a} \\ {b}"  # rows: the first reviewer's verdicts; columns: the second's
    first = max(len(c) for c in (*row.categories, corner)) + 2
    width = max(len(c) for c in row.categories) + 2
    heading = "".join(c.rjust(width) for c in row.categories)
    lines.append(f"    {corner:<{first}}{heading}")
    for verdict, counts in row.table.items():
        cells = "".join(f"{counts[c]:>{width},}" for c in row.categories)
        lines.append(f"    {verdict:<{first}}{cells}")
    ci = f" (95% CI {row.kappa_ci[0]:.3f} to {row.kappa_ci[1]:.3f}" if row.kappa_ci else ""
    if row.kappa_ci and (row.kappa_ci[1] > 1 or row.kappa_ci[0] < -1):
        # printed as other software prints it, but a reader should not take 1.1 for a kappa
        ci += ", Wald: past kappa's bounds of -1 and 1, as it is with few records"
    ci += ")" if ci else ""
    lines.append(
        f"    agreement {_figure(row.agreement, True)}  kappa {_figure(row.kappa)}{ci}  "
        f"PABAK {_figure(row.pabak)}  AC1 {_figure(row.ac1)}  alpha {_figure(row.alpha)}"
    )
    return lines


def _team_lines(row: Agreement) -> list[str]:
    names = ", ".join(row.reviewers)
    return [
        f"  all {len(row.reviewers)} reviewers ({names}){_former(row)}",
        f"    Fleiss' kappa {_figure(row.kappa)} over {counted(row.n, 'record')} "
        "all of them decided",
        f"    alpha {_figure(row.alpha)} over {counted(row.alpha_units, 'record')} "
        "two or more decided",
    ]


def _methods_line(team: bool) -> str:
    lines = ["Methods, per pair:", *(f"  {key}: {how}" for key, how in PAIR_METHODS.items())]
    if team:
        lines += ["All reviewers:", *(f"  {key}: {how}" for key, how in TEAM_METHODS.items())]
    return "\n".join(lines)


def register(group: click.Group) -> None:
    group.add_command(agreement)
