"""`metasift search pubmed`: harvest a PubMed search, or a list of PMIDs, into the review."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import click

from db.plurals import counted
from screening.cli import review_option
from screening.cli.progress import ProgressLine

EMAIL_HINT = (
    "Note: NCBI asks for an email with every request, so it can write before blocking a busy "
    "address; set NCBI_EMAIL or `email` under [ncbi] in {config}."
)


@click.group()
def search() -> None:
    """Search bibliographic databases and harvest the records into the review."""


@search.command()
@click.argument("query", required=False)
@click.option(
    "--pmids",
    "pmid_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Fetch the PMIDs listed in this file (one a line, or comma-separated) instead.",
)
@click.option("--from", "date_from", metavar="DATE", help="Start of the window: YYYY[/MM[/DD]].")
@click.option(
    "--to", "date_to", metavar="DATE", help="End of the window: YYYY[/MM[/DD]]. [default: today]"
)
@click.option(
    "--datetype",
    type=click.Choice(["edat", "pdat", "mdat"]),
    default="edat",
    show_default=True,
    help="The date --from/--to limit: entered PubMed (edat), published (pdat), modified (mdat).",
)
@click.option(
    "--max",
    "max_records",
    type=click.IntRange(min=1),
    help="Harvest at most N records, the most recently published first (to try a search out).",
)
@click.option("--dry-run", is_flag=True, help="Print the count and PubMed's translation only.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=10_000,
    show_default=True,
    help="Records per efetch request.",
)
@review_option
def pubmed(
    query: str | None,
    pmid_file: str | None,
    date_from: str | None,
    date_to: str | None,
    datetype: str,
    max_records: int | None,
    dry_run: bool,
    batch_size: int,
    review_path: str | None,
) -> None:
    """Harvest every record a PubMed search finds, through NCBI E-utilities.

    The first run fixes the date window (an open --to becomes today), so the same command run
    again resumes an interrupted harvest where it stopped and fetches the same set. Searches
    over 9,999 records are split into date windows. The search log (query, PubMed's
    translation, window, date run, count, records landed) is stored as the source.

    Your NCBI API key (10 requests/s instead of 3) and email come from NCBI_API_KEY and
    NCBI_EMAIL, or [ncbi] api_key / email in ~/.config/metasift/config.toml; never from
    review.toml, and they are never written into the review.

    Example:

    \b
        metasift search pubmed "mesenchymal stem cells AND liver cirrhosis" --dry-run
        metasift search pubmed "mesenchymal stem cells AND liver cirrhosis" --from 2000
        metasift search pubmed --pmids included_elsewhere.txt
    """
    spec = _spec(query, pmid_file, datetype, date_from, date_to, max_records)
    _run(spec, review_path, batch_size, dry_run)


def _spec(
    query: str | None,
    pmid_file: str | None,
    datetype: str,
    date_from: str | None,
    date_to: str | None,
    max_records: int | None,
) -> Any:
    """The harvest the options describe: a search, or a list of PMIDs."""
    from screening.harvest.harvest import HarvestSpec, read_pmid_list

    if bool(query) == bool(pmid_file):
        raise click.UsageError("give a QUERY or --pmids FILE (one of them)")
    if pmid_file and (date_from or date_to or max_records):
        raise click.UsageError("--from, --to and --max apply to a QUERY, not to --pmids")
    if pmid_file:
        pmids = tuple(read_pmid_list(Path(pmid_file)))
        spec = HarvestSpec(pmids=pmids, pmid_file=Path(pmid_file).name)
    else:
        spec = HarvestSpec(query, datetype, date_from, date_to, max_records)
    return spec


def _run(spec: Any, review_path: str | None, batch_size: int, dry_run: bool) -> None:
    from db.errors import MetasiftError
    from screening.harvest.client import EUtilsClient
    from screening.harvest.credentials import config_path, redact

    client = EUtilsClient()
    if not client.credentials.email:
        click.echo(EMAIL_HINT.format(config=config_path()), err=True)
    try:
        if dry_run:
            client.resume_hint = ""  # a dry run stores nothing, so there is nothing to resume
            _dry_run(client, spec)
        else:
            _harvest(client, spec, review_path, batch_size)
    except MetasiftError as e:  # whichever layer raised it, the key never reaches the screen
        raise click.ClickException(redact(str(e), client.credentials.api_key)) from None
    finally:
        client.close()


def _dry_run(client: Any, spec: Any) -> None:
    from screening.harvest.harvest import dry_run, feedback_lines

    if spec.pmids:
        click.echo(f"{len(spec.pmids):,} PMIDs in {spec.pmid_file}; nothing fetched (--dry-run)")
        return
    result, window = dry_run(client, spec, date.today())
    click.echo(f"Count: {result.count:,}")
    click.echo(f"Window: {window}")
    click.echo(f"Translation: {result.translation or '(none)'}")
    for line in feedback_lines(result):
        click.echo(line)


def _harvest(client: Any, spec: Any, review_path: str | None, batch_size: int) -> None:
    from screening.harvest.harvest import harvest
    from screening.review import load_review

    bars: dict[str, ProgressLine] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in bars:
            for bar in bars.values():
                bar.finish()
            label = "PubMed search" if phase == "plan" else "PubMed fetch"
            unit = f"of {total:,} PMIDs listed" if phase == "plan" else f"of {total:,} records"
            bars[phase] = ProgressLine(label, unit=unit)
        bars[phase].update(done, done, total)

    with load_review(review_path) as review:
        try:
            outcome = harvest(
                review.db,
                client,
                spec,
                today=date.today(),
                batch_size=batch_size,
                progress=progress,
            )
        except KeyboardInterrupt:
            raise click.ClickException(
                "interrupted; every batch fetched so far is kept. "
                "Run the same command again to resume where it stopped."
            ) from None
        except sqlite3.OperationalError as e:
            raise click.ClickException(_disk_trouble(e, review.path)) from None
        finally:
            for bar in bars.values():
                bar.finish()
    _report(outcome, spec)


def _disk_trouble(error: sqlite3.OperationalError, path: Path) -> str:
    """What a write the review file refused means, in one line; other errors as they are."""
    text = str(error)
    if "full" in text:
        what = f"the disk holding {path} is full"
    elif "readonly" in text or "read-only" in text:
        what = f"{path} is read-only (its file or its disk)"
    else:
        raise error
    return (
        f"{what}; every batch landed so far is kept, the one in progress was not saved. "
        "Make room (or make it writable), then run the same command again to resume."
    )


def _report(outcome: Any, spec: Any) -> None:
    if outcome.already_done:
        click.echo(
            f"Already harvested as source #{outcome.source_id}: "
            f"{counted(outcome.landed, 'record')}; nothing fetched. For newer records, "
            "search again with --from the day after its window."
        )
        return
    what = f"{outcome.count:,} counted" if not spec.pmids else f"{outcome.count:,} PMIDs listed"
    click.echo(
        f"PubMed: {counted(outcome.landed, 'record')} landed of {what}, source #{outcome.source_id}"
        + (" (resumed)" if outcome.resumed else "")
    )
    if outcome.window:
        click.echo(f"  window: {outcome.window}")
    if outcome.translation:
        click.echo(f"  translation: {outcome.translation}")
    asked = ", ".join(f"{n:,} {endpoint}" for endpoint, n in sorted(outcome.requests.items()))
    click.echo(f"  requests: {asked or 'none'}")
    for line in outcome.feedback:
        click.echo(f"Warning: {line}", err=True)
    for line in outcome.short:
        click.echo(f"Short: {line}", err=True)


def register(group: click.Group) -> None:
    group.add_command(search)
