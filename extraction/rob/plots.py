"""Risk-of-bias plots drawn the way robvis draws them (github mcguinlu/robvis, R/helpers.R and
R/rob_traffic_light.R): a traffic-light plot (a row per study, a circle per domain with its
symbol, the overall column last on light grey) and a summary plot (a 100 % stacked bar per
domain, then Overall), in robvis's Cochrane colours or its colour-blind-safe palette.

Text stays text in the SVG (svg.fonttype none) and each cell and bar carries an id
(cell-ROW-COL, glyph-ROW-COL, bar-DOMAIN-JUDGEMENT), so the drawn figure can be read back.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from extraction.rob.export import PlotTable
from extraction.rob.instrument import Instrument

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# robvis's colours per level, Cochrane and colour-blind palettes
PALETTES = {
    "cochrane": {"low": "#02C100", "concerns": "#E2DF07", "high": "#BF0000",
                 "critical": "#820000", "ni": "#4EA1F7", "na": "#cccccc"},
    "colourblind": {"low": "#fed98e", "concerns": "#fe9929", "high": "#d95f0e",
                    "critical": "#993404", "ni": "#ffffff", "na": "#cccccc"},
}  # fmt: skip
GLYPHS = {"low": "+", "concerns": "-", "high": "x", "critical": "!", "ni": "?", "na": ""}
LEVELS = {"low": "low", "some_concerns": "concerns", "moderate": "concerns", "high": "high",
          "serious": "high", "critical": "critical", "very_high": "critical",
          "no_information": "ni", "not_applicable": "na"}  # fmt: skip
OVERALL_BACKGROUND = "#d3d3d3"
PSIZE = 10  # robvis's default point size


def level(instrument: Instrument, judgement: str) -> str:
    """robvis's level for a judgement; an instrument's own names go best to worst by rank."""
    if judgement in LEVELS:
        return LEVELS[judgement]
    rank = instrument.judgements.index(judgement)
    worst = len(instrument.judgements) - 1
    return "low" if rank == 0 else "high" if rank == worst else "concerns"


def draw(table: PlotTable, kind: str, palette: str, path: Path, *, weighted: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display
    import matplotlib.pyplot as plt

    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "metasift", "font.size": 9}):
        fig = traffic_light(table, palette) if kind == "traffic-light" else summary(
            table, palette, weighted=weighted
        )  # fmt: skip
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata=_metadata(path))
        plt.close(fig)


def _metadata(path: Path) -> dict[str, str | None]:
    """No date in the file: the same judgements draw the same bytes."""
    if path.suffix.lower() == ".svg":
        return {"Date": None}
    return {}


def traffic_light(table: PlotTable, palette: str) -> Figure:
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Rectangle

    colours, rows = PALETTES[palette], len(table.studies)
    columns = [*table.domains, "Overall"]
    longest = max((len(s) for s in table.studies), default=0)
    width = 6 + (0.05 * longest if longest > 8 else 0)
    base = 2.0 if table.instrument.robvis.upper().startswith("ROB2") else 2.5
    fig, ax = plt.subplots(figsize=(width, base + 0.04 * PSIZE * rows))
    ax.add_patch(Rectangle((len(columns) - 1.5, -0.5), 1, rows, color=OVERALL_BACKGROUND, zorder=0))
    for r, judgements in enumerate(table.judgements):
        for c, judgement in enumerate([*judgements, table.overall[r]]):
            lvl = level(table.instrument, judgement)
            ax.add_patch(Circle((c, r), 0.36, facecolor=colours[lvl], edgecolor="black",
                                linewidth=0.8, gid=f"cell-{r}-{c}", zorder=2))  # fmt: skip
            ax.text(c, r, GLYPHS[lvl], ha="center", va="center", fontsize=11,
                    fontweight="bold", gid=f"glyph-{r}-{c}", zorder=3)  # fmt: skip
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(len(columns)), columns)
    ax.xaxis.tick_top()
    ax.set_yticks(range(rows), table.studies)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    inch = 1 / fig.get_figheight()  # figure units per inch: legend and caption sit below
    _legend(fig, table.instrument, colours, used=_used(table), below=0.1 * inch)
    names = {d: table.instrument.domain(d).name for d in table.domains}
    caption = "\n".join(f"{d}: {names[d]}." for d in table.domains)
    fig.text(0.02, -0.75 * inch, caption, ha="left", va="top", fontsize=7)
    return fig


def summary(table: PlotTable, palette: str, *, weighted: bool) -> Figure:
    import matplotlib.pyplot as plt

    colours = PALETTES[palette]
    rows = [*table.domains, "Overall"]
    columns = [*zip(*table.judgements, strict=True), tuple(table.overall)]
    weights = table.weights if weighted else [1.0] * len(table.studies)
    total = sum(weights)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.2))
    for y, (domain, judged) in enumerate(zip(rows, columns, strict=True)):
        left = 0.0
        for judgement in table.instrument.judgements:
            share = 100 * sum(w for j, w in zip(judged, weights, strict=True) if j == judgement)
            share /= total
            if share == 0:
                continue
            lvl = level(table.instrument, judgement)
            ax.barh(y, share, left=left, height=0.7, color=colours[lvl], edgecolor="black",
                    linewidth=0.6, gid=f"bar-{domain}-{judgement}")  # fmt: skip
            left += share
    ax.set_yticks(range(len(rows)), rows)
    ax.get_yticklabels()[-1].set_fontweight("bold")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 25), [f"{x}%" for x in range(0, 101, 25)])
    _legend(fig, table.instrument, colours, used=_used(table), below=0.0, reverse=True)
    if weighted and table.weighting:
        inch = 1 / fig.get_figheight()  # figure units per inch: the words sit under the legend
        words = textwrap.fill(f"Bars weighted by {table.weighting}.", 110)
        fig.text(0.5, -0.7 * inch, words, ha="center", va="top", fontsize=7, gid="weighting")
    return fig


def _used(table: PlotTable) -> list[str]:
    seen = {j for row in table.judgements for j in row} | set(table.overall)
    return [j for j in table.instrument.judgements if j in seen]


def _legend(
    fig: Figure,
    instrument: Instrument,
    colours: dict[str, str],
    *,
    used: list[str],
    below: float,
    reverse: bool = False,
) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=PSIZE, markeredgecolor="black",
               markerfacecolor=colours[level(instrument, j)],
               label=f"{GLYPHS[level(instrument, j)]}  {instrument.label(j)}")
        for j in used
    ]  # fmt: skip
    if reverse:
        handles.reverse()
    fig.legend(handles=handles, loc="upper center", ncol=max(1, len(handles)),
               bbox_to_anchor=(0.5, below), frameon=False, title="Judgement")  # fmt: skip
