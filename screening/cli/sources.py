"""`metasift sources`: list the review's sources; rename, remove and restore one, each change
an audited event (db/source_events.py)."""

from __future__ import annotations

from typing import Any

import click

from db.plurals import counted
from db.source_events import rename_source, set_source_removed, source_row
from db.sources import all_sources
from screening.cli import review_option
from screening.cli.output import echo_json, echo_line
from screening.decisions.team import VIEWER, who_is_asking
from screening.review import load_review


def reviewer_option(f: click.decorators.FC) -> click.decorators.FC:
    """Who changes a source: anyone review.toml lists, reviewer or adjudicator."""
    return click.option(
        "--reviewer",
        envvar="METASIFT_REVIEWER",
        help="Who makes the change (or METASIFT_REVIEWER): anyone review.toml lists.",
    )(f)


@click.group(name="sources", invoke_without_command=True)
@review_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def sources(ctx: click.Context, review_path: str | None, as_json: bool) -> None:
    """List the sources: id, database, file or query, records, when imported, and state
    (in force, or removed: its records are out of screening, dedup and PRISMA).

    Example:

    \b
        metasift sources
        metasift sources --json | jq '.[] | select(.state == "removed") | .id'
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = review_path
        return
    with load_review(review_path) as review:
        rows = [_listed(row) for row in all_sources(review.db)]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        echo_line(
            f"#{row['id']}  {row['database']}  {row['file_or_query']}  "
            f"{counted(row['records'], 'record')}  {row['imported']}  {row['state']}"
        )


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "database": row["database"],
        "file_or_query": row["file_name"] or row["query"] or "",
        "records": row["records"],
        "imported": row["imported_at"],
        "state": "removed" if row["removed"] else "in force",
    }


@sources.command(name="rename")
@click.argument("source_id", type=int)
@click.argument("name")
@review_option
@reviewer_option
@click.pass_context
def rename(
    ctx: click.Context, source_id: int, name: str, review_path: str | None, reviewer: str | None
) -> None:
    """Rename a source's database, and its records' where they took the source's name (a
    record that names its own database keeps it).

    Example:

    \b
        metasift sources rename 3 Embase --reviewer ana
    """
    with load_review(review_path or ctx.obj) as review:
        who = who_is_asking(review.protocol, reviewer, VIEWER)
        old = source_row(review.db, source_id)["database"]
        renamed = rename_source(review.db, source_id, name, who)
    echo_line(f"source #{source_id}: {old} -> {name}; {counted(renamed, 'record')} renamed")


REMOVE_HELP = """Take a source out: its records leave screening, dedup and PRISMA; nothing is
deleted, decisions on them are kept, and `metasift sources restore` brings them back.

Example:

\b
    metasift sources remove 2 --reviewer ana
"""
RESTORE_HELP = """Bring a removed source back, its records and the decisions on them.

Example:

\b
    metasift sources restore 2 --reviewer ana
"""


def _state_command(name: str, removed: bool, help_text: str) -> click.Command:
    """`sources remove` (removed=True) or `sources restore`."""

    @click.command(name=name, help=help_text)
    @click.argument("source_id", type=int)
    @review_option
    @reviewer_option
    @click.pass_context
    def command(
        ctx: click.Context, source_id: int, review_path: str | None, reviewer: str | None
    ) -> None:
        _set_removed(review_path or ctx.obj, source_id, removed, reviewer)

    return command


def _set_removed(
    review_path: str | None, source_id: int, removed: bool, reviewer: str | None
) -> None:
    with load_review(review_path) as review:
        who = who_is_asking(review.protocol, reviewer, VIEWER)
        set_source_removed(review.db, source_id, removed, who)
        source = source_row(review.db, source_id)
    done = "removed" if removed else "restored"
    echo_line(f"source #{source_id} ({source['database']}): {done}")


sources.add_command(_state_command("remove", True, REMOVE_HELP))
sources.add_command(_state_command("restore", False, RESTORE_HELP))


def register(group: click.Group) -> None:
    group.add_command(sources)
