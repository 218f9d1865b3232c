"""`metasift stop-screening`: record the team's decision to stop screening a stage."""

from __future__ import annotations

import json

import click

from db.plurals import counted
from screening.cli import review_option
from screening.cli.output import echo_json, echo_line
from screening.protocol import STAGES
from screening.review import load_review


@click.command("stop-screening")
@review_option
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    default="title-abstract",
    show_default=True,
    help="The stage to stop (title-abstract: stopping rules are about records).",
)
@click.option("--reason", default="", help="Why the team stops: the rule met, the figures.")
@click.option(
    "--reviewer",
    envvar="METASIFT_REVIEWER",
    help="Who records it (or METASIFT_REVIEWER); in dual review, one of the adjudicators.",
)
@click.option("--undo", is_flag=True, help="Cancel the stop in force at the stage.")
@click.option("--json", "as_json", is_flag=True, help="Print the event as JSON.")
def stop_screening(
    review_path: str | None,
    stage: str,
    reason: str,
    reviewer: str | None,
    undo: bool,
    as_json: bool,
) -> None:
    """Record that the team stops screening a stage before every record is screened, for
    example once review.toml's stopping rule is met (`metasift status` shows the guidance).
    metasift never stops anyone by itself: this is the team's decision, kept as an event
    with who, when, the reason, the rule and the figures shown at that moment. In dual
    review only an adjudicator may record it. Screening may go on afterwards; records
    screened later count as screened.

    While the stop stands, the records nobody screened at the stage count in `metasift
    prisma` as excluded by an automation tool (excluded_automatic), with the reason, and
    `metasift status` says so. --undo cancels the stop (a new event; nothing is deleted).

    JSON keys: uuid, stage, reviewer, reason, rule, created_at, unscreened, figures (the
    guidance: screened, records, includes, since_last_include, estimates [...]), undone.

    Example:

    \b
        metasift stop-screening --reviewer cleo --reason "knee rule met; 300 excludes in a row"
        metasift stop-screening --reviewer cleo --undo
    """
    from screening.stopping.decision import stop_screening as record_stop
    from screening.stopping.decision import stopper, undo_stop

    with load_review(review_path) as review:
        who = stopper(review.protocol, stage, reviewer)
        if undo:
            held = undo_stop(review.db, review.protocol, stage, who)
        else:
            stop = record_stop(review.db, review.protocol, stage, who, reason)
    if undo and as_json:
        echo_json({**held, "figures": json.loads(held["figures"] or "{}"), "undone": True})
        return
    if undo:
        echo_line(
            f"{stage}: the stop {held['reviewer']} recorded on {held['created_at'][:10]} is "
            "undone; the records nobody screened count as unscreened again"
        )
        return
    if as_json:
        echo_json({**stop.__dict__, "undone": False})
        return
    echo_line(
        f"{stage}: screening stopped by {stop.reviewer} ({stop.reason}). "
        f"{counted(stop.unscreened, 'record')} nobody screened now count in PRISMA as "
        "excluded by an automation tool; `--undo` cancels the stop."
    )


def register(group: click.Group) -> None:
    group.add_command(stop_screening)
