"""extraction's commands, added to the `metasift` group by screening.cli (dependencies point
one way: screening -> extraction -> db, so this package never imports screening)."""

from __future__ import annotations

import click

from extraction.cli.context import ReviewOpener

# the commands register() adds (and `sheet` under screening's `export`), named here so the
# root group can list them without importing them
COMMANDS = (
    "analyse", "convert", "extract", "fulltext", "pool", "prisma", "rob", "studies",
)  # fmt: skip


def register(group: click.Group, opener: ReviewOpener) -> None:
    """Add extraction's commands; opener opens a review for them (screening's, handed in)."""
    from extraction.cli import (
        analyse,
        convert,
        extract,
        fulltext,
        pool,
        prisma,
        rob,
        sheet,
        studies,
    )

    convert.register(group)
    extract.register(group, opener)
    sheet.register(group, opener)
    studies.register(group, opener)
    fulltext.register(group, opener)
    rob.register(group, opener)
    pool.register(group)
    analyse.register(group, opener)
    prisma.register(group, opener)
