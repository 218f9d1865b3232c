"""`metasift export ...`: what the review holds, in formats other tools read."""

from __future__ import annotations

from typing import TextIO, cast

import click

from db.plurals import counted
from db.records import search_records
from screening.cli import review_option
from screening.cli.output import writable_file
from screening.protocol import STAGES
from screening.review import load_review
from screening.rows import row_citation


@click.group()
def export() -> None:
    """Write the review's records or screening decisions to files other tools read."""


@export.command(name="records")
@review_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ris", "csv", "bibtex"]),
    required=True,
    help="RIS and BibTeX round-trip what was imported; CSV is for spreadsheets.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    callback=writable_file,
    required=True,
    help="The file to write ('-' for stdout). CSV gets a UTF-8 BOM so Excel reads accents.",
)
def export_records(review_path: str | None, fmt: str, output: str) -> None:
    """Export every record of the review.

    Example:

    \b
        metasift export records --format ris -o all-records.ris
    """
    from screening.export import bibtex, csv, ris

    writers = {"ris": ris.write_ris, "bibtex": bibtex.write_bibtex, "csv": csv.write_csv}
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with load_review(review_path) as review, click.open_file(output, "w", encoding) as out:
        citations = (row_citation(row) for row in search_records(review.db))
        count = writers[fmt](citations, cast(TextIO, out))
    click.echo(f"{counted(count, 'record')} written to {click.format_filename(output)}", err=True)


@export.command(name="decisions")
@review_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    required=True,
    help="CSV for spreadsheets (tags joined by '; '); JSON keeps tags as lists.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    callback=writable_file,
    required=True,
    help="The file to write ('-' for stdout).",
)
@click.option(
    "--reviewer",
    envvar="METASIFT_REVIEWER",
    help="Who is asking (or METASIFT_REVIEWER): while blinding holds on a record, only your "
    "own decisions on it are exported.",
)
@click.option("--mine", is_flag=True, help="Only your own decisions.")
@click.option("--stage", type=click.Choice(STAGES), help="Only this stage's decisions.")
@click.option(
    "--current", is_flag=True, help="Only the decisions in force (no undone or superseded ones)."
)
def export_decisions(
    review_path: str | None,
    fmt: str,
    output: str,
    reviewer: str | None,
    mine: bool,
    stage: str | None,
    current: bool,
) -> None:
    """Export screening decisions: one row per decision event (record id, PMID, DOI, title,
    reviewer, stage, verdict, reason, note, tags, time), undos included, with `current`
    saying which decision is in force. Blinded: other reviewers' decisions on a record appear
    only once it has the decisions review.toml requires (an adjudicator sees them all, except
    where they still owe their own).

    Example:

    \b
        metasift export decisions --format csv -o decisions.csv --reviewer ana
        metasift export decisions --format json --reviewer ana --mine --current -o -
    """
    from screening.decisions.blinding import hidden_clusters
    from screening.decisions.export import decision_rows, write_csv, write_json
    from screening.decisions.team import viewer

    with load_review(review_path) as review:
        asker = viewer(review.protocol, reviewer)
        if mine and asker is None:
            raise click.UsageError("--mine needs --reviewer NAME (or METASIFT_REVIEWER)")
        hidden = hidden_clusters(review.db, review.protocol, asker)
        rows = decision_rows(
            review.db,
            hidden,
            asker,
            reviewer=asker if mine else None,
            stage=stage,
            current_only=current,
        )
        with click.open_file(output, "w", "utf-8") as out:
            count = (write_csv if fmt == "csv" else write_json)(rows, cast(TextIO, out))
    click.echo(f"{counted(count, 'decision')} written to {click.format_filename(output)}", err=True)


def register(group: click.Group) -> None:
    group.add_command(export)
