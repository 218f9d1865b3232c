"""The funnel plot as metafor's funnel() draws it: each study's effect against its standard
error (0 at the top), the pooled estimate as a vertical line, and the pseudo 95% confidence
region estimate ± 1.96·SE; under it, Egger's and Begg's tests and whether k allows them.
Ratios are drawn on a log axis. matplotlib is imported when drawing."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from extraction.pooling.analysis import RATIO_MEASURES, Analysis
from extraction.pooling.referees import SmallStudyTests
from extraction.pooling.report import Z975, p_words
from extraction.pooling.small_studies import estimable


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


def draw_funnel(run: Analysis, lines: list[str], target: Path) -> None:
    """Write the funnel plot of run to target (.svg or .png)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    yi, vi = estimable(run)
    se = [math.sqrt(v) for v in vi]
    ratio = run.options.measure in RATIO_MEASURES
    centre = run.pooled.estimate
    with plt.rc_context({"svg.fonttype": "none", "font.size": 8}):
        figure = plt.figure(figsize=(6.5, 5.5))
        ax = figure.add_axes((0.12, 0.3, 0.83, 0.65))
        top = max(se) * 1.1
        edge = [centre - Z975 * top, centre, centre + Z975 * top]
        shown = (lambda xs: [math.exp(x) for x in xs]) if ratio else (lambda xs: list(xs))
        ax.fill(shown(edge), [top, 0, top], color="#f0f0f0", edgecolor="grey", linestyle="--")
        ax.axvline(shown([centre])[0], color="black", linewidth=0.8, gid="pooled")
        ax.plot(shown(yi), se, "o", color="black", markersize=4, gid="studies")
        ax.set_ylim(top, 0)
        if ratio:
            from matplotlib.ticker import FuncFormatter

            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        ax.set_xlabel(_measure_words(run))
        ax.set_ylabel("Standard error")
        for i, line in enumerate(lines):
            figure.text(0.02, 0.17 - 0.045 * i, line, fontsize=7, gid=f"test-{i}")
        figure.savefig(target, dpi=150)
        plt.close(figure)


def _measure_words(run: Analysis) -> str:
    from extraction.pooling.analysis import MEASURE_NAMES

    return MEASURE_NAMES[run.options.measure] + (
        " (log axis)" if run.options.measure in RATIO_MEASURES else ""
    )
