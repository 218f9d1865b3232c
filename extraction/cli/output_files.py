"""Output file options, checked before a command changes anything (db.output_files): the
folder exists and is writable, and the file is not one of the review's own. Screening's
commands use the same callback (dependencies point screening -> extraction)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import click

from db.output_files import output_problem

P = TypeVar("P", str, Path)


def writable_file(ctx: click.Context, param: click.Parameter, value: P | None) -> P | None:
    """A click callback for an output file option ('-' is standard output)."""
    problem = None if value is None or str(value) == "-" else output_problem(Path(value))
    if problem:
        raise click.BadParameter(problem, ctx, param)
    return value
