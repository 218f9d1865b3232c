"""`metasift studies`: the reports that reached full text grouped into studies; link, unlink
and suggested links (extraction.studies)."""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Any

import click

from db.plurals import counted
from extraction.cli.context import ReviewOpener
from extraction.cli.reviews import (
    GROUP_REVIEW,
    acting,
    hand_opener,
    open_review,
    review_option,
    reviewer_option,
)
from extraction.studies.grouping import Report, Study, find_report, find_study, read_studies
from extraction.studies.linking import (
    LinkChange,
    clashing_cells,
    link_report,
    study_of,
    unlink_report,
)
from extraction.studies.suggestions import Suggestion, report_registrations, suggest_links
from extraction.values.ledger import printable  # record text reaching a terminal

OUTCOME_WORDS = {"include": "included", "exclude": "excluded", "not-retrieved": "not retrieved"}


@click.group(invoke_without_command=True)
@review_option
@reviewer_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of studies.")
@click.pass_context
def studies(
    ctx: click.Context, review_path: str | None, reviewer: str | None, as_json: bool
) -> None:
    """List the studies: the reports (records that reached full text, excluded ones too)
    grouped by trial, whether any report is included (only those studies are extracted),
    their full texts, and links suggested where reports share a trial registration number
    or a first author and title words. A report never linked is a study of its own.

    JSON: [{uuid, label, included, registrations, aliases, reports: [{record_id, records,
    title, outcome, verdict, included, full_texts, link {uuid, study_uuid (null: unlinked),
    reviewer, created_at}, flags}]}].

    Example:

    \b
        metasift studies
        metasift studies link 40 --to 7 --reviewer ana
        metasift studies --json | jq '.[] | select(.included) | .label'
    """
    if ctx.invoked_subcommand is not None:
        ctx.meta[GROUP_REVIEW] = review_path  # `studies --review X link ...` means X too
        return
    with open_review(review_path, reviewer) as review:
        found = read_studies(review.db, review.reports())
        numbers = report_registrations(review.db, found)
        suggestions = suggest_links(found, numbers)
    if as_json:
        click.echo(json.dumps([_as_json(s, numbers) for s in found], indent=2, ensure_ascii=False))
        return
    _print(found, numbers, suggestions)


@studies.command()
@click.argument("record", type=int)
@click.option("--to", "to", metavar="STUDY", help="A report's record id, a UUID or a label.")
@click.option("--new", "new", is_flag=True, help="Start a new study with this report.")
@review_option
@reviewer_option
def link(
    record: int, to: str | None, new: bool, review_path: str | None, reviewer: str | None
) -> None:
    """Put a report (any record of its duplicate cluster) in a study: the one --to names
    (a record id of one of its reports, its UUID, or its label), or a new one. Each link is an
    event of its reviewer; the latest on a report is in force.

    Example:

    \b
        metasift studies link 40 --to 7 --reviewer ana
        metasift studies link 40 --new
    """
    if new == (to is not None):
        raise click.UsageError("give either --to STUDY or --new")
    with open_review(review_path, reviewer) as review:
        who = acting(review)
        found = read_studies(review.db, review.reports())
        joined = find_study(found, to) if to is not None else None
        mine = study_of(found, find_report(found, record))
        clashes = clashing_cells(review.db, mine.uuid, joined.uuid) if joined else 0
        change = link_report(review.db, found, record, to, who)
        after = read_studies(review.db, review.reports())
        _say(change, after)
    if change.changed and joined and clashes:
        now = study_of(after, find_report(after, record)).label
        click.echo(
            f"note: {mine.label} and {joined.label} hold different values for "
            f"{counted(clashes, 'cell')}; in each, the later value is now in force and the "
            f'other hidden: check them with `metasift extract --study "{now}"`',
            err=True,
        )


@studies.command()
@click.argument("record", type=int)
@review_option
@reviewer_option
def unlink(record: int, review_path: str | None, reviewer: str | None) -> None:
    """Take a report out of its study: it is a study of its own again.

    Example:

    \b
        metasift studies unlink 40 --reviewer ana
    """
    with open_review(review_path, reviewer) as review:
        who = acting(review)
        found = read_studies(review.db, review.reports())
        change = unlink_report(review.db, found, record, who)
        _say(change, read_studies(review.db, review.reports()))


@studies.command()
@review_option
@reviewer_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of suggestions.")
def suggest(review_path: str | None, reviewer: str | None, as_json: bool) -> None:
    """List reports in different studies that look like one trial: a shared registration
    number (NCT, ISRCTN, ChiCTR, EudraCT, ...), or the same first author and most title
    words. Nothing is linked: each line gives the command that would.

    JSON: [{record_ids, labels, reason}].

    Example:

    \b
        metasift studies suggest
    """
    with open_review(review_path, reviewer) as review:
        found = read_studies(review.db, review.reports())
        suggestions = suggest_links(found, report_registrations(review.db, found))
    if as_json:
        rows = [
            {"record_ids": s.record_ids, "labels": s.labels, "reason": s.reason}
            for s in suggestions
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not suggestions:
        click.echo("No suggested links: no two studies share a registration number or authors.")
    for s in suggestions:
        click.echo(_suggestion_line(s))


def register(group: click.Group, opener: ReviewOpener) -> None:
    group.add_command(hand_opener(studies, opener))


def _say(change: LinkChange, after: list[Study]) -> None:
    number = change.report.record_id
    if not change.changed:
        label = change.before.label
        where = f"a study of its own ({label})" if change.after is None else f"in {label}"
        click.echo(f"#{number} is already {where}; nothing changed")
        return
    study = next(s for s in after if any(r.record_id == number for r in s.reports))
    if change.after == change.before.uuid:
        click.echo(f"#{number} stays in {study.label}; what dedup flagged on it is settled")
        return
    if change.after is None:
        click.echo(f"#{number} is a study of its own again: {study.label} ({study.uuid[:8]})")
        return
    others = [f"#{r.record_id}" for r in study.reports if r.record_id != number]
    with_ = f" with {', '.join(others)}" if others else " on its own"
    click.echo(f"#{number} is now in {study.label} ({study.uuid[:8]}){with_}")


def _print(found: list[Study], numbers: dict[int, set[str]], suggestions: list[Suggestion]) -> None:
    if not found:
        click.echo(
            "No reports yet: a report is a record title/abstract screening sent to full text."
        )
        return
    reports = sum(len(s.reports) for s in found)
    included = sum(s.included for s in found)
    click.echo(f"{len(found)} studies from {reports} reports; {included} with an included report")
    width = shutil.get_terminal_size((100, 24)).columns
    for study in found:
        mark = "included" if study.included else "not included"
        count = f"{len(study.reports)} report{'s' if len(study.reports) > 1 else ''}"
        registered = "".join(f", {n}" for n in _registrations(study, numbers))
        click.echo(f"\n{study.label}  ({mark}, {count}, study {study.uuid[:8]}{registered})")
        for report in study.reports:
            click.echo(_report_line(report, width))
            for location in (t.target for t in report.full_texts):
                click.echo(f"      full text: {printable(location)}")
            for flag in report.flags:  # wrapped: a flag says what changed and what stayed
                click.echo(
                    textwrap.fill(
                        printable(flag), width, initial_indent="      ! ", subsequent_indent=" " * 8
                    )
                )
    if suggestions:
        click.echo(f"\nSuggested links ({len(suggestions)}):")
        for s in suggestions:
            click.echo(_suggestion_line(s))


def _report_line(report: Report, width: int) -> str:
    head = f"  #{report.record_id:<5} {_outcome(report):<14} "
    title = printable(report.canonical.get("title") or "(no title)")
    room = max(width - len(head), 20)
    return head + (title if len(title) <= room else title[: room - 3] + "...")


def _outcome(report: Report) -> str:
    o = report.outcome
    if o.state == "conflict":
        return "conflict"
    if o.state in ("agreed", "resolved") and o.verdict:
        return OUTCOME_WORDS.get(o.verdict, o.verdict)
    return "undecided"


def _suggestion_line(s: Suggestion) -> str:
    a, b = s.record_ids
    return (
        f"#{a} {s.labels[0]} and #{b} {s.labels[1]}: {s.reason}\n"
        f"    metasift studies link {b} --to {a}"
    )


def _registrations(study: Study, numbers: dict[int, set[str]]) -> list[str]:
    return sorted({n for r in study.reports for n in numbers.get(r.outcome.cluster_id, set())})


def _as_json(study: Study, numbers: dict[int, set[str]]) -> dict[str, Any]:
    return {
        "uuid": study.uuid,
        "label": study.label,
        "included": study.included,
        "registrations": _registrations(study, numbers),
        "aliases": sorted(study.aliases),
        "reports": [_report_json(r) for r in study.reports],
    }


def _report_json(report: Report) -> dict[str, Any]:
    link = report.link
    return {
        "record_id": report.record_id,
        "records": [m["id"] for m in report.members],
        "title": report.canonical.get("title"),
        "outcome": report.outcome.state,
        "verdict": report.outcome.verdict,
        "included": report.outcome.included,
        "full_texts": [t.target for t in report.full_texts],
        "link": link
        and {
            "uuid": link.uuid,
            "study_uuid": link.target,
            "reviewer": link.reviewer,
            "created_at": link.created_at,
        },
        "flags": list(report.flags),
    }
