"""`metasift fulltext attach`: a PDF or a link for a report, or a folder of PDFs matched to
reports by DOI or PMID (extraction.studies.full_texts)."""

from __future__ import annotations

from pathlib import Path

import click

from db.studies import FULL_TEXTS, record_events
from extraction.cli.context import ReviewOpener
from extraction.cli.reviews import acting, hand_opener, open_review, review_option, reviewer_option
from extraction.studies.full_texts import FolderMatch, match_folder, stored_location
from extraction.studies.grouping import Report, find_report, read_studies
from extraction.values.ledger import printable  # file names reaching a terminal

MISSING_SHOWN = 10  # reports still without a full text, listed after a folder


@click.group()
def fulltext() -> None:
    """Full texts of reports: PDFs (stored relative to the review folder, so a copy on
    another machine with its PDFs beside it finds them) or links. Nothing is downloaded.

    Example:

    \b
        metasift fulltext attach 7 pdfs/zhang2012.pdf
    """


@fulltext.command()
@click.argument("targets", nargs=-1, required=True, metavar="[RECORD] PATH|URL|FOLDER")
@review_option
@reviewer_option
@click.option("--dry-run", is_flag=True, help="With a folder: show the matches, attach nothing.")
def attach(
    targets: tuple[str, ...], review_path: str | None, reviewer: str | None, dry_run: bool
) -> None:
    """Attach a PDF or a link to a report (any record of its duplicate cluster), or give a
    folder alone: each file whose name holds a report's DOI (its / written as _, -, %2F or
    nothing) or PMID is attached to that report, and what matched and what did not is
    listed. Attaching is an event of its reviewer; a file attached before is not again.

    Example:

    \b
        metasift fulltext attach 7 pdfs/zhang2012.pdf --reviewer ana
        metasift fulltext attach 12 https://doi.org/10.1002/hep.12345
        metasift fulltext attach pdfs/ --dry-run
    """
    if len(targets) == 1 and Path(targets[0]).is_dir():
        _attach_folder(Path(targets[0]), review_path, reviewer, dry_run)
        return
    if len(targets) != 2 or not targets[0].lstrip("#").isdigit():
        raise click.UsageError("give RECORD and a PATH or URL, or a FOLDER alone")
    record, given = int(targets[0].lstrip("#")), targets[1]
    with open_review(review_path, reviewer) as review:
        who = acting(review)
        report = find_report(read_studies(review.db, review.reports()), record)
        location = stored_location(review.folder, given)
        if any(t.target == location for t in report.full_texts):
            click.echo(f"#{record}: {location} is attached already")
            return
        record_events(review.db, FULL_TEXTS, [(record, location)], who)
    click.echo(f"#{record}: attached {location}")


def _attach_folder(folder: Path, review_path: str | None, reviewer: str | None, dry: bool) -> None:
    with open_review(review_path, reviewer) as review:
        who = acting(review)
        reports = [r for s in read_studies(review.db, review.reports()) for r in s.reports]
        found = match_folder(folder, reports, review.folder)
        rows = [
            (report.record_id, stored_location(review.folder, str(path)))
            for path, report, _ in found.matched
        ]
        if rows and not dry:
            record_events(review.db, FULL_TEXTS, rows, who)
    _report_folder(found, reports, dry)


def _report_folder(found: FolderMatch, reports: list[Report], dry: bool) -> None:
    verb = "would attach" if dry else "attached"
    click.echo(f"{verb} {len(found.matched)} file(s); {len(found.unmatched)} matched no report")
    for path, report, how in found.matched:
        click.echo(f"  {printable(path.name)} -> #{report.record_id} ({how})")
    for path, report in found.already:
        click.echo(f"  {printable(path.name)}: attached to #{report.record_id} already")
    for path, record_ids in found.ambiguous:
        names = ", ".join(f"#{r}" for r in record_ids)
        click.echo(f"  {printable(path.name)}: names several reports ({names}); attach it by hand")
    for path in found.unmatched:
        click.echo(f"  {printable(path.name)}: no report's DOI or PMID in its name")
    missing = found.missing(reports)
    if missing:
        shown = ", ".join(f"#{r.record_id}" for r in missing[:MISSING_SHOWN])
        more = f" and {len(missing) - MISSING_SHOWN} more" if len(missing) > MISSING_SHOWN else ""
        click.echo(f"{len(missing)} report(s) still without a full text: {shown}{more}")


def register(group: click.Group, opener: ReviewOpener) -> None:
    group.add_command(hand_opener(fulltext, opener))
