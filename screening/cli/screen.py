"""`metasift screen`: screen titles/abstracts or full texts in the terminal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from screening.cli import review_option
from screening.decisions.team import who_is_asking
from screening.protocol import STAGES
from screening.review import load_review

if TYPE_CHECKING:
    from screening.tui.app import MetasiftApp

NO_TERMINAL = (
    "metasift screen needs a terminal: its input or output is a pipe or a file (cron, CI, "
    "a redirect). Run it from a terminal window; `metasift export decisions` reads decisions "
    "without one."
)


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_app(app: MetasiftApp) -> None:
    """Run a screen; a crash inside it (Textual has printed the traceback) exits non-zero."""
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


@click.command()
@review_option
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    default=None,
    help="The stage to screen.  [default: the protocol's first stage, title-abstract]",
)
@click.option(
    "--reviewer",
    envvar="METASIFT_REVIEWER",
    help="Who is screening (or METASIFT_REVIEWER). Only this reviewer's decisions are shown.",
)
@click.option(
    "--order",
    type=click.Choice(["relevance", "import", "random"]),
    default="relevance",
    show_default=True,
    help="Most likely relevant first (once you have an include and an exclude), import "
    "order, or random order; s switches in the screen.",
)
def screen(review_path: str | None, stage: str | None, reviewer: str | None, order: str) -> None:
    """Screen records one at a time: include (i), exclude with a reason (e), maybe (m), undo
    (u), notes (n), tags (t), search (/), filters (f), bulk decisions (b), help (?).

    Every decision is saved to the review file at once, as the reviewer's own: screening is
    blinded, so nobody else's decisions are shown. Full text lists the records this reviewer
    included or marked maybe at title/abstract.

    Example:

    \b
        metasift screen --reviewer ana
        METASIFT_REVIEWER=ana metasift screen --stage full-text
    """
    if not has_terminal():
        raise click.ClickException(NO_TERMINAL)
    from screening.decisions.session import ScreeningSession
    from screening.tui import app as tui_app
    from screening.tui.screening_screen import ScreeningScreen

    with load_review(review_path) as review:
        name = who_is_asking(review.protocol, reviewer)
        stage = stage or review.protocol.stages[0]
        session = ScreeningSession(review.db, review.protocol, name, stage)
        session.set_order(order)
        title = f"metasift · {review.protocol.title}"
        run_app(tui_app.make_app(lambda: ScreeningScreen(session, ranking=True), title=title))


def register(group: click.Group) -> None:
    group.add_command(screen)
