"""The `metasift` command: the root click group, and every feature's commands registered on it."""

from __future__ import annotations

import errno
import signal
import sys
from types import FrameType

import click

from db.errors import MetasiftError
from screening.control_chars import visible

WRITE_FAILURES = (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT)
REVIEW_HELP = "The review: its review.db, or the folder holding it.  [default: ./review.db]"


class MetasiftGroup(click.Group):
    """Turns the core's MetasiftError into one line on stderr and exit code 1, and loads each
    command when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return _listed(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        _load(cmd_name)
        return super().get_command(ctx, cmd_name)

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
    _import_sqlite_utils_without_numpy()
    # `kill` (SIGTERM) stops a command the way Ctrl-C does, so it cleans up the same way: an
    # import leaves the review as it was, a harvest keeps every batch landed
    signal.signal(signal.SIGTERM, _interrupt)
    cli()


def _import_sqlite_utils_without_numpy() -> None:
    """sqlite_utils imports numpy when it is installed (0.06-0.1 s, a fifth of `metasift
    status`), only to map numpy scalar types to column types; metasift never writes numpy
    values through it. Import it with numpy hidden, then let numpy be imported as usual
    (pooling, dedup's scoring)."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # None: `import numpy` fails
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


# Each command is loaded when it is asked for, so `metasift status` imports status's code and
# not every feature's (start-up was 0.3 s with all of them). command -> its module in
# screening/cli; extraction's commands come in one go through extraction.cli.register.
SCREENING_COMMANDS = {
    "init": "init",
    "demo": "demo",
    "status": "status",
    "records": "records",
    "import": "imports",
    "import-decisions": "import_decisions",
    "search": "harvest",
    "dedup": "dedup",
    "screen": "screen",
    "sources": "sources",
    "resolve": "resolve",
    "conflicts": "resolve",
    "agreement": "agreement",
    "copy": "merge",
    "merge": "merge",
    "export": "export",
    "vacuum": "vacuum",
    "stop-screening": "stop_screening",
    "simulate": "simulate",
}
_loaded: set[str] = set()


def _load(name: str) -> None:
    """Register the command called name (and what its module brings along)."""
    from extraction.cli import COMMANDS as EXTRACTION_COMMANDS

    if name in SCREENING_COMMANDS:
        _load_module(SCREENING_COMMANDS[name])
    if (name in EXTRACTION_COMMANDS or name == "export") and "extraction" not in _loaded:
        _load_module("export")  # extraction adds `export sheet` to screening's export group
        _loaded.add("extraction")
        import extraction.cli
        from screening.cli.extraction_review import open_for_extraction

        # extraction never imports screening: it is handed screening's way of opening a review
        extraction.cli.register(cli, open_for_extraction)


def _load_module(module: str) -> None:
    import importlib

    if module not in _loaded:
        _loaded.add(module)
        importlib.import_module(f"screening.cli.{module}").register(cli)


def _listed(ctx: click.Context) -> list[str]:
    from extraction.cli import COMMANDS as EXTRACTION_COMMANDS

    return sorted({*SCREENING_COMMANDS, *EXTRACTION_COMMANDS})
