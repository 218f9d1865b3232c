"""The PRISMA 2020 flow diagram ("new reviews, databases and registers only"), drawn with
matplotlib: the boxes, side boxes and arrows of the official template, filled in with the
counts. Text stays text in the SVG (svg.fonttype none), so a reader can search it and tests
read the figures back; each line is its own text, an indented one moved right (SVG renderers
drop leading spaces, even no-break ones). While the checks fail (counts.arithmetic_checks), a
banner above the boxes says the diagram is provisional and why. matplotlib is imported here,
by the command that draws, never at start.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from db.plurals import counted
from extraction.prisma.counts import FINAL_CHECK, Check, PrismaCounts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Rectangle

WIDTH, LINE, PAD, GAP = 8.9, 0.19, 0.14, 0.32  # inches: figure width, text line, margins
STAGE_X, MAIN_X, MAIN_W, SIDE_X, SIDE_W = 0.1, 0.7, 3.4, 4.6, 4.15
FONT: dict[str, Any] = {"family": "DejaVu Sans", "size": 9}
INDENT, INDENT_INCHES = "  ", 0.16  # a line's leading pairs of spaces: drawn as x offsets
STAGE_COLOUR, EDGE = "#a9c6e8", "#1f1f1f"
WARNING_COLOUR, WARNING_EDGE = "#fde3e1", "#a3190f"


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


def provisional_lines(c: PrismaCounts, failed: Sequence[Check]) -> list[str]:
    """The banner of a diagram whose checks fail: what has no outcome yet, then each failed
    sum with its figures. Empty when every check holds."""
    if not failed:
        return []
    waiting = [f"{counted(n, what)} with no {stage} outcome yet" for n, what, stage in (
        (c.records_unsettled, "record", "title/abstract"),
        (c.reports_unsettled, "report", "full-text")) if n]  # fmt: skip
    sums = [check for check in failed if check.name != FINAL_CHECK]
    said = [*waiting, "counts do not add up yet"] if sums else waiting
    lines = [f"Provisional: {'; '.join(said or ['a check fails'])}."]
    for check in sums:
        lines += textwrap.wrap(f"Check fails: {check.name}: {check.detail}", 125,
                               subsequent_indent=INDENT)  # fmt: skip
    return lines


def draw_diagram(c: PrismaCounts, paths: list[Path], failed: Sequence[Check] = ()) -> None:
    """Draw the diagram once and save it to each path (.svg or .png, by suffix); failed:
    the checks that fail (a banner says the diagram is provisional)."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed, and none wanted
    from matplotlib.figure import Figure

    rows = diagram_rows(c)
    banner = provisional_lines(c, failed)
    heights = [max(len(r.main), len(r.side)) * LINE + 2 * PAD for r in rows]
    above = len(banner) * LINE + 2 * PAD + GAP if banner else 0.0
    total = above + sum(heights) + GAP * (len(rows) - 1) + 2 * GAP
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "metasift"}):
        fig = Figure(figsize=(WIDTH, total))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(total, 0)  # y grows downwards, as the diagram is read
        ax.axis("off")
        if banner:
            _banner(ax, banner, above - GAP)
        tops = _draw_rows(ax, rows, heights, GAP + above)
        _draw_stages(ax, rows, tops, heights)
        for path in paths:
            fig.savefig(path, format=path.suffix.lstrip(".").lower(), dpi=200)


def _banner(ax: Axes, lines: list[str], height: float) -> None:
    """The provisional diagram's warning, across the top."""
    width = SIDE_X + SIDE_W - STAGE_X
    ax.add_patch(_rectangle(STAGE_X, GAP, width, height, WARNING_COLOUR, WARNING_EDGE))
    for i, (x, line) in enumerate(_placed(lines, STAGE_X + PAD)):
        ax.text(x, _line_y(GAP, height, len(lines), i), line, ha="left", va="center_baseline",
                color=WARNING_EDGE, fontweight="bold" if i == 0 else "normal",
                gid=f"provisional-{i}", **FONT)  # fmt: skip


def _draw_rows(ax: Axes, rows: list[Row], heights: list[float], top: float) -> list[float]:
    tops, y = [], top
    for i, (row, height) in enumerate(zip(rows, heights, strict=True)):
        tops.append(y)
        listing = any(line.startswith(INDENT) for line in row.main)  # a list reads left-aligned
        _box(ax, MAIN_X, y, MAIN_W, height, row.main, centred=not listing)
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
    for i, (at, line) in enumerate(_placed(lines, x + w / 2 if centred else x + PAD)):
        ax.text(at, _line_y(y, h, len(lines), i), line, ha="center" if centred else "left",
                va="center_baseline", **FONT)  # fmt: skip


def _placed(lines: list[str], x: float) -> list[tuple[float, str]]:
    """Each line without its leading indent, at x moved right by that indent."""
    placed = []
    for line in lines:
        text = line.lstrip(" ")
        depth = (len(line) - len(text)) // len(INDENT)
        placed.append((x + depth * INDENT_INCHES, text))
    return placed


def _line_y(top: float, height: float, count: int, i: int) -> float:
    """The i-th of count lines, centred as a block in a box of that height."""
    return top + height / 2 + (i - (count - 1) / 2) * LINE


def _rectangle(x: float, y: float, w: float, h: float, colour: str, edge: str = EDGE) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor=edge, linewidth=0.8)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": EDGE, "lw": 0.8})  # fmt: skip
