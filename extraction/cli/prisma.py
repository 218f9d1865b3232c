"""`metasift prisma`: the PRISMA 2020 flow diagram's counts, as text, JSON, the PRISMA2020 R
package's CSV template, and the diagram itself (extraction.prisma)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from db.plurals import counted
from db.sources import all_sources
from extraction.cli.context import ANYONE, ReviewOpener
from extraction.cli.output_files import writable_file
from extraction.cli.reviews import hand_opener, open_review, review_option, reviewer_option
from extraction.prisma.counts import Check, PrismaCounts, arithmetic_checks, as_json, review_counts
from extraction.prisma.template import template_csv
from extraction.values.ledger import printable  # record text reaching a terminal

F = TypeVar("F", bound=Callable[..., Any])


def _output(flag: str, name: str, help_text: str) -> Callable[[F], F]:
    path = click.Path(dir_okay=False, path_type=Path)
    return click.option(flag, name, type=path, callback=_suffixed, help=help_text)


def _suffixed(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A writable file, and a drawing named for its option's format: the diagram's format
    follows the suffix, so --svg diagram.png would write a PNG."""
    value = writable_file(ctx, param, value)  # a review's own file is named as such first
    wanted = "." + (param.name or "").removesuffix("_path")
    if value is not None and wanted in (".svg", ".png") and value.suffix.lower() != wanted:
        raise click.BadParameter(f"{value}: name it with the suffix {wanted}", ctx, param)
    return value


@click.command()
@review_option
@reviewer_option
@click.option("--json", "as_json_", is_flag=True, help="Print the counts as JSON.")
@_output("--csv", "csv_path", "Write the PRISMA2020 R package's template.")
@_output("--svg", "svg_path", "Draw the flow diagram as SVG.")
@_output("--png", "png_path", "Draw the flow diagram as PNG.")
@click.option("--check", is_flag=True, help="Exit 1 if a check fails (see below).")
def prisma(
    review_path: str | None,
    reviewer: str | None,
    as_json_: bool,
    csv_path: Path | None,
    svg_path: Path | None,
    png_path: Path | None,
    check: bool,
) -> None:
    """The PRISMA 2020 flow diagram's counts ("new reviews, databases and registers"): records
    identified per database (as each record names its database), duplicates removed, records
    screened and excluded at title/abstract (records are duplicate clusters), reports sought,
    not retrieved, assessed and excluded at full text with each reason, and the studies
    included with their reports (studies as `metasift studies` groups reports).

    Field names are the PRISMA2020 R package's. JSON keys: database_results,
    database_specific_results [{database, n}], duplicates, excluded_automatic,
    excluded_other, records_screened, records_excluded, dbr_sought_reports,
    dbr_notretrieved_reports, dbr_assessed, dbr_excluded [{reason, n}],
    excluded_automatic_reason, new_studies,
    new_reports, unsettled {records, reports} (no outcome yet), checks [{name, holds,
    detail}]. --csv writes the package's data template (its inst/extdata/PRISMA.csv) with
    these figures, for PRISMA_flowdiagram() or its Shiny app.

    excluded_automatic: the records nobody screened at title/abstract while the team's
    decision to stop stands (`metasift stop-screening`), with excluded_automatic_reason;
    excluded_other is 0; registers and other methods are not told apart from databases yet.

    The arithmetic checks (records screened = identified - removed; reports assessed = sought
    - not retrieved; reasons add up to assessed - included reports; ...) and a last one,
    every record screened and report sought has an outcome (the diagram is final), are
    printed as warnings on stderr when they fail; the exit code stays 0 unless --check asks
    for 1.

    Example:

    \b
        metasift prisma
        metasift prisma --svg prisma.svg --png prisma.png --csv prisma.csv
        metasift prisma --json | jq .dbr_excluded
    """
    with open_review(review_path, reviewer, ANYONE) as review:  # counts only, as status
        counts = review_counts(review.db, review.screened(), review.reports())
        left_out = [s for s in all_sources(review.db) if s["removed"]]
    failed = [c for c in arithmetic_checks(counts) if not c.holds]
    written = _write(counts, csv_path, [p for p in (svg_path, png_path) if p], failed)
    for source in left_out:  # said on stderr, so --json output stays JSON
        name = printable(source["file_name"] or source["query"] or source["database"] or "")
        click.echo(
            f"note: source #{source['id']} ({name}, {counted(source['records'], 'record')}) "
            "is removed (`metasift sources`): left out of every count",
            err=True,
        )
    if as_json_:
        click.echo(json.dumps(printable(as_json(counts)), indent=2, ensure_ascii=False))
    elif not written:
        click.echo("\n".join(_text(counts)))
    for c in failed:  # on stderr, so --json output stays JSON
        click.echo(f"warning: check fails: {c.name}: {c.detail}", err=True)
    if failed and check:
        raise click.exceptions.Exit(1)


def _write(
    counts: PrismaCounts, csv_path: Path | None, drawn: list[Path], failed: list[Check]
) -> list[Path]:
    """Write the CSV and draw the diagram where asked (marked provisional while checks
    fail); the paths written."""
    if csv_path:
        csv_path.write_text(template_csv(counts), encoding="utf-8")
    if drawn:
        from extraction.prisma.diagram import draw_diagram  # matplotlib: only when drawing

        draw_diagram(counts, drawn, failed)
    written = [p for p in (csv_path, *drawn) if p]
    for path in written:
        click.echo(f"wrote {path}", err=True)
    return written


def _text(c: PrismaCounts) -> list[str]:
    lines = [f"Records identified from databases: {c.database_results:,}"]
    lines += [f"  {printable(name)}: {n:,}" for name, n in c.databases]
    lines += [
        f"Duplicate records removed: {c.duplicates:,}",
        f"Records marked as ineligible by automation tools: {c.excluded_automatic:,}"
        + (f" ({printable(c.automatic_reason)})" if c.automatic_reason else ""),
        f"Records removed for other reasons: {c.excluded_other:,}",
        f"Records screened: {c.records_screened:,}",
        f"Records excluded: {c.records_excluded:,}",
        f"Reports sought for retrieval: {c.sought:,}",
        f"Reports not retrieved: {c.not_retrieved:,}",
        f"Reports assessed for eligibility: {c.assessed:,}",
        f"Reports excluded: {c.reports_excluded:,}",
    ]
    lines += [f"  {printable(reason)}: {n:,}" for reason, n in c.reasons]
    lines += [
        f"Studies included in review: {c.new_studies:,}",
        f"Reports of included studies: {c.new_reports:,}",
    ]
    if c.records_unsettled or c.reports_unsettled:
        lines.append(
            f"Not settled yet: {c.records_unsettled:,} at title/abstract, "
            f"{c.reports_unsettled:,} at full text"
        )
    return lines


def register(group: click.Group, opener: ReviewOpener) -> None:
    group.add_command(hand_opener(prisma, opener))
