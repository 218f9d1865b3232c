"""The PRISMA 2020 flow diagram ("new reviews, databases and registers only"), drawn with
matplotlib: the boxes, side boxes and arrows of the official template, filled in with the
counts. Text stays text in the SVG (svg.fonttype none), so a reader can search it and tests
read the figures back. matplotlib is imported here, by the command that draws, never at start.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from extraction.prisma.counts import PrismaCounts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Rectangle

WIDTH, LINE, PAD, GAP = 8.9, 0.19, 0.14, 0.32  # inches: figure width, text line, margins
STAGE_X, MAIN_X, MAIN_W, SIDE_X, SIDE_W = 0.1, 0.7, 3.4, 4.6, 4.15
FONT: dict[str, Any] = {"family": "DejaVu Sans", "size": 9}
INDENT = "\u00a0\u00a0"  # no-break spaces: an SVG viewer collapses leading plain ones
STAGE_COLOUR, EDGE = "#a9c6e8", "#1f1f1f"


class Row(NamedTuple):
    stage: str
    main: list[str]
    side: list[str]  # empty: no side box


def n(value: int) -> str:
    return f"(n = {value:,})"


def _wrapped(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent * 2)


def diagram_rows(c: PrismaCounts) -> list[Row]:
    """The boxes' text, row by row, as the PRISMA 2020 template words them."""
    identified = ["Records identified from:", f"Databases {n(c.database_results)}"]
    for database, count in c.databases:
        identified += _wrapped(f"{database} {n(count)}", 40, INDENT)
    removed = ["Records removed before screening:"]
    for what, count in (
        ("Duplicate records removed", c.duplicates),
        ("Records marked as ineligible by automation tools", c.excluded_automatic),
        ("Records removed for other reasons", c.excluded_other),
    ):
        removed += _wrapped(f"{what} {n(count)}", 58, INDENT)
    reasons = ["Reports excluded:"]
    for reason, count in c.reasons:
        reasons += _wrapped(f"{reason} {n(count)}", 58, INDENT)
    return [
        Row("Identification", identified, removed),
        Row("Screening", ["Records screened", n(c.records_screened)],
            ["Records excluded", n(c.records_excluded)]),
        Row("Screening", ["Reports sought for retrieval", n(c.sought)],
            ["Reports not retrieved", n(c.not_retrieved)]),
        Row("Screening", ["Reports assessed for eligibility", n(c.assessed)],
            reasons if c.reasons else ["Reports excluded", n(0)]),
        Row("Included", ["Studies included in review", n(c.new_studies),
                         "Reports of included studies", n(c.new_reports)], []),
    ]  # fmt: skip


def draw_diagram(c: PrismaCounts, paths: list[Path]) -> None:
    """Draw the diagram once and save it to each path (.svg or .png, by suffix)."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed, and none wanted
    from matplotlib.figure import Figure

    rows = diagram_rows(c)
    heights = [max(len(r.main), len(r.side)) * LINE + 2 * PAD for r in rows]
    total = sum(heights) + GAP * (len(rows) - 1) + 2 * GAP
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "metasift"}):
        fig = Figure(figsize=(WIDTH, total))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(total, 0)  # y grows downwards, as the diagram is read
        ax.axis("off")
        tops = _draw_rows(ax, rows, heights)
        _draw_stages(ax, rows, tops, heights)
        for path in paths:
            fig.savefig(path, format=path.suffix.lstrip(".").lower(), dpi=200)


def _draw_rows(ax: Axes, rows: list[Row], heights: list[float]) -> list[float]:
    tops, y = [], GAP
    for i, (row, height) in enumerate(zip(rows, heights, strict=True)):
        tops.append(y)
        _box(ax, MAIN_X, y, MAIN_W, height, row.main, centred=True)
        if row.side:
            _box(ax, SIDE_X, y, SIDE_W, height, row.side, centred=False)
            _arrow(ax, (MAIN_X + MAIN_W, y + height / 2), (SIDE_X, y + height / 2))
        if i + 1 < len(rows):
            middle = MAIN_X + MAIN_W / 2
            _arrow(ax, (middle, y + height), (middle, y + height + GAP))
        y += height + GAP
    return tops


def _draw_stages(ax: Axes, rows: list[Row], tops: list[float], heights: list[float]) -> None:
    """The blue bars naming the stage beside its rows."""
    start = 0
    while start < len(rows):
        end = start
        while end + 1 < len(rows) and rows[end + 1].stage == rows[start].stage:
            end += 1
        top, bottom = tops[start], tops[end] + heights[end]
        ax.add_patch(_rectangle(STAGE_X, top, 0.4, bottom - top, STAGE_COLOUR))
        ax.text(STAGE_X + 0.2, (top + bottom) / 2, rows[start].stage, rotation=90,
                ha="center", va="center", fontweight="bold", **FONT)  # fmt: skip
        start = end + 1


def _box(ax: Axes, x: float, y: float, w: float, h: float, lines: list[str], centred: bool) -> None:
    ax.add_patch(_rectangle(x, y, w, h, "white"))
    left = x + w / 2 if centred else x + PAD
    ax.text(left, y + h / 2, "\n".join(lines), ha="center" if centred else "left",
            va="center", multialignment="center" if centred else "left",
            linespacing=1.45, **FONT)  # fmt: skip


def _rectangle(x: float, y: float, w: float, h: float, colour: str) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor=EDGE, linewidth=0.8)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": EDGE, "lw": 0.8})  # fmt: skip
