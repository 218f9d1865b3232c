"""A DataTable filled with columns of given widths: a column of width 0 is left out, and a
cell longer than its column ends in "…" (the screens show the highlighted row whole below)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable


def fill_table(
    table: DataTable[Text],
    names: Sequence[str],
    rows: Sequence[Sequence[Text]],
    widths: Sequence[int],
) -> None:
    table.clear(columns=True)
    for name, width in zip(names, widths, strict=True):
        if width:
            table.add_column(name, width=width)
    for cells in rows:
        for cell, width in zip(cells, widths, strict=True):
            cell.truncate(width, overflow="ellipsis")
        table.add_row(*(cell for cell, width in zip(cells, widths, strict=True) if width))
