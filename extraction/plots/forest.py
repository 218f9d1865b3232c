"""The forest plot in RevMan's layout, drawn with matplotlib (imported when drawing): study
rows with their raw numbers, weights and estimates with 95% CIs as text on the left; squares
sized by weight (area in proportion) with CI whiskers on the right; the diamond; the
heterogeneity and overall-effect lines; the method and any footnotes (the illustrative
studies) under the plot; above it, the caption naming what was pooled.

Text stays text in the SVG (svg.fonttype none) and each row's marks carry ids (label-N,
effect-N, weight-N, square-N, diamond-N), so the drawn values can be read back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from extraction.plots.forest_table import Forest, ForestRow
from extraction.plots.terminal import axis_range

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ROW_INCHES = 0.26
WIDTH_INCHES = 13.0
LABEL_X, LAST_NUMBER_X, NUMBER_STEP = 0.01, 0.50, 0.045
WEIGHT_X, EFFECT_X = 0.555, 0.57
PLOT_LEFT, PLOT_WIDTH = 0.73, 0.25
FOOTNOTE_INCHES = 0.18
BIGGEST_SQUARE = 13.0  # points, for the heaviest study


def draw_forest(forest: Forest, target: Path) -> None:
    """Write the plot to target (.svg or .png, by its suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with plt.rc_context({"svg.fonttype": "none", "font.size": 8}):
        figure = forest_figure(forest)
        figure.savefig(target, dpi=150)
        plt.close(figure)


def forest_figure(forest: Forest) -> Figure:
    from matplotlib import pyplot as plt
    from matplotlib.transforms import blended_transform_factory

    n = len(forest.rows)
    below = FOOTNOTE_INCHES * len(forest.footnotes)
    height = (n + 3) * ROW_INCHES + 1.1 + below
    figure = plt.figure(figsize=(WIDTH_INCHES, height))
    bottom = (0.75 + below) / height
    ax = figure.add_axes((PLOT_LEFT, bottom, PLOT_WIDTH, (n + 2.6) * ROW_INCHES / height))
    ax.set_ylim(0.4, n + 3.0)
    rows_at = blended_transform_factory(figure.transFigure, ax.transData)
    _headings(figure, forest, n, rows_at)
    heaviest = max((r.weight or 0.0 for r in forest.rows if r.kind == "study"), default=1.0)
    for i, row in enumerate(forest.rows):
        y = n - i
        _row_text(figure, row, i, y, rows_at)
        _row_marks(ax, row, i, y, heaviest or 1.0)
    _axis(ax, forest, n)
    if forest.caption:
        figure.text(LABEL_X, 1 - 0.12 / height, forest.caption, va="top", fontsize=9,
                    weight="bold", gid="caption")  # fmt: skip
    figure.text(LABEL_X, 0.15 / height, f"Method: {forest.method}.", fontsize=7, gid="method")
    for k, note in enumerate(forest.footnotes):
        at = (0.15 + FOOTNOTE_INCHES * (len(forest.footnotes) - k)) / height
        figure.text(LABEL_X, at, note, fontsize=7, gid=f"footnote-{k}")
    return figure


def _headings(figure: Figure, forest: Forest, n: int, at: Any) -> None:
    top = n + 1.2
    figure.text(LABEL_X, top, "Study or Subgroup", transform=at, weight="bold")
    half = len(forest.headings) // 2
    for i, heading in enumerate(forest.headings):
        figure.text(
            _number_x(i, len(forest.headings)),
            top,
            heading,
            transform=at,
            ha="right",
            weight="bold",
        )
    if half:
        for side, name in enumerate(("Experimental", "Control")):
            count = len(forest.headings)
            ends = _number_x(side * half, count) + _number_x(side * half + half - 1, count)
            centre = ends / 2 - 0.015
            figure.text(centre, top + 0.9, name, transform=at, ha="center", weight="bold")
    figure.text(WEIGHT_X, top, "Weight", transform=at, ha="right", weight="bold")
    figure.text(EFFECT_X, top + 0.9, forest.title.split(",")[0], transform=at, weight="bold")
    method = forest.title.split(", ", 1)[1]
    figure.text(EFFECT_X, top, method, transform=at, weight="bold")
    figure.text(PLOT_LEFT + PLOT_WIDTH / 2, top + 0.9, forest.title.split(",")[0],
                transform=at, ha="center", weight="bold")  # fmt: skip
    figure.text(PLOT_LEFT + PLOT_WIDTH / 2, top, method, transform=at, ha="center", weight="bold")


def _number_x(column: int, count: int) -> float:
    """Numbers right-aligned in columns that end just before the weight."""
    return LAST_NUMBER_X - NUMBER_STEP * (count - 1 - column)


def _row_text(figure: Figure, row: ForestRow, i: int, y: float, at: Any) -> None:
    bold = "bold" if row.kind in ("heading", "total") else "normal"
    size = 7 if row.kind == "text" else 8
    figure.text(LABEL_X, y, row.label, transform=at, va="center", weight=bold, fontsize=size,
                gid=f"label-{i}")  # fmt: skip
    for column, number in enumerate(row.numbers):
        figure.text(
            _number_x(column, len(row.numbers)),
            y,
            number,
            transform=at,
            va="center",
            ha="right",
            weight=bold,
            gid=f"number-{i}-{column}",
        )
    if row.weight_text:
        figure.text(WEIGHT_X, y, row.weight_text, transform=at, va="center", ha="right",
                    weight=bold, gid=f"weight-{i}")  # fmt: skip
    if row.effect_text:
        figure.text(EFFECT_X, y, row.effect_text, transform=at, va="center", weight=bold,
                    gid=f"effect-{i}")  # fmt: skip


def _row_marks(ax: Axes, row: ForestRow, i: int, y: float, heaviest: float) -> None:
    from matplotlib.patches import Polygon

    if row.estimate is None or row.low is None or row.high is None:
        return
    if row.kind == "study":
        ax.plot([row.low, row.high], [y, y], color="black", linewidth=0.8, gid=f"ci-{i}")
        size = BIGGEST_SQUARE * ((row.weight or 0.0) / heaviest) ** 0.5
        ax.plot([row.estimate], [y], marker="s", markersize=max(size, 2.0), color="#1f5fa8",
                linestyle="none", gid=f"square-{i}")  # fmt: skip
    elif row.kind == "total":
        corners = [(row.low, y), (row.estimate, y + 0.35), (row.high, y), (row.estimate, y - 0.35)]
        ax.add_patch(Polygon(corners, closed=True, color="black", gid=f"diamond-{i}"))


def _axis(ax: Axes, forest: Forest, n: int) -> None:
    import math

    from matplotlib.ticker import FuncFormatter

    low, high = axis_range(forest)
    if forest.log_scale:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        low, high = math.exp(low), math.exp(high)
    ax.set_xlim(low, high)
    ax.plot([forest.null] * 2, [0.4, n + 0.5], color="black", linewidth=0.8, gid="null")
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    for x, words, align in ((0.02, "lower in experimental", "left"),
                            (0.98, "higher in experimental", "right")):  # fmt: skip
        ax.annotate(words, (x, 0), xycoords="axes fraction", xytext=(0, -26),
                    textcoords="offset points", fontsize=7, ha=align)  # fmt: skip
