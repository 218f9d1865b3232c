"""`metasift import-decisions`: bring a team's screening from ASReview, Rayyan, Covidence or a
plain CSV into the review, as one reviewer's decisions."""

from __future__ import annotations

import click

from db.plurals import counted
from screening.cli import review_option
from screening.decisions.import_formats import TOOLS, Options
from screening.decisions.imported import ImportReport, import_decisions
from screening.decisions.team import who_is_asking
from screening.protocol import STAGES
from screening.review import load_review

UNMATCHED_SHOWN = 50


@click.command(name="import-decisions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--from", "tool", type=click.Choice(TOOLS), required=True, help="The tool.")
@click.option(
    "--reviewer",
    envvar="METASIFT_REVIEWER",
    help="Whose decisions these become (or METASIFT_REVIEWER); checked against review.toml.",
)
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    default=None,
    help="The stage they were made at.  [default: title-abstract; for a Covidence list, "
    "its own stage]",
)
@click.option(
    "--name-in-file",
    "person",
    help="The reviewer's name in the export, when it holds several reviewers' verdicts "
    "(Rayyan). By default the only one, or the one named like --reviewer.",
)
@click.option(
    "--verdict",
    type=click.Choice(["include", "exclude", "maybe"]),
    help="For an export of one list without a verdict column (Covidence): every row's "
    "verdict. By default read from Covidence's file name.",
)
@review_option
def import_decisions_command(
    file: str,
    tool: str,
    reviewer: str | None,
    stage: str | None,
    person: str | None,
    verdict: str | None,
    review_path: str | None,
) -> None:
    """Import another tool's screening decisions as one reviewer's, matched onto the
    review's records by PMID, then DOI, then title. Rows that match no record are listed;
    importing the same file again adds nothing.

    \b
    --from asreview   an ASReview project file (.asreview), or its exported CSV/TSV
                      (asreview_label or included column) or RIS (ASReview_relevant notes)
    --from rayyan     Rayyan's CSV or RIS export (RAYYAN-INCLUSION notes, exclusion
                      reasons, labels as tags)
    --from covidence  a Covidence CSV of one list (select, irrelevant, included,
                      excluded), as Covidence names it, or with --verdict
    --from csv        a plain CSV: a pmid, doi or title column, a decision column
                      (include, exclude, maybe; not-retrieved at full text; empty skips
                      the row), optional reason, note and time (ISO 8601) columns

    Exit code 0 when at least one row matched a record; 1 when none did, or the file
    cannot be read (then nothing is written).

    Example:

    \b
        metasift import-decisions rayyan_export.csv --from rayyan --reviewer ana
        metasift import-decisions review_1_excluded_csv_2024.csv --from covidence --reviewer ben
        metasift import-decisions screened.csv --from csv --reviewer ana --stage full-text
    """
    with load_review(review_path) as review:
        name = who_is_asking(review.protocol, reviewer)
        options = Options(person=person, verdict=verdict, reviewer=name)
        report = import_decisions(
            review.db, review.protocol, file, tool, name, stage=stage, options=options
        )
    _show(report)
    if report.matched == 0:
        raise click.ClickException(
            f"no row of {report.file_name} matched a record of this review; nothing imported"
        )


def _show(report: ImportReport) -> None:
    whose = f" (named {report.person!r} in the file)" if report.person else ""
    decided = report.rows - report.undecided
    added = ", ".join(f"{v} {n}" for v, n in sorted(report.added.items())) or "none"
    click.echo(
        f"{report.file_name} ({report.tool}): {counted(report.rows, 'row')}, "
        f"{decided} with a decision{whose}; {report.matched} matched a record."
    )
    click.echo(
        f"Added {counted(sum(report.added.values()), 'decision')} for {report.reviewer} at "
        f"{report.stage} ({added}); already imported: {report.already}."
    )
    if report.undecided:
        click.echo(f"Skipped {counted(report.undecided, 'row')} without a decision.")
    for note in report.notes:
        click.echo(note, err=True)
    if report.reasons_not_in_protocol:
        listed = "; ".join(sorted(report.reasons_not_in_protocol))
        click.echo(f"Exclusion reasons not in review.toml (kept as written): {listed}", err=True)
    if report.unmatched:
        click.echo(
            f"{counted(len(report.unmatched), 'row')} matched no record of this review:", err=True
        )
        for row in report.unmatched[:UNMATCHED_SHOWN]:
            click.echo(
                f"  row {row.row}: {row.title or row.doi or row.pmid or '(no title)'}", err=True
            )
        if len(report.unmatched) > UNMATCHED_SHOWN:
            click.echo(f"  ... and {len(report.unmatched) - UNMATCHED_SHOWN} more", err=True)


def register(group: click.Group) -> None:
    group.add_command(import_decisions_command)
