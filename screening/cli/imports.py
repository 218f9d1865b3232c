"""`metasift import`: export files from any database into the review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from db.errors import MetasiftError
from db.plurals import counted
from screening.cli import review_option
from screening.cli.progress import ProgressLine
from screening.cli.screen import has_terminal
from screening.control_chars import visible
from screening.importers import FORMATS
from screening.importing import ImportSummary, NameDatabase, file_format, import_file
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
    "databases",
    multiple=True,
    metavar="[FILE=]NAME",
    help="The database a file came from (Embase, Cochrane CENTRAL, ...): FILE=NAME for each "
    "file, or one NAME for one file (or for files of one format). By default the file says "
    "(an RIS DB tag) or its format implies it; if neither, you are asked.",
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
    databases: tuple[str, ...],
    fmt: str,
    encoding: str | None,
    columns: tuple[str, ...],
    sheet: str | None,
) -> None:
    """Import search exports: PubMed XML, MEDLINE/.nbib, RIS (Embase, Scopus, Web of Science,
    Ovid, EndNote, Zotero, ProQuest, EBSCO, Cochrane), Web of Science plain text and
    tab-delimited, Ovid Embase, EndNote XML (EndNote, Mendeley), ProQuest plain text, BibTeX,
    CSV and XLSX (Embase.com, Scopus, EPPI-Reviewer, any sheet with --column).

    Each file becomes one source and lands whole or not at all; every file is tried, and one
    that cannot be read is named with its line while the others land. Exit code 1 when any
    file was refused. Importing the same file twice adds nothing. A file that does not say
    its database (and was given none) is asked about before it lands, or refused when there
    is no terminal to ask on. A record with neither a title nor an identifier is left out,
    and a file that ends mid-record imports its whole records: both with a warning naming
    the line.

    Example:

    \b
        metasift import pubmed.xml savedrecs.txt
        metasift import embase.ris cochrane.ris --database embase.ris=Embase \\
            --database "cochrane.ris=Cochrane CENTRAL"
    """
    options = {"fmt": fmt, "encoding": encoding, "columns": parse_columns(columns), "sheet": sheet}
    named = databases_per_file(files, databases, fmt, encoding)
    outcomes: dict[str, str] = {}
    with load_review(review_path) as review:
        for name in files:
            try:
                summary = _import_one(review.db, name, {**options, "database": named.get(name)})
            except MetasiftError as e:
                if len(files) == 1:
                    raise  # its own one-line error, as before
                click.echo(f"Error: {visible(str(e))}", err=True)
                outcomes[name] = "refused"
                continue
            _report(name, summary)
            outcomes[name] = "already imported" if summary.already_imported else "landed"
    _conclude(outcomes)


def databases_per_file(
    files: tuple[str, ...], values: tuple[str, ...], fmt: str, encoding: str | None
) -> dict[str, str]:
    """The database --database names for each file: FILE=NAME, or one NAME for every file
    not named so, refused (a usage error) for files of different formats. A value with '='
    is always FILE=NAME: its FILE must be one of the files."""
    named: dict[str, str] = {}
    plain: list[str] = []
    for value in values:
        key, sep, database = value.partition("=")
        if not sep:
            plain.append(value)
            continue
        file = next((f for f in files if _same_file(key.strip(), f)), None)
        if file is None:  # a slip in FILE would otherwise become the database's name
            problem = (
                f"{key.strip()} is not one of the files given"
                if key.strip()
                else "names no file; give FILE=NAME or NAME"
            )
            raise click.BadParameter(
                f"{value!r}: {problem} ({', '.join(files)})", param_hint="--database"
            )
        if not database.strip():
            raise click.BadParameter(f"{value!r} names no database", param_hint="--database")
        if named.get(file, database.strip()) != database.strip():
            raise click.BadParameter(
                f"{file} is named twice ({named[file]}, {database.strip()})",
                param_hint="--database",
            )
        named[file] = database.strip()
    rest = [f for f in files if f not in named]
    if len(plain) > 1 or (plain and not rest):
        raise click.BadParameter(
            "give FILE=NAME for each file, or one NAME for them all", param_hint="--database"
        )
    if plain and len({_format_of(f, fmt, encoding) for f in rest}) > 1:
        raise click.BadParameter(
            f"one name for files of different formats ({', '.join(rest)}): name each "
            "file's database with --database FILE=NAME",
            param_hint="--database",
        )
    return named | {f: plain[0].strip() for f in rest} if plain else named


def _same_file(key: str, file: str) -> bool:
    return key == file or key == Path(file).name or Path(key).resolve() == Path(file).resolve()


def _format_of(file: str, fmt: str, encoding: str | None) -> str:
    """The file's format, or the file itself where none fits (its import will say why)."""
    try:
        return file_format(file, fmt, encoding)
    except MetasiftError:
        return file


def _conclude(outcomes: dict[str, str]) -> None:
    """Every file's outcome when there were several; exit 1 naming what landed if any was
    refused."""
    refused = [name for name, outcome in outcomes.items() if outcome == "refused"]
    if len(outcomes) > 1:
        for name, outcome in outcomes.items():
            click.echo(f"  {outcome}: {name}", err=True)
    if refused:
        landed = [name for name, outcome in outcomes.items() if outcome == "landed"]
        raise click.ClickException(
            f"{counted(len(refused), 'file')} refused ({', '.join(refused)}), nothing of "
            f"{'them' if len(refused) > 1 else 'it'} imported; "
            + (f"landed: {', '.join(landed)}" if landed else "no file landed")
        )


def _ask_database(bar: ProgressLine) -> NameDatabase:
    """The question import_file asks for a file that names no database: on a terminal, the
    answer; without one, a refusal naming the option."""

    def ask(path: Path, fmt: str) -> str:
        if not has_terminal():
            raise MetasiftError(
                f"{path}: the file does not say which database it came from; name it with "
                f"--database {path.name}=NAME (nothing of it was imported)"
            )
        bar.finish()
        answer = click.prompt(f"{path}: which database did this {fmt} file come from?")
        return " ".join(str(answer).split()) or ask(path, fmt)

    return ask


def _import_one(db: Database, name: str, options: dict[str, Any]) -> ImportSummary:
    """One file into the review, with a progress line; Ctrl-C says what did not land."""
    bar = ProgressLine(click.format_filename(name))
    try:
        return import_file(
            db, name, progress=bar.update, name_database=_ask_database(bar), **options
        )
    except (KeyboardInterrupt, click.Abort):  # Abort: Ctrl-C at the database question
        raise click.ClickException(
            f"interrupted: nothing of {name} was imported (files named before it were, "
            "unless refused); run the command again to import it. The review file keeps the "
            "space the import had taken: SQLite reuses it for the next import, and `metasift "
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
    text = summary.format != "xlsx"  # a workbook is not read through a text encoding
    utf8 = summary.encoding.startswith("utf-8")
    read_as = f", read as {summary.encoding}" if text and not utf8 else ""
    left_out = f", {summary.skipped:,} left out (no title and no identifier)"
    skipped = left_out if summary.skipped else ""
    click.echo(
        f"{name}: {counted(summary.added, 'record')} added from {summary.database} "
        f"({summary.format}{read_as}), source #{summary.source_id}{skipped}"
    )


def register(group: click.Group) -> None:
    group.add_command(import_)
