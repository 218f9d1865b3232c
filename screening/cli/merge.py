"""`metasift copy` and `metasift merge`: a reviewer works apart, offline, and their work comes
back into the main review file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from db.plurals import counted
from screening.cli import review_option
from screening.decisions.copying import copy_review
from screening.decisions.event_tables import EVENT_TABLES
from screening.decisions.merging import (
    EARLIER_PROTOCOL,
    OTHER_PROTOCOL,
    CopyMerge,
    SupersededEvent,
    merge_copies,
)
from screening.review import load_review

LABELS = {t.name: t.label for t in EVENT_TABLES}


@click.command("copy")
@review_option
@click.option("--for", "name", required=True, help="The reviewer the copy is for.")
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=click.Path(file_okay=False),
    help="A new (or empty) folder to write review.db and review.toml into.",
)
def copy_command(review_path: str | None, name: str, folder: str) -> None:
    """Write a review folder for one reviewer to screen in, on any machine, offline.

    The copy holds the records, clusters and protocol, and only that reviewer's own
    decisions, notes, tags and duplicate verdicts: nobody else's, so blinding holds even
    for someone who opens the file with sqlite3. A stage the team has settled in full
    blinds nothing any more: its decisions and resolutions are kept whole, so the copy's
    full-text list is the team's title/abstract outcome. review.db is self-contained (no -wal file
    beside it): sending it alone loses nothing. Bring the work back with `metasift merge`.

    Example:

    \b
        metasift copy --for ana -o ~/to-ana
        metasift screen --review ~/to-ana --reviewer ana     # on ana's machine
        metasift merge ~/from-ana/review.db
    """
    if not name.strip():  # who_is_asking would ask for --reviewer, which copy has not
        raise click.BadParameter("name the reviewer the copy is for", param_hint="--for")
    with load_review(review_path) as review:
        summary = copy_review(review, name, Path(folder))
        stages = review.protocol.stages
    held = ", ".join(_events(n, t) for t, n in summary.kept.items() if n)
    click.echo(
        f"Wrote {summary.path} ({summary.size / 1e6:.1f} MB) and review.toml for "
        f"{summary.reviewer}: {held or 'no events of theirs yet'}; "
        f"{counted(summary.left_out, 'event')} of others left out."
    )
    if summary.settled:
        fed = stages[1 : len(summary.settled) + 1]  # each lists the stage before's outcome
        click.echo(
            f"Settled in full, so kept whole (everyone's decisions and resolutions): "
            f"{', '.join(summary.settled)}"
            + (f"; the {', '.join(fed)} list is the team's outcome." if fed else ".")
        )
    click.echo(f"Bring it back with `metasift merge {summary.path.parent}`.")


@click.command()
@review_option
@click.argument("copies", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def merge(review_path: str | None, copies: tuple[str, ...], as_json: bool) -> None:
    """Add reviewers' copies (review.db files, or folders holding one) to this review.

    Every decision, note, tag, duplicate verdict and resolution a copy holds is added unless
    the review already has it, so merging a copy twice adds nothing and copies merge in any
    order. Records are matched by their UUID. Copies are only read, never changed. A copy of
    another review is refused, and so is a copy holding events by a name this review's
    review.toml does not list (add it to the reviewers first, then merge again); this review's
    protocol stays in force, and merge says when a copy's protocol differs.

    Example:

    \b
        metasift merge from-ana/ from-ben/review.db
        metasift merge from-ana --json | jq '.[].added'
    """
    with load_review(review_path) as review:
        results = merge_copies(review.db, review.protocol, review.path, [Path(c) for c in copies])
    if as_json:
        click.echo(json.dumps([_as_json(r) for r in results], indent=2, ensure_ascii=False))
        return
    for result in results:
        _report(result)


def _as_json(result: CopyMerge) -> dict[str, object]:
    found = asdict(result)
    found["path"] = str(result.path)
    found["added"] = result.added
    return found


def _report(result: CopyMerge) -> None:
    click.echo(f"{result.path}: {counted(result.added, 'event')} added")
    for person, tables in sorted(result.tallies.items()):
        parts = []
        for table, tally in tables.items():
            part = f"{_events(tally.added, table)} added"
            extra = [f"{tally.present:,} already here"] if tally.present else []
            extra += [f"{tally.unplaceable:,} not placed"] if tally.unplaceable else []
            parts.append(part + (f" ({', '.join(extra)})" if extra else ""))
            if tally.superseded:
                parts.append(_superseded(person, table, tally.superseded, result.superseded))
        click.echo(f"  {person}: {'; '.join(parts)}")
    if result.missing_count:
        click.echo(
            f"  Could not place events on {counted(result.missing_count, 'record')} this "
            "review lacks (imported into the copy only?):"
        )
        for record in result.missing:
            click.echo(f"    {record.uuid}  {record.title or '(no title)'}")
    if result.reclustered:
        click.echo("  Duplicate clusters rebuilt with the merged duplicate verdicts.")
    if result.unlisted:
        click.echo(
            f"  No longer in review.toml: {', '.join(result.unlisted)} (an earlier version "
            "listed them; merged, as a former reviewer's decisions still count)."
        )
    if result.protocol == EARLIER_PROTOCOL:
        click.echo("  It was made under an earlier version of this review's protocol.")
    elif result.protocol == OTHER_PROTOCOL:
        click.echo(
            "  Its protocol differs from this review's (edited in the copy?): this review's "
            "review.toml stays in force; copy any change you want into it by hand."
        )


def _superseded(person: str, table: str, n: int, shown: list[SupersededEvent]) -> str:
    """'1 of them (#53, title-abstract) is older than ana's decision already here, which
    stays in force': merged events that are not the ones in force."""
    named = [f"#{e.record_id}, {e.stage}" for e in shown if (e.person, e.table) == (person, table)]
    more = "; ..." if n > len(named) else ""
    one = n == 1
    label = LABELS.get(table, table)
    if table == "decisions":  # a reviewer's own decisions compete; an adjudicator's do not
        here = f"{person}'s decision" + ("" if one else "s")
    else:
        here = f"a {label.removesuffix('s')}" if one else label
    verb, which = ("is", "stays") if one else ("are", "stay")
    return (
        f"{n:,} of them ({'; '.join(named)}{more}) {verb} older than {here} already here, "
        f"which {which} in force"
    )


def _events(n: int, table: str) -> str:
    """n events of a table in words: "1 screening decision", "2 duplicate verdicts"."""
    label = LABELS.get(table, table)
    return counted(n, label.removesuffix("s"), label)


def register(group: click.Group) -> None:
    group.add_command(copy_command)
    group.add_command(merge)
