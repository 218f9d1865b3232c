"""`metasift dedup`: find duplicate records, let a person decide the doubtful pairs, split."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from db.plurals import counted
from extraction.cli.output_files import writable_file
from screening.cli import review_option
from screening.cli.output import echo_line
from screening.cli.progress import ProgressLine
from screening.cli.screen import has_terminal, run_app
from screening.decisions.team import who_is_asking
from screening.review import Review, load_review

if TYPE_CHECKING:
    from screening.dedup.engine import DedupSummary

NO_TERMINAL = (
    "metasift dedup review needs a terminal: its standard input is not one. Run it from a "
    "terminal window; `metasift dedup --export clusters.csv` reads the clusters without one."
)
STAGES = {
    "reading": ("Reading", "records"),
    "normalising": ("Normalising", "records"),
    "blocking": ("Finding candidate pairs among", "records"),
    "comparing": ("Comparing", "pairs"),
    "clustering": ("Clustering", "links"),
}


@click.group(invoke_without_command=True)
@review_option
@click.option(
    "--export",
    "export_path",
    type=click.Path(dir_okay=False),
    callback=writable_file,
    help="Also write the clusters to this CSV: one row per record, with its source, "
    "cluster, whether it is the canonical record and how it was decided.",
)
@click.option(
    "--rescan",
    is_flag=True,
    help="Compare every record again, not only those imported since the last run. "
    "Decisions people made are kept.",
)
@click.pass_context
def dedup(
    ctx: click.Context, review_path: str | None, export_path: str | None, rescan: bool
) -> None:
    """Find duplicate records across the review's sources.

    Records are matched on DOI and PMID, then on title, authors, journal (abbreviations
    understood), year, volume, issue and pages. Pairs that look alike but may be different
    documents (a conference abstract and its paper, Part I and Part II, an erratum) are left
    for a person: `metasift dedup review`. No record is ever deleted: each cluster keeps every
    record and where it came from, with one canonical record chosen by the protocol's
    [dedup] source_priority and by completeness. Run it again after each import: only the
    new records are compared.

    Example:

    \b
        metasift dedup
        metasift dedup review --reviewer ana
        metasift dedup --export clusters.csv
        metasift dedup split 812
    """
    if ctx.invoked_subcommand is not None:
        return
    from screening.dedup.canonical import DedupSettings
    from screening.dedup.engine import run_dedup

    with load_review(review_path) as review:
        settings = DedupSettings(review.protocol.source_priority)
        bar = ProgressLine("Reading")
        try:
            summary = run_dedup(review.db, settings, rescan=rescan, progress=_progress(bar))
        finally:
            bar.finish()
        _report(summary)
        if export_path:
            _export(review, Path(export_path))


def _progress(bar: ProgressLine) -> Callable[[str, int, int], None]:
    def update(stage: str, count: int, total: int) -> None:
        label, unit = STAGES.get(stage, (stage, ""))
        if label != bar.label:  # a new stage: its rate and ETA start now
            bar.restart(label, unit)
        bar.update(count, count, total or None)

    return update


def _report(summary: DedupSummary) -> None:
    new = "" if summary.new_records == summary.records else f", {summary.new_records:,} new"
    click.echo(
        f"{counted(summary.records, 'record')}{new}: "
        f"{counted(summary.pairs_compared, 'pair')} compared in {summary.seconds:.1f} s"
    )
    removed = summary.removed
    click.echo(
        f"{counted(summary.clusters, 'cluster')} of duplicates; duplicates removed: "
        f"{removed.get('automatic', 0):,} automatically, {removed.get('manual', 0):,} by a person"
    )
    if summary.queue:
        click.echo(
            f"{counted(summary.queue, 'doubtful pair')} left for a person: "
            "run `metasift dedup review`"
        )
    else:
        click.echo("No doubtful pairs wait for a person.")
    if summary.skipped_blocks:
        examples = ", ".join(f"{kind} '{value}'" for (kind, value), _ in summary.skipped_blocks[:3])
        echo_line(  # the keys are record text: a DOI, title words
            f"Note: {len(summary.skipped_blocks)} blocking keys shared by too many records were "
            f"not used (e.g. {examples}); other keys still compare those records.",
            err=True,
        )


def _export(review: Review, path: Path) -> None:
    from screening.dedup.clusters import EXPORT_COLUMNS, export_rows

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EXPORT_COLUMNS)
        count = 0
        for row in export_rows(review.db):
            writer.writerow(row)
            count += 1
    click.echo(f"{counted(count, 'record')} written to {path}", err=True)


@dedup.command(name="review")
@review_option
@click.option(
    "--reviewer",
    envvar="METASIFT_REVIEWER",
    help="Who is deciding (or METASIFT_REVIEWER); kept with every verdict.",
)
def review_(review_path: str | None, reviewer: str | None) -> None:
    """Decide the doubtful pairs, side by side with their differences highlighted:
    same (y), different (n), skip (s), undo (u).

    Every verdict is saved at once and honoured by every later `metasift dedup`.

    Example:

    \b
        metasift dedup review --reviewer ana
    """
    if not has_terminal():
        raise click.ClickException(NO_TERMINAL)
    from screening.dedup.canonical import DedupSettings
    from screening.dedup.pair_review import DedupReview
    from screening.tui import app as tui_app
    from screening.tui.dedup_screen import DedupScreen

    with load_review(review_path) as review:
        name = who_is_asking(review.protocol, reviewer)
        session = DedupReview(review.db, name, DedupSettings(review.protocol.source_priority))
        title = f"metasift · duplicates · {review.protocol.title}"
        run_app(tui_app.make_app(lambda: DedupScreen(session), title=title))


@dedup.command()
@click.argument("record_ids", nargs=-1, required=True, type=int)
@review_option
@click.option(
    "--reviewer",
    envvar="METASIFT_REVIEWER",
    help="Who is splitting (or METASIFT_REVIEWER); kept with the verdicts.",
)
def split(record_ids: tuple[int, ...], review_path: str | None, reviewer: str | None) -> None:
    """Take records out of their duplicate cluster (record ids as in --export).

    The records named leave together; every later run keeps them apart. Screening decisions
    are kept as they are, and those that applied through the old cluster are flagged for a
    second look.

    Example:

    \b
        metasift dedup split 812
        metasift dedup split 812 813 --reviewer ana
    """
    from screening.dedup.canonical import DedupSettings
    from screening.dedup.clusters import split_records

    record_ids = tuple(dict.fromkeys(record_ids))  # `split 173 173` splits #173 once
    with load_review(review_path) as review:
        name = who_is_asking(review.protocol, reviewer)
        summary = split_records(
            review.db, record_ids, name, DedupSettings(review.protocol.source_priority)
        )
    ids = ", ".join(f"#{r}" for r in record_ids)
    click.echo(
        f"{ids} taken out of {counted(summary.clusters, 'cluster')}; "
        f"{counted(summary.flagged, 'screening decision flag')} for a second look"
    )


def register(group: click.Group) -> None:
    group.add_command(dedup)
