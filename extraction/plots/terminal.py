"""A compact forest plot as text, for the terminal: a line per study (label, a bar with the
CI as ─ and the estimate as ■, the estimate with its CI, the weight), the pooled diamond as
◆ across its CI, and the line of no effect as │. Ratios are drawn on a log axis."""

from __future__ import annotations

import math
from collections.abc import Callable

from extraction.plots.forest_table import DAGGER, Forest, ForestRow

LABEL_WIDTH = 22
BAR_WIDTH = 31


def axis_range(forest: Forest) -> tuple[float, float]:
    """Both plots' x range on the drawing scale (log for ratios): symmetric about the line
    of no effect, wide enough for every interval."""
    null = _scale(forest, forest.null)
    ends = [
        _scale(forest, x)
        for row in forest.rows
        for x in (row.low, row.high)
        if x is not None and (not forest.log_scale or x > 0) and math.isfinite(x)
    ]
    span = max((abs(x - null) for x in ends), default=1.0) * 1.05 or 1.0
    return null - span, null + span


def _scale(forest: Forest, x: float) -> float:
    return math.log(x) if forest.log_scale else x


def terminal_forest(forest: Forest) -> str:
    """The plot as lines of text, under a title naming the measure and the method."""
    low, high = axis_range(forest)

    def column(x: float) -> int:
        at = (_scale(forest, x) - low) / (high - low) * (BAR_WIDTH - 1)
        return min(BAR_WIDTH - 1, max(0, round(at)))

    null_at = column(forest.null)
    lines = [f"{'':<{LABEL_WIDTH}} {forest.title}"]
    for row in forest.rows:
        if row.kind == "text":
            lines.append(f"  {row.label}")
            continue
        if row.kind == "heading":
            lines.append(row.label[: LABEL_WIDTH + BAR_WIDTH])
            continue
        bar = _bar(row, column, null_at)
        lines.append(f"{_fitted(row.label):<{LABEL_WIDTH}} {bar} "
                     f"{row.effect_text:<22} {row.weight_text:>6}")  # fmt: skip
    lines.append(_axis(forest, low, high, null_at))
    lines.append(f"Method: {forest.method}.")
    lines += forest.footnotes
    return "\n".join(lines)


def _fitted(label: str) -> str:
    """The label cut to its column, keeping a closing dagger (an illustrative study)."""
    if len(label) <= LABEL_WIDTH or not label.endswith(DAGGER):
        return label[:LABEL_WIDTH]
    return f"{label[: LABEL_WIDTH - 2]} {DAGGER}"


def _bar(row: ForestRow, column: Callable[[float], int], null_at: int) -> str:
    cells = [" "] * BAR_WIDTH
    cells[null_at] = "│"
    if row.estimate is None or row.low is None or row.high is None:
        return "".join(cells)
    start, end, at = column(row.low), column(row.high), column(row.estimate)
    mark = "◆" if row.kind == "total" else "─"
    for i in range(start, end + 1):
        cells[i] = mark
    if row.kind == "study":
        cells[at] = "■"
    if cells[null_at] == "─":  # a CI across no effect: the line stays visible through it
        cells[null_at] = "┼"
    return "".join(cells)


def _axis(forest: Forest, low: float, high: float, null_at: int) -> str:
    """The axis under the bars: its two ends and the line of no effect, on the shown scale."""
    shown = [math.exp(x) if forest.log_scale else x for x in (low, high)]
    left, right = f"{shown[0]:.3g}", f"{shown[1]:.3g}"
    null = f"{forest.null:g}"
    line = [" "] * BAR_WIDTH
    for i, ch in enumerate(left):
        line[i] = ch
    for i, ch in enumerate(right):
        line[BAR_WIDTH - len(right) + i] = ch
    start = max(
        len(left) + 1, min(null_at - len(null) // 2, BAR_WIDTH - len(right) - 1 - len(null))
    )
    for i, ch in enumerate(null):
        line[start + i] = ch
    return f"{'':<{LABEL_WIDTH}} {''.join(line)}"
