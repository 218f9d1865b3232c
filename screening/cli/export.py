"""`metasift export ...`: what the review holds, in formats other tools read."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO, TextIO, cast

import click

from db.plurals import counted
from extraction.cli.output_files import writable_file
from screening.cli import review_option
from screening.cli.records import search_option
from screening.export.selection import ExportRecord, Selection, selected_records
from screening.protocol import STAGES
from screening.query import Query
from screening.review import load_review
from screening.rows import row_citation


@click.group()
def export() -> None:
    """Write the review's records or screening decisions to files other tools read."""


_VERDICTS = ("include", "exclude", "maybe", "not-retrieved")


@export.command(name="records")
@review_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ris", "csv", "bibtex", "xlsx"]),
    required=True,
    help="RIS and BibTeX round-trip what was imported; CSV and XLSX are for spreadsheets "
    "(record id and UUID, database, source file, duplicate cluster, canonical flag first).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    callback=writable_file,
    default="-",
    help="The file to write (default: standard output). CSV gets a UTF-8 BOM so Excel reads "
    "accents.",
)
@click.option(
    "--deduplicated", is_flag=True, help="One record per duplicate cluster (its canonical one)."
)
@click.option("--stage", type=click.Choice(STAGES), help="With --verdict: a stage's outcome.")
@click.option(
    "--verdict",
    type=click.Choice(_VERDICTS),
    help="With --stage: only records whose cluster's settled outcome there is this verdict.",
)
@search_option("--search", "--where")
def export_records(
    review_path: str | None,
    fmt: str,
    output: str,
    deduplicated: bool,
    stage: str | None,
    verdict: str | None,
    query: Query | None,
) -> None:
    """Export the review's records: all of them, or those a search, the deduplicated set or a
    stage's outcome selects (together: all must hold). --where is another name for --search.
    A removed source's records are left out (`metasift sources`).

    Example:

    \b
        metasift export records --format ris --deduplicated --stage title-abstract \\
            --verdict include -o included.ris
        metasift export records --format csv --where 'db:embase year:>2015' > embase.csv
    """
    if (stage is None) != (verdict is None):
        raise click.UsageError(
            "--stage and --verdict go together: --stage full-text --verdict include"
        )
    if fmt == "xlsx" and output == "-" and sys.stdout.isatty():
        raise click.UsageError("an XLSX workbook is binary: name a file with -o, or redirect it")
    selection = Selection(query, deduplicated, stage, verdict)
    with load_review(review_path) as review:
        records = selected_records(review.db, review.protocol, selection)
        count = _write_records(records, fmt, output)
    click.echo(f"{counted(count, 'record')} written to {_named(output)}", err=True)


def _write_records(records: Iterator[ExportRecord], fmt: str, output: str) -> int:
    from screening.export import bibtex, csv, ris, xlsx

    if fmt == "xlsx":
        with click.open_file(output, "wb") as binary:
            return xlsx.write_xlsx(records, cast(BinaryIO, binary))
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with click.open_file(output, "w", encoding) as opened:
        out = cast(TextIO, opened)
        if fmt == "csv":
            return csv.write_record_sheet(records, out)
        citations = (row_citation(r.row) for r in records)
        return (ris.write_ris if fmt == "ris" else bibtex.write_bibtex)(citations, out)


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
    default="-",
    help="The file to write (default: standard output).",
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
    saying which decision is in force; then the adjudicators' resolutions of conflicts
    (role adjudicator, with their justification). Blinded: other reviewers' decisions on a
    record appear only once it has the decisions review.toml requires (an adjudicator sees
    them all, except where they still owe their own).

    Example:

    \b
        metasift export decisions --format csv -o decisions.csv --reviewer ana
        metasift export decisions --format json --reviewer ana --mine --current
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
        roles: Counter[str] = Counter()
        with click.open_file(output, "w", "utf-8") as out:
            (write_csv if fmt == "csv" else write_json)(_tally(rows, roles), cast(TextIO, out))
    settled = f" and {counted(roles['adjudicator'], 'resolution')}" if roles["adjudicator"] else ""
    said = f"{counted(roles['reviewer'], 'decision')}{settled} written to {_named(output)}"
    click.echo(said, err=True)


def _tally(rows: Iterator[dict[str, Any]], roles: Counter[str]) -> Iterator[dict[str, Any]]:
    """The rows as they go by, counted by role (reviewer, adjudicator)."""
    for row in rows:
        roles[row["role"]] += 1
        yield row


def _named(output: str) -> str:
    return "standard output" if output == "-" else click.format_filename(output)


def register(group: click.Group) -> None:
    group.add_command(export)
