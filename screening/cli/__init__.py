"""The `metasift` command: the root click group, and every feature's commands registered on it."""

from __future__ import annotations

import signal
from types import FrameType

import click

from db.errors import MetasiftError

REVIEW_HELP = "The review: its review.db, or the folder holding it.  [default: ./review.db]"


class MetasiftGroup(click.Group):
    """Turns the core's MetasiftError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MetasiftError as e:
            raise click.ClickException(str(e)) from e


def review_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--review", "review_path", type=click.Path(), default=None, help=REVIEW_HELP
    )(f)


@click.group(cls=MetasiftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="metasift", prog_name="metasift")  # looked up when asked
def cli() -> None:
    """metasift: search, deduplicate, screen and extract for systematic reviews.

    A review is a folder with review.db (everything the team did) and review.toml (the
    protocol: PICOS criteria, exclusion reasons, reviewers). Start with:

    \b
        metasift init cirrhosis-msc && cd cirrhosis-msc
        metasift import pubmed.xml embase.ris wos.txt
        metasift status

    Exit codes: 0 success, 1 bad input or a failed step (nothing was changed), 2 usage error.
    """


def main() -> None:
    # `kill` (SIGTERM) stops a command the way Ctrl-C does, so it cleans up the same way: an
    # import leaves the review as it was, a harvest keeps every batch landed
    signal.signal(signal.SIGTERM, _interrupt)
    cli()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _register() -> None:
    import extraction.cli
    from screening.cli import (
        agreement,
        dedup,
        export,
        harvest,
        import_decisions,
        imports,
        init,
        merge,
        records,
        resolve,
        screen,
        status,
    )
    from screening.decisions.reports import open_for_extraction

    commands = (init, status, records, imports, import_decisions, harvest, dedup, screen)
    for module in (*commands, resolve, agreement, merge, export):
        module.register(cli)
    extraction.cli.register(cli)  # everything after screening: extraction's own commands
    cli.context_settings["obj"] = open_for_extraction  # how they open a review (click's obj)


_register()
