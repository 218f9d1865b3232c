"""`metasift status`: the review's sources with their record counts, and progress per stage."""

from __future__ import annotations

import json

import click

from db.harvests import harvest_status
from db.sources import source_counts, stage_counts
from screening.cli import review_option
from screening.review import load_review, review_uuid


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


def register(group: click.Group) -> None:
    group.add_command(status)
