"""`metasift import`: export files from any database into the review."""

from __future__ import annotations

from typing import Any

import click
from sqlite_utils import Database

from db.plurals import counted
from screening.cli import review_option
from screening.cli.progress import ProgressLine
from screening.importers import FORMATS
from screening.importing import ImportSummary, import_file
from screening.review import load_review


def parse_columns(values: tuple[str, ...]) -> dict[str, str]:
    columns = {}
    for value in values:
        field, sep, column = value.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise click.BadParameter(f"{value!r} is not FIELD=COLUMN", param_hint="--column")
        columns[field.strip()] = column.strip()
    return columns


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@review_option
@click.option(
    "--database",
    help="The database the file came from (Embase, Cochrane, ...). "
    "By default the file says (an RIS DB tag) or its format implies it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="The export format; auto reads it from the content.",
)
@click.option("--encoding", help="Force a text encoding (e.g. latin-1); normally detected.")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="For CSV and XLSX: which column holds a field, e.g. --column title='Article Title'.",
)
@click.option("--sheet", help="For an XLSX workbook of several sheets: the sheet to import.")
def import_(
    files: tuple[str, ...],
    review_path: str | None,
    database: str | None,
    fmt: str,
    encoding: str | None,
    columns: tuple[str, ...],
    sheet: str | None,
) -> None:
    """Import search exports: PubMed XML, MEDLINE/.nbib, RIS (Embase, Scopus, Web of Science,
    Ovid, EndNote, Zotero, ProQuest, EBSCO, Cochrane), Web of Science plain text and
    tab-delimited, Ovid Embase, EndNote XML (EndNote, Mendeley), ProQuest plain text, BibTeX,
    CSV and XLSX (Embase.com, Scopus, EPPI-Reviewer, any sheet with --column).

    Each file becomes one source and lands whole or not at all. Importing the same file twice
    adds nothing. A file that cannot be read is named with its line, and the review is left
    as it was. A record with neither a title nor an identifier is left out, and a file that
    ends mid-record imports its whole records: both with a warning naming the line.

    Example:

    \b
        metasift import pubmed.xml embase.ris savedrecs.txt
        metasift import cochrane.ris --database "Cochrane CENTRAL"
    """
    options = {
        "database": database,
        "fmt": fmt,
        "encoding": encoding,
        "columns": parse_columns(columns),
        "sheet": sheet,
    }
    with load_review(review_path) as review:
        for name in files:
            _report(name, _import_one(review.db, name, options))


def _import_one(db: Database, name: str, options: dict[str, Any]) -> ImportSummary:
    """One file into the review, with a progress line; Ctrl-C says what did not land."""
    bar = ProgressLine(click.format_filename(name))
    try:
        return import_file(db, name, progress=bar.update, **options)
    except KeyboardInterrupt:
        raise click.ClickException(
            f"interrupted: nothing of {name} was imported (files named before it "
            "were); run the command again to import it. The review file keeps the space "
            "the import had taken: SQLite reuses it for the next import, and `metasift "
            "vacuum` gives it back now (it rewrites the file and holds the review while "
            "it does)"
        ) from None
    finally:
        bar.finish()


def _report(name: str, summary: ImportSummary) -> None:
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    unshown = summary.warning_count - len(summary.warnings)
    if unshown:
        click.echo(f"Warning: {name}: {counted(unshown, 'more warning')} like these", err=True)
    if summary.already_imported:
        click.echo(
            f"{name}: already imported as source #{summary.source_id} "
            f"({summary.database}); nothing added"
        )
        return
    read_as = "" if summary.encoding.startswith("utf-8") else f", read as {summary.encoding}"
    if summary.database.startswith("unnamed "):
        click.echo(
            f"{name}: the file does not say which database it came from; "
            "name it with --database for PRISMA's counts",
            err=True,
        )
    left_out = f", {summary.skipped:,} left out (no title and no identifier)"
    skipped = left_out if summary.skipped else ""
    click.echo(
        f"{name}: {counted(summary.added, 'record')} added from {summary.database} "
        f"({summary.format}{read_as}), source #{summary.source_id}{skipped}"
    )


def register(group: click.Group) -> None:
    group.add_command(import_)
