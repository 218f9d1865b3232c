"""extraction's commands, added to the `metasift` group by screening.cli (dependencies point
one way: screening -> extraction -> db, so this package never imports screening)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    from extraction.cli import convert, fulltext, studies

    for module in (convert, studies, fulltext):
        module.register(group)
