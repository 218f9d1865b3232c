"""One pooling run from studies as read: effect sizes per study, the pooled result by the
chosen method and test, the studies a rule left out, and subgroups if asked for."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from db.errors import MetasiftError
from extraction.pooling import effect_sizes as es
from extraction.pooling.mantel_haenszel import mantel_haenszel
from extraction.pooling.peto import peto
from extraction.pooling.random_effects import fit
from extraction.pooling.result import Pooled, Vector
from extraction.pooling.subgroups import SubgroupTest, subgroup_difference
from extraction.pooling.table import Studies

MEASURE_NAMES = {
    "MD": "mean difference",
    "SMD": "standardised mean difference (Hedges' g)",
    "RR": "risk ratio",
    "OR": "odds ratio",
    "RD": "risk difference",
}
RATIO_MEASURES = ("RR", "OR")


@dataclass(frozen=True)
class Options:
    """continuity None: metafor's default for the method (drop00 only for MH and Peto's Q)."""

    measure: str
    method: str = "REML"
    test: str = "z"
    smd_variant: str = "metafor"
    continuity: es.Continuity | None = None


@dataclass(frozen=True)
class Analysis:
    """yi/vi are None for a study without an effect size of its own (dropped by a rule)."""

    options: Options
    studies: Studies
    yi: tuple[float | None, ...]
    vi: tuple[float | None, ...]
    pooled: Pooled
    effect_words: str
    dropped: tuple[str, ...] = ()
    subgroups: tuple[tuple[str, Analysis], ...] = ()
    subgroup_test: SubgroupTest | None = None


def analyse(studies: Studies, options: Options) -> Analysis:
    """Pool studies; with subgroup labels, also one analysis per level and the test between."""
    check_options(options, studies.kind)
    whole = _pool(studies, options)
    if studies.subgroups is None:
        return whole
    labels = np.array(studies.subgroups, dtype=object)
    parts = []
    for level in dict.fromkeys(studies.subgroups):
        try:
            parts.append((level, _pool(studies.take(np.flatnonzero(labels == level)), options)))
        except MetasiftError as e:
            raise MetasiftError(f"subgroup {level}: {e}") from e
    if len(parts) == 1:  # nothing to compare: RevMan says "not applicable", not P = 1
        note = f"every study is in one subgroup ({parts[0][0]}): no test of subgroup differences"
        return replace(whole, subgroups=tuple(parts), dropped=(*whole.dropped, note))
    test = subgroup_difference([part.pooled for _, part in parts])
    return replace(whole, subgroups=tuple(parts), subgroup_test=test)


def check_options(options: Options, kind: str) -> None:
    """Refuse a method or option that does not fit the measure or the data."""
    measure, method = options.measure, options.method
    if method == "PETO" and measure != "OR":
        raise MetasiftError(f"--method PETO: Peto's method pools odds ratios only, not {measure}")
    if method == "MH" and measure not in ("RR", "OR", "RD"):
        raise MetasiftError(f"--method MH: Mantel-Haenszel pools RR, OR or RD, not {measure}")
    if method in ("MH", "PETO") and kind != "2x2":
        raise MetasiftError(f"--method {method} needs 2x2 counts (ai, n1i, ci, n2i), not yi, vi")
    if method in ("MH", "PETO") and options.test != "z":
        raise MetasiftError(f"--test {options.test}: --method {method} uses the z test only")
    if options.continuity is not None and kind != "2x2":
        raise MetasiftError("--add/--to/--drop00 apply to 2x2 counts only")
    if options.smd_variant != "metafor" and measure != "SMD":
        raise MetasiftError("--smd-variant applies to --measure SMD only")


def _pool(studies: Studies, options: Options) -> Analysis:
    if studies.kind == "2x2":
        return _pool_counts(studies, options)
    yi, vi, words = _effect_sizes(studies, options)
    pooled = fit(yi, vi, options.method, options.test)
    return Analysis(options, studies, tuple(map(float, yi)), tuple(map(float, vi)), pooled, words)


def _effect_sizes(studies: Studies, options: Options) -> tuple[Vector, Vector, str]:
    c = studies.columns
    if studies.kind == "yivi":
        return c["yi"], c["vi"], f"{options.measure} as given (yi, vi)"
    arms = (c["m1i"], c["sd1i"], c["n1i"], c["m2i"], c["sd2i"], c["n2i"])
    if options.measure == "MD":
        yi, vi = es.mean_difference(*arms)
        return yi, vi, "mean difference, variance sd1²/n1 + sd2²/n2"
    if options.smd_variant == "revman":
        yi, vi = es.hedges_g_revman(*arms)
        return yi, vi, "Hedges' g as RevMan 5 computes it (approximate J, N - 3.94)"
    yi, vi = es.hedges_g_metafor(*arms)
    return yi, vi, "Hedges' g as metafor computes it (exact J, large-sample variance)"


def _pool_counts(studies: Studies, options: Options) -> Analysis:
    c = studies.columns
    cells = (c["ai"], c["bi"], c["ci"], c["di"])
    fixed_effect = options.method in ("MH", "PETO")
    rule = options.continuity or es.Continuity(drop00=fixed_effect)
    sizes = es.two_by_two("OR" if options.method == "PETO" else options.measure, cells, rule)
    yi: list[float | None] = [None] * len(studies.names)
    vi: list[float | None] = [None] * len(studies.names)
    for i, y, v in zip(sizes.kept, sizes.yi, sizes.vi, strict=True):
        yi[i], vi[i] = float(y), float(v)
    if options.method == "MH":
        pooled = mantel_haenszel(options.measure, cells, q_rule=rule)
    elif options.method == "PETO":
        pooled = peto(cells, q_rule=rule)
    else:
        _check_finite(studies, sizes)
        pooled = fit(sizes.yi, sizes.vi, options.method, options.test)
    words = _count_words(options, rule, fixed_effect)
    dropped = tuple(f"{studies.where(i)}: {_drop_words(fixed_effect)}" for i in sizes.dropped)
    return Analysis(options, studies, tuple(yi), tuple(vi), pooled, words, dropped)


def _check_finite(studies: Studies, sizes: es.EffectSizes) -> None:
    if not sizes.kept:
        raise MetasiftError(f"{studies.source}: every study has no events in either arm")
    for i, y, v in zip(sizes.kept, sizes.yi, sizes.vi, strict=True):
        if not (np.isfinite(y) and np.isfinite(v) and v > 0):
            raise MetasiftError(
                f"{studies.where(i)}: no usable effect size (a zero cell without continuity "
                "correction, or no variance); use --add and --to"
            )


def _drop_words(fixed_effect: bool) -> str:
    if fixed_effect:
        return "no events (or only events) in both arms: no estimate of its own, left out of Q"
    return "no events (or only events) in both arms: dropped (--drop00)"


def _count_words(options: Options, rule: es.Continuity, fixed_effect: bool) -> str:
    measure = (
        "log odds ratio"
        if options.method == "PETO"
        else {"RR": "log risk ratio", "OR": "log odds ratio", "RD": "risk difference"}[
            options.measure
        ]
    )
    words = f"{measure} per study with {rule.describe()}"
    if fixed_effect:
        words += f"; {options.method} pools the uncorrected counts"
    return words
