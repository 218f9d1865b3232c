"""`metasift records`: the review's records, listed or as JSON, optionally filtered.

Both forms are streamed: each record is printed as it is read, so 200,000 records take no
more memory than twenty (the JSON array was built whole before: 5.1 GB at 200,000).
--search takes the screen's search language (screening/query.py); export records takes the
same option (search_option).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any

import click

from screening.cli import review_option
from screening.cli.output import echo_json_array, echo_line
from screening.export.selection import matching_records
from screening.query import Query, SearchError, parse_query
from screening.review import load_review
from screening.rows import row_citation

SEARCH_HELP = (
    'Only records matching QUERY: words, "phrases", word*, field:value (title abstract author '
    "journal type mesh keyword year pmid doi db source), OR, ( ), -term; as in the screen's /."
)


def _parsed(ctx: click.Context, param: click.Parameter, value: str | None) -> Query | None:
    """A click callback: the query parsed, or a usage error (exit 2) saying what is wrong."""
    if value is None:
        return None
    try:
        return parse_query(value)
    except SearchError as e:
        raise click.BadParameter(str(e), ctx, param) from None


def search_option(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(*names, "query", metavar="QUERY", callback=_parsed, help=SEARCH_HELP)


@click.command()
@review_option
@search_option("--search")
@click.option(
    "--limit", type=click.IntRange(min=0, max=2**63 - 1), default=None, help="At most this many."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of records.")
def records(review_path: str | None, query: Query | None, limit: int | None, as_json: bool) -> None:
    """List the review's records with the database each came from (a removed source's are
    left out: `metasift sources`). Prints "no records match" to stderr when a search finds
    none.

    Example:

    \b
        metasift records --search '"umbilical cord" (msc OR stem*) -type:review' --limit 20
    """
    with load_review(review_path) as review:
        rows = matching_records(review.db, query, limit)
        shown = echo_json_array(map(record_json, rows)) if as_json else echo_listing(rows)
    if not shown and limit != 0:  # --limit 0 asked for none
        click.echo("no records match", err=True)


def echo_listing(rows: Iterator[dict[str, Any]]) -> int:
    """One line per record: id, year, title, database; returns how many."""
    shown = 0
    for row in rows:
        year = row["year"] or "----"
        title = (row["title"] or "(no title)")[:90]
        echo_line(f"{row['id']:>6}  {year}  {title}  [{row['database']}]")
        shown += 1
    return shown


def record_json(row: dict) -> dict:
    """A record for --json output: its identity, provenance and normalised fields."""
    citation = asdict(row_citation(row))
    del citation["raw"], citation["line"]
    return {
        "id": row["id"],
        "uuid": row["uuid"],
        "database": row["database"],
        "file_name": row["file_name"],
        **citation,
    }


def register(group: click.Group) -> None:
    group.add_command(records)
