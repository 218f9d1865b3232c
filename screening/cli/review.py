"""`metasift init`, `metasift status` and `metasift records`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from db.harvests import harvest_status
from db.records import search_records
from db.sources import source_counts, stage_counts
from screening.cli import review_option
from screening.review import init_review, load_review, review_uuid
from screening.rows import row_citation


@click.command()
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--title", default="", help="The review's title (default: the folder's name).")
@click.option("--question", default="", help="The review question.")
def init(folder: str, title: str, question: str) -> None:
    """Start a review: write review.db and an annotated review.toml in FOLDER.

    review.toml documents every protocol key in its comments: fill in the PICOS criteria,
    keywords, exclusion reasons and reviewers there.

    Example:

    \b
        metasift init cirrhosis-msc --title "MSC for liver cirrhosis"
    """
    db_path = init_review(Path(folder), title=title, question=question)
    click.echo(f"Created {db_path} and {db_path.with_name('review.toml')}")
    click.echo("Next: edit review.toml (PICOS, reviewers), then `metasift import FILE...`")


@click.command()
@review_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(review_path: str | None, as_json: bool) -> None:
    """Show the review's sources (files and searches) with their record counts, and screening
    progress per stage.

    Example:

    \b
        metasift status --json | jq '.sources[].records'
    """
    with load_review(review_path) as review:
        sources = source_counts(review.db)
        harvests = harvest_status(review.db)
        for s in sources:
            if s["id"] in harvests:
                s["harvest"] = harvests[s["id"]]
        stages = stage_counts(review.db)
        summary = {
            "review": {"title": review.protocol.title, "uuid": review_uuid(review.db)},
            "records": sum(s["records"] for s in sources),
            "sources": sources,
            "stages": stages,
        }
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    click.echo(f"{summary['review']['title']}: {summary['records']:,} records")
    if not sources:
        click.echo("No sources yet: `metasift import FILE...` or `metasift search pubmed QUERY`.")
    for s in sources:
        what = s["file_name"] or s["query"] or ""
        click.echo(f"  #{s['id']:<3} {s['database']:<16} {s['records']:>7,}  {what}")
        if "harvest" in s:
            click.echo(f"       {_harvest_line(s['harvest'])}")
    for row in stages:
        click.echo(f"  {row['stage']:<15} {row['verdict']:<14} {row['records']:>7,} records")


def _harvest_line(h: dict) -> str:
    window = f"{h['datetype']} {h['date_from'] or '...'} to {h['date_to'] or '...'}"
    landed = f"{h['landed'] or 0:,} of {h['count'] or 0:,} landed"
    if h["state"] != "done" and h.get("running_pid"):
        return f"{window}, {landed}: running now (process {h['running_pid']})"
    if h["state"] != "done":
        return f"{window}, {landed}: incomplete, run the same search again to resume"
    return f"{window}, {landed}, finished {h['finished_at']}"


@click.command()
@review_option
@click.option(
    "--search", "text", help="Only records whose title, abstract, authors, DOI or PMID match TEXT."
)
@click.option("--limit", type=int, default=None, help="At most this many records.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of records.")
def records(review_path: str | None, text: str | None, limit: int | None, as_json: bool) -> None:
    """List the review's records with the database each came from.

    Example:

    \b
        metasift records --search "umbilical cord" --limit 20
    """
    with load_review(review_path) as review:
        rows = list(search_records(review.db, text, limit))
    if as_json:
        out = [record_json(row) for row in rows]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for row in rows:
        year = row["year"] or "----"
        title = (row["title"] or "(no title)")[:90]
        click.echo(f"{row['id']:>6}  {year}  {title}  [{row['database']}]")


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
    for command in (init, status, records):
        group.add_command(command)
