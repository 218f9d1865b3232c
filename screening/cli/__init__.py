"""The `metasift` command: the root click group, and every feature's commands registered on it."""

from __future__ import annotations

import errno
import signal
from types import FrameType

import click

from db.errors import MetasiftError
from screening.control_chars import visible

WRITE_FAILURES = (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT)
REVIEW_HELP = "The review: its review.db, or the folder holding it.  [default: ./review.db]"


class MetasiftGroup(click.Group):
    """Turns the core's MetasiftError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MetasiftError as e:
            raise click.ClickException(visible(str(e))) from e  # it may quote record text
        except OSError as e:
            if e.errno not in WRITE_FAILURES:
                raise
            # an output file on a full or read-only disk: the review itself maps its own
            raise click.ClickException(
                f"{e.filename}: {e.strerror}; nothing more was written"
            ) from e


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
        sources,
        status,
        vacuum,
    )

    commands = (init, status, records, imports, import_decisions, harvest, dedup, screen)
    for module in (*commands, sources, resolve, agreement, merge, export, vacuum):
        module.register(cli)
    # everything after screening: extraction's own commands, handed screening's way of
    # opening a review (extraction never imports screening)
    from screening.cli.extraction_review import open_for_extraction

    extraction.cli.register(cli, open_for_extraction)


_register()
