"""`metasift status`: the review's sources with their record counts, and progress per stage
counted in duplicate clusters (screening.decisions.progress)."""

from __future__ import annotations

from typing import Any

import click
from sqlite_utils import Database

from db.harvests import harvest_status
from db.plurals import counted
from db.sources import cluster_count, database_counts, source_counts
from screening.cli import review_option
from screening.cli.output import echo_json, echo_line
from screening.decisions.progress import StageProgress, review_progress
from screening.review import load_review, review_uuid
from screening.stopping.report import stopping_status


@click.command()
@review_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status(review_path: str | None, as_json: bool) -> None:
    """Show the review's sources (files and searches) with their record counts, and screening
    progress per stage.

    Progress counts records once deduplicated (one per duplicate cluster, the figure PRISMA
    reports as records screened), never decision events: a record two reviewers disagree on
    is one record in conflict. Per reviewer: the records of the stage they have decided. A
    reviewer taken out of review.toml keeps their decisions: they still count, marked as no
    longer listed. The figures are counts only, so blinding holds and anyone may run it.

    JSON keys: review {title, uuid}; records (as imported); clusters (after deduplication);
    sources [...]; databases [{database, records, sources}] (records under their own database);
    stages [{stage, records, undecided, decided_by_one, decided_by_two_or_more, awaiting (a
    required decision missing), complete (every required decision in), conflict, resolved,
    included, excluded, maybe, not_retrieved, reviewers [{reviewer, decided, of, listed}]}];
    stopping (title/abstract, the team's settled records in the order screened: screened,
    includes, since_last_include, estimates [{method, met, unseen, unseen_upper, confidence,
    ...}], protocol_rule, stopped: the team's stop in force or null).

    Example:

    \b
        metasift status --json | jq '.stages[] | {stage, conflict}'
    """
    with load_review(review_path) as review:
        sources = _sources(review.db)
        protocol = review.protocol
        stages = review_progress(review.db, protocol)
        stopping = stopping_status(review.db, protocol)
        summary = {
            "review": {"title": protocol.title, "uuid": review_uuid(review.db)},
            "records": sum(s["records"] for s in sources),
            "clusters": cluster_count(review.db),
            "sources": sources,
            "databases": database_counts(review.db),
            "stages": [s.as_json() for s in stages],
            "stopping": stopping.as_json() if stopping else None,
        }
    if as_json:
        echo_json(summary)
        return
    _print(summary, stages)
    if stopping and (stopping.guidance.history.screened or stopping.stop):
        echo_line("\n".join(stopping.lines()))


def _sources(db: Database) -> list[dict[str, Any]]:
    """Each source with its record count, and its harvest if it was a search."""
    sources = source_counts(db)
    harvests = harvest_status(db)
    for s in sources:
        if s["id"] in harvests:
            s["harvest"] = harvests[s["id"]]
    return sources


def _print(summary: dict[str, Any], stages: list[StageProgress]) -> None:
    records, clusters = summary["records"], summary["clusters"]
    echo_line(
        f"{summary['review']['title']}: {counted(records, 'record')}, "
        f"{clusters:,} after deduplication"
    )
    if not summary["sources"]:
        echo_line("No sources yet: `metasift import FILE...` or `metasift search pubmed QUERY`.")
    else:
        echo_line("\n".join(_source_lines(summary["sources"], summary["databases"])))
    for stage in stages if records else ():
        lines = _stage_lines(stage) if stage.records else [f"{stage.stage}: nothing yet"]
        echo_line("\n".join(lines))


def _source_lines(sources: list[dict[str, Any]], databases: list[dict[str, Any]]) -> list[str]:
    """The sources, then the records per database, in columns as wide as the longest
    database name (names are per record now, and can be long: "Academic Search Premier")."""
    width = max((len(s["database"]) for s in [*sources, *databases]), default=0)
    lines = []
    for s in sources:
        what = s["file_name"] or s["query"] or ""
        lines.append(f"  #{s['id']:<3} {s['database']:<{width}} {s['records']:>7,}  {what}")
        if "harvest" in s:
            lines.append(f"       {_harvest_line(s['harvest'])}")
    if len(databases) > 1 or len(sources) > 1:
        lines.append("  by database:")
        lines += [f"       {d['database']:<{width}} {d['records']:>7,}" for d in databases]
    return lines


def _stage_lines(p: StageProgress) -> list[str]:
    settled = f"included {p.included:,}, excluded {p.excluded:,}"
    if p.maybe:
        settled += f", maybe {p.maybe:,}"
    if p.stage == "full-text":
        settled += f", not retrieved {p.not_retrieved:,}"
    lines = [
        f"{p.stage}: {counted(p.records, 'record')} to screen",
        f"  undecided {p.undecided:,}, decided by one reviewer {p.decided_by_one:,}, "
        f"by two or more {p.decided_by_two_or_more:,}",
        f"  awaiting a required decision {p.awaiting:,}, all required decisions in {p.complete:,}",
        f"  in conflict {p.conflict:,}, resolved {p.resolved:,}; {settled}",
    ]
    width = max((len(r.reviewer) for r in p.reviewers), default=0)
    for r in p.reviewers:
        share = f"{r.decided / r.of:.0%}" if r.of else "-"
        gone = "" if r.listed else "  (no longer in review.toml; decisions kept)"
        lines.append(f"  {r.reviewer:<{width}}  {r.decided:>7,} of {r.of:,} ({share}){gone}")
    return lines


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
