"""An arm's outcome as the paper reports it, checked as it is typed, and what pooling uses.

A reported value is a small JSON object: ``as`` names the layout, the other keys its numbers.

    mean-sd           mean, sd, n
    mean-se           mean, se, n
    mean-ci           ci_low, ci_high, n, optional mean and level (default 0.95)
    median-iqr        median, q1, q3, n
    median-range      median, min, max, n
    median-iqr-range  median, q1, q3, min, max, n
    mean-imputed-sd   mean, n, sd, sd_source: the paper gives no SD; the reviewer chose to
                      impute one, from the named source (another study, a baseline, a
                      pooled SD); flagged in every export
    events            events, total (dichotomous outcomes)

Any layout may add ``illustrative``: text saying which numbers are made up (not from any
report) and why, as a worked example or a teaching review does. Such a value is pooled like
any other, but every output made from it names its study as illustrative (the outcomes
sheet's illustrative column, the metafor sheet's, analyse's and pool's footnotes and JSON,
the forest plot's dagger); unlike an imputed SD, it is not a reviewer's estimate.

and ``measure``: "final" (the value at the time point, the default) or "change" (change from
baseline), which are kept apart and labelled, never pooled together.

Checks (each names the number at fault): every number finite (not NaN or infinite); n and
total positive whole numbers; SD and SE not negative; min <= q1 <= median <= q3 <= max; a
CI's low bound below its high bound; events a whole number from 0 to total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from extraction.conversions.derived import MAX_N, ConversionError, Derived
from extraction.conversions.medians import from_median
from extraction.conversions.spread import from_ci, from_se

LAYOUTS: dict[str, tuple[str, ...]] = {
    "mean-sd": ("mean", "sd", "n"),
    "mean-se": ("mean", "se", "n"),
    "mean-ci": ("ci_low", "ci_high", "n"),
    "median-iqr": ("median", "q1", "q3", "n"),
    "median-range": ("median", "min", "max", "n"),
    "median-iqr-range": ("median", "q1", "q3", "min", "max", "n"),
    "mean-imputed-sd": ("mean", "sd", "n", "sd_source"),
    "events": ("events", "total"),
}
OPTIONAL = {"mean-ci": ("mean", "level")}
TEXT_KEYS = ("sd_source", "illustrative")  # text, not numbers
MEASURES = ("final", "change")
COUNTS = ("n", "total", "events")


@dataclass(frozen=True)
class Problem:
    field: str  # the number at fault ("q1", "sd"...), or "as"
    message: str


@dataclass(frozen=True)
class Dichotomous:
    events: int
    total: int
    method: str = "as reported"


def problems(reported: dict[str, Any]) -> list[Problem]:
    """Everything wrong with a reported value; empty when it can be stored."""
    layout = reported.get("as")
    if layout not in LAYOUTS:
        return [Problem("as", f"unknown layout {layout!r} ({', '.join(LAYOUTS)})")]
    found = _shape(reported, layout)
    if found:
        return found
    if reported.get("measure", "final") not in MEASURES:
        return [Problem("measure", "must be final or change (from baseline)")]
    if layout == "events":
        return _events(reported)
    try:
        derive(reported)
    except ConversionError as e:
        return [Problem(e.field, str(e))]
    return []


def _shape(reported: dict[str, Any], layout: str) -> list[Problem]:
    wanted, optional = LAYOUTS[layout], (*OPTIONAL.get(layout, ()), "illustrative")
    out = [Problem(k, f"{layout} needs {k}") for k in wanted if reported.get(k) is None]
    allowed = {"as", "measure", *wanted, *optional}
    out += [Problem(k, f"{layout} has no {k}") for k in reported if k not in allowed]
    for key in (*wanted, *optional):
        value = reported.get(key)
        if key in TEXT_KEYS:
            if value is not None and (not isinstance(value, str) or not value.strip()):
                why = {"sd_source": "name where the imputed SD comes from",
                       "illustrative": "say which numbers are made up, and why"}[key]  # fmt: skip
                out.append(Problem(key, why))
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            out.append(Problem(key, f"{key} must be a number"))
        elif value is not None and not math.isfinite(value):  # JSON cannot hold NaN or inf
            out.append(Problem(key, f"{key} must be a finite number, not {value}"))
        elif key in COUNTS and value is not None:
            out += _count_problems(key, value)
    return out


def _count_problems(key: str, value: float) -> list[Problem]:
    if value < 0:
        return [Problem(key, f"{key} cannot be negative (got {value:g})")]
    if value > MAX_N:  # a slip: no group comes near, and floats lose whole numbers past it
        return [Problem(key, f"{key} must be at most {MAX_N} (2^53, beyond any real group)")]
    if value != int(value):
        return [Problem(key, f"{key} must be a whole number")]
    return []


def _events(reported: dict[str, Any]) -> list[Problem]:
    events, total = reported["events"], reported["total"]
    if total < 1:
        return [Problem("total", "total must be at least 1")]
    if events > total:
        return [Problem("events", f"events ({events:g}) cannot exceed the total ({total:g})")]
    return []


def derive(reported: dict[str, Any], factor: float = 1.0) -> Derived | Dichotomous:
    """What pooling uses, in the outcome's unit (values times factor; counts unchanged)."""
    layout, r = reported["as"], reported
    if layout == "events":
        return Dichotomous(int(r["events"]), int(r["total"]))
    n = int(r["n"])
    if n < 1:
        raise ConversionError("n", "n must be at least 1")
    if layout == "mean-sd":
        if r["sd"] < 0:
            raise ConversionError("sd", f"an SD cannot be negative (got {r['sd']:g})")
        found = Derived(r["mean"], r["sd"], n, "as reported")
    elif layout == "mean-imputed-sd":
        if r["sd"] < 0:
            raise ConversionError("sd", f"an SD cannot be negative (got {r['sd']:g})")
        found = Derived(r["mean"], r["sd"], n, f"SD imputed from {r['sd_source']}")
    elif layout == "mean-se":
        found = from_se(n, r["mean"], r["se"])
    elif layout == "mean-ci":
        found = from_ci(n, r.get("mean"), r["ci_low"], r["ci_high"], level=r.get("level", 0.95))
    else:
        found = from_median(
            n, r["median"], q1=r.get("q1"), q3=r.get("q3"), low=r.get("min"), high=r.get("max")
        )
    return _scaled(found, factor)


def _scaled(found: Derived, factor: float) -> Derived:
    if factor == 1.0:
        return found
    method = f"{found.method}; converted to the outcome's unit (x{factor:g})"
    return Derived(found.mean * factor, found.sd * factor, found.n, method, found.warning)


def imputed(reported: dict[str, Any]) -> bool:
    """Whether the SD is the reviewer's imputation (every export flags it)."""
    return reported.get("as") == "mean-imputed-sd"


def illustrative(reported: dict[str, Any]) -> str | None:
    """What is made up in the value (not from any report), or None for a value from a
    report; every output made from it says so."""
    found = reported.get("illustrative")
    return found if isinstance(found, str) and found.strip() else None
