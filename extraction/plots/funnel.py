"""The funnel plot as metafor's funnel() draws it: each study's effect against its standard
error (0 at the top), the pooled estimate as a vertical line, and the pseudo 95% confidence
region estimate ± 1.96·SE; under it, Egger's and Begg's tests and whether k allows them,
then the forest plot's footnote on illustrative values, their studies' points marked with its
dagger. Above it, the caption naming outcome and time point, as on the forest plot. Ratios
are drawn on a log axis. matplotlib is imported when drawing."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from extraction.plots.forest_table import DAGGER, illustrative_footnote
from extraction.pooling.analysis import RATIO_MEASURES, Analysis
from extraction.pooling.referees import SmallStudyTests
from extraction.pooling.report import Z975, p_words
from extraction.pooling.small_studies import estimable_studies

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LINE_INCHES, PLOT_INCHES, AXIS_INCHES, WIDTH_INCHES = 0.25, 3.6, 0.65, 6.5
CAPTION_WIDTH, NOTE_WIDTH = 76, 115  # characters a line holds at its font size


def small_study_lines(
    tests: SmallStudyTests, limit_words: Callable[[float], str] = lambda x: f"{x:.3f}"
) -> list[str]:
    """The tests in words, then whether they are advised at this k."""
    lines = []
    egger, begg = tests.egger, tests.begg
    if egger is not None:
        lines.append(
            f"Egger's regression test: t = {egger.stat:.2f}, df = {egger.df} "
            f"(P {p_words(egger.pval)}); limit estimate {limit_words(egger.limit_estimate)}"
        )
    if begg is not None:
        how = "exact" if begg.exact else "normal approximation"
        lines.append(f"Begg's rank correlation test: Kendall's tau = {begg.tau:.3f} "
                     f"(P {p_words(begg.pval)}, {how})")  # fmt: skip
    if egger is None and begg is None:
        lines.append("Egger's and Begg's tests need at least 3 studies: not computed.")
    lines.append(f"Note: {tests.advice} (Cochrane Handbook 13.3.5.4).")
    return lines


def draw_funnel(
    run: Analysis,
    lines: list[str],
    target: Path,
    illustrative: Collection[str] = (),
    caption: str = "",
) -> None:
    """Write the funnel plot of run to target (.svg or .png), lines under it; illustrative:
    the studies with made-up values (marked, and named in a footnote); caption: what was
    pooled (outcome and time point), above it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    notes = [*lines, *([illustrative_footnote(illustrative)] if illustrative else [])]
    below = [textwrap.wrap(note, NOTE_WIDTH) for note in notes]
    title = textwrap.wrap(caption, CAPTION_WIDTH)
    bottom = 0.15 + LINE_INCHES * sum(len(note) for note in below) + AXIS_INCHES
    height = bottom + PLOT_INCHES + 0.25 + 0.18 * len(title)
    with plt.rc_context({"svg.fonttype": "none", "font.size": 8}):
        figure = plt.figure(figsize=(WIDTH_INCHES, height))
        ax = figure.add_axes((0.12, bottom / height, 0.83, PLOT_INCHES / height))
        _draw_points(ax, run, illustrative)
        if title:
            figure.text(0.02, 1 - 0.12 / height, "\n".join(title), va="top", fontsize=9,
                        weight="bold", gid="caption")  # fmt: skip
        at = bottom - AXIS_INCHES
        for i, note in enumerate(below):
            gid = f"test-{i}" if i < len(lines) else "footnote-0"
            figure.text(0.02, at / height, "\n".join(note), fontsize=7, va="top", gid=gid)
            at -= LINE_INCHES * len(note)
        figure.savefig(target, dpi=150)
        plt.close(figure)


def _draw_points(ax: Axes, run: Analysis, illustrative: Collection[str]) -> None:
    """The pseudo confidence region, the pooled line and each study's point (a dagger beside
    an illustrative one's)."""
    points = [(name, y, math.sqrt(v)) for name, y, v in estimable_studies(run)]
    yi, se = [y for _, y, _ in points], [s for _, _, s in points]
    ratio = run.options.measure in RATIO_MEASURES
    centre = run.pooled.estimate
    top = max(se) * 1.1
    edge = [centre - Z975 * top, centre, centre + Z975 * top]
    shown = (lambda xs: [math.exp(x) for x in xs]) if ratio else (lambda xs: list(xs))
    ax.fill(shown(edge), [top, 0, top], color="#f0f0f0", edgecolor="grey", linestyle="--")
    ax.axvline(shown([centre])[0], color="black", linewidth=0.8, gid="pooled")
    ax.plot(shown(yi), se, "o", color="black", markersize=4, gid="studies")
    for i, (name, y, s) in enumerate(points):
        if name in illustrative:
            ax.annotate(DAGGER, (shown([y])[0], s), xytext=(4, 2), textcoords="offset points",
                        fontsize=9, gid=f"illustrative-{i}")  # fmt: skip
    ax.set_ylim(top, 0)
    if ratio:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.set_xlabel(_measure_words(run))
    ax.set_ylabel("Standard error")


def _measure_words(run: Analysis) -> str:
    from extraction.pooling.analysis import MEASURE_NAMES

    return MEASURE_NAMES[run.options.measure] + (
        " (log axis)" if run.options.measure in RATIO_MEASURES else ""
    )
