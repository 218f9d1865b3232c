"""`metasift resolve`: settle the reviewers' conflicts in the terminal; `metasift conflicts`:
the same queue listed, for scripts."""

from __future__ import annotations

import click

from db.plurals import counted
from screening.cli import review_option
from screening.cli import screen as screen_command
from screening.cli.output import echo_json, echo_line
from screening.decisions.team import ADJUDICATOR, who_is_asking
from screening.protocol import STAGES
from screening.review import load_review

NO_TERMINAL = (
    "metasift resolve needs a terminal: its input or output is a pipe or a file (cron, CI, "
    "a redirect). Run it from a terminal window; `metasift conflicts --json` lists the "
    "conflicts without one."
)
STAGE_HELP = "The stage whose conflicts to settle.  [default: the protocol's first stage]"
REVIEWER_HELP = "Who is adjudicating (or METASIFT_REVIEWER): one of review.toml's adjudicators."


def stage_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--stage", type=click.Choice(STAGES), default=None, help=STAGE_HELP)(f)


def reviewer_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--reviewer", envvar="METASIFT_REVIEWER", help=REVIEWER_HELP)(f)


@click.command()
@review_option
@stage_option
@reviewer_option
def resolve(review_path: str | None, stage: str | None, reviewer: str | None) -> None:
    """Settle conflicts one at a time: the record, every reviewer's vote side by side, then
    include (i), exclude with a reason (e), maybe (m, title/abstract only: it sends the
    record on) or not retrieved (r, full text only), each with a justification; undo (u),
    help (?).

    Each resolution is saved at once as an event of its own, and stands until a reviewer
    changes their vote. Conflicts on records the adjudicator still owes a decision on (they
    screen this stage too) are not shown, so that decision stays blind.

    Example:

    \b
        metasift resolve --reviewer cleo
        METASIFT_REVIEWER=cleo metasift resolve --stage full-text
    """
    if not screen_command.has_terminal():
        raise click.ClickException(NO_TERMINAL)
    from screening.decisions.resolving import Adjudication
    from screening.tui import app as tui_app
    from screening.tui.resolve_screen import ResolveScreen

    with load_review(review_path) as review:
        name = who_is_asking(review.protocol, reviewer, ADJUDICATOR)
        stage = stage or review.protocol.stages[0]
        adjudication = Adjudication(review.db, review.protocol, name, stage)
        title = f"metasift · conflicts · {review.protocol.title}"
        screen_command.run_app(tui_app.make_app(lambda: ResolveScreen(adjudication), title=title))


@click.command()
@review_option
@stage_option
@reviewer_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
def conflicts(
    review_path: str | None, stage: str | None, reviewer: str | None, as_json: bool
) -> None:
    """List the conflicts waiting for an adjudicator: each record with every reviewer's vote.
    Only adjudicators may ask, and not about records they still owe a decision on.

    Example:

    \b
        metasift conflicts --reviewer cleo --stage full-text --json | jq '.conflicts[].record_id'
    """
    from screening.decisions.resolving import conflict_queue, queue_summary

    with load_review(review_path) as review:
        name = who_is_asking(review.protocol, reviewer, ADJUDICATOR)
        stage = stage or review.protocol.stages[0]
        queue = conflict_queue(review.db, review.protocol, name, stage)
        listed = queue_summary(review.db, queue)
    if as_json:
        out = {"stage": stage, "adjudicator": name, "hidden": queue.hidden, "conflicts": listed}
        echo_json(out)
        return
    echo_line(f"{stage}: {counted(len(listed), 'conflict')} for {name}")
    for item in listed:
        echo_line(f"  {item['record_id']:>6}  {(item['title'] or '(no title)')[:90]}")
        for vote in item["votes"]:
            reason = f": {vote['reason']}" if vote["reason"] else ""
            note = f"  ({vote['note']})" if vote["note"] else ""
            echo_line(f"          {vote['reviewer']}: {vote['verdict']}{reason}{note}")
    if queue.hidden:
        echo_line(
            f"{queue.hidden:,} more hidden: {name} has not decided those records yet "
            "(screen them first, blind)"
        )


def register(group: click.Group) -> None:
    group.add_command(resolve)
    group.add_command(conflicts)
