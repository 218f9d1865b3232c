"""A pooling run as JSON (the keys `metasift pool --json` promises, log scale for ratios) and
as text (a table of studies, the pooled line, heterogeneity, and the method in words, ratio
measures exponentiated)."""

from __future__ import annotations

import math

from extraction.pooling.analysis import MEASURE_NAMES, RATIO_MEASURES, Analysis
from extraction.pooling.choices import RANDOM_METHODS
from extraction.pooling.result import Pooled
from extraction.pooling.subgroups import SubgroupTest

Z975 = 1.959963984540054
# Riley's prediction interval uses t(k-2): none below 3 studies (Cochrane Handbook 10.10.4.3;
# Pooled keeps metafor's reference figures, computed with df 1 there)
RILEY_FROM = 3
JsonValue = float | int | None | list[float | None]


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def pooled_json(pooled: Pooled) -> dict[str, JsonValue]:
    """The keys of the issue, in its order; null where a figure does not apply."""
    ci = pooled.tau2_ci
    return {
        "k": pooled.k,
        "estimate": pooled.estimate,
        "se": pooled.se,
        "ci_lb": pooled.ci_lb,
        "ci_ub": pooled.ci_ub,
        "pval": pooled.pval,
        "tau2": pooled.tau2,
        "tau2_ci_lb": ci.tau2_lb if ci else None,
        "tau2_ci_ub": ci.tau2_ub if ci else None,
        "I2": pooled.i2,
        "I2_from_Q": pooled.i2_from_q,
        "H2": pooled.h2,
        "Q": pooled.q,
        "Q_df": pooled.q_df,
        "Q_pval": pooled.q_pval,
        "pi_lb": pooled.pi_lb,
        "pi_ub": pooled.pi_ub,
        "weights_pct": [_finite(w) for w in pooled.weights_pct],
    }


def analysis_json(run: Analysis) -> dict[str, object]:
    p = run.pooled
    answer: dict[str, object] = {
        k: _finite(v) if isinstance(v, float) else v for k, v in pooled_json(p).items()
    }
    riley = p.k >= RILEY_FROM  # Riley's interval, as the text gives it
    answer["pi_riley_lb"] = _finite(p.pi_riley_lb) if riley and p.pi_riley_lb is not None else None
    answer["pi_riley_ub"] = _finite(p.pi_riley_ub) if riley and p.pi_riley_ub is not None else None
    # what the figures are: a ratio's estimate and intervals are on the log scale
    options = run.options
    answer["measure"], answer["method"], answer["test"] = (
        options.measure,
        p.method,
        options.test,
    )
    answer["scale"] = "log" if options.measure in RATIO_MEASURES else "raw"
    # weights_pct follows the keys; this names each weight's study, with its effect
    # size, in the data's order (a study a rule dropped has nulls)
    answer["studies"] = [
        {"study": name, "yi": _finite(y), "vi": _finite(v), "weight_pct": _finite(w)}
        for name, y, v, w in zip(
            run.studies.names, run.yi, run.vi, weights_by_study(run), strict=True
        )
    ]
    if run.subgroups:
        answer["subgroups"] = {level: analysis_json(part) for level, part in run.subgroups}
        test = run.subgroup_test  # None with one subgroup: nothing to compare
        answer["subgroup_test"] = _test_json(test) if test is not None else None
    return answer


def _test_json(test: SubgroupTest) -> dict[str, float | int]:
    return {"Q": test.q, "df": test.df, "pval": test.pval, "I2": test.i2}


def text(run: Analysis) -> str:
    """The whole report, one study per line, then the pooled result and how it was derived."""
    lines = _study_table(run) + [""] + _pooled_lines(run)
    for level, part in run.subgroups:
        lines += ["", f"Subgroup {level}:"] + _study_table(part) + _pooled_lines(part)
    if run.subgroup_test is not None:
        t = run.subgroup_test
        lines += [
            "",
            f"Test for subgroup differences: Chi² = {t.q:.2f}, df = {t.df} "
            f"(P {p_words(t.pval)}), I² = {t.i2:.1f}%",
        ]
    lines += ["", f"Effect sizes: {run.effect_words}.", f"Method: {run.pooled.derivation}."]
    lines += [f"Note: {note}." for note in (*run.pooled.notes, *run.dropped)]
    return "\n".join(lines)


def shown_scale(run: Analysis, x: float) -> float:
    return math.exp(x) if run.options.measure in RATIO_MEASURES else x


def _study_table(run: Analysis) -> list[str]:
    measure = run.options.measure
    rows = [f"{'study':<28} {measure:>10}  {'95% CI':<22} {'weight':>7}"]
    weights = iter(weights_by_study(run))
    for name, y, v in zip(run.studies.names, run.yi, run.vi, strict=True):
        weight = next(weights)
        shown = f"{weight:6.1f}%" if weight is not None else "      -"
        if y is None or v is None:
            rows.append(f"{name[:28]:<28} {'-':>10}  {'not estimable':<22} {shown}")
            continue
        half = Z975 * math.sqrt(v)
        ci = f"[{shown_scale(run, y - half):.3f}, {shown_scale(run, y + half):.3f}]"
        rows.append(f"{name[:28]:<28} {shown_scale(run, y):>10.3f}  {ci:<22} {shown}")
    return rows


def weights_by_study(run: Analysis) -> list[float | None]:
    """MH and Peto weigh every table; inverse variance only the studies with an estimate."""
    given = list(run.pooled.weights_pct)
    if len(given) == len(run.yi):
        return list(given)
    filled = iter(given)
    return [None if y is None else next(filled) for y in run.yi]


def _pooled_lines(run: Analysis) -> list[str]:
    p, measure = run.pooled, run.options.measure
    log = " (log scale)" if measure in RATIO_MEASURES else ""
    stat = "Z" if p.ddf is None else f"t({p.ddf})"
    lines = [
        f"Pooled {MEASURE_NAMES[measure]}, k = {p.k}: {shown_scale(run, p.estimate):.3f} "
        f"[{shown_scale(run, p.ci_lb):.3f}, {shown_scale(run, p.ci_ub):.3f}]; "
        f"SE{log} = {p.se:.4f}; "
        f"{stat} = {p.stat:.2f} (P {p_words(p.pval)})",
        heterogeneity_line(p),
    ]
    if p.pi_lb is not None and p.pi_ub is not None:
        crit = "z" if p.ddf is None else f"t({p.ddf})"
        lines.append(f"Prediction interval: {_interval(run, p.pi_lb, p.pi_ub)} ({crit}, metafor)")
    if p.pi_riley_lb is not None and p.pi_riley_ub is not None and p.k >= RILEY_FROM:
        riley = _interval(run, p.pi_riley_lb, p.pi_riley_ub)
        lines.append(f"Prediction interval: {riley} (t({p.k - 2}), Riley 2011, Cochrane Handbook)")
    elif p.pi_riley_lb is not None:
        lines.append("Prediction interval (Riley 2011, t(k-2)): needs 3 or more studies")
    return lines


def _interval(run: Analysis, low: float, high: float) -> str:
    return f"[{shown_scale(run, low):.3f}, {shown_scale(run, high):.3f}]"


def heterogeneity_line(p: Pooled) -> str:
    tau2 = ""
    if p.method in RANDOM_METHODS:
        ci = p.tau2_ci
        interval = f" [{ci.tau2_lb:.4g}, {ci.tau2_ub:.4g}]" if ci else ""
        tau2 = f"Tau² = {p.tau2:.4g}{interval}; "
    shown = p.i2_from_q is not None and p.method in RANDOM_METHODS
    from_q = f" (from Q: {p.i2_from_q:.1f}%)" if shown else ""
    return (
        f"Heterogeneity: {tau2}Chi² = {p.q:.2f}, df = {p.q_df} (P {p_words(p.q_pval)}); "
        f"I² = {p.i2:.1f}%{from_q}; H² = {p.h2:.2f}"
    )


def p_words(p: float) -> str:
    return "< 0.0001" if p < 0.0001 else f"= {p:.4f}"
