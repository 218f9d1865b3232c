"""A group's SD from its standard error or confidence interval, a pooled SD from the CI of a
mean difference, and subgroups combined into one arm (Cochrane Handbook section 6.5.2).

- SE of a group mean: SD = SE sqrt(n) (6.5.2.2).
- CI of a group mean: SD = sqrt(n) (upper - lower) / (2 q). The Handbook's 3.92 is 2 x 1.96,
  the normal quantile rounded; here q is t(1 - alpha/2, n - 1) when n < 60, as the Handbook
  advises for small groups, and the exact normal quantile (1.959964 for 95%) from 60 on.
  ``divisor`` replaces 2 q when a review must reproduce the Handbook's rounded form (3.92).
- CI of a mean difference between two groups (6.5.2.3): SE = (upper - lower) / (2 q) with q
  normal, or t on n1 + n2 - 2 degrees of freedom; SD = SE / sqrt(1/n1 + 1/n2).
- Two or more subgroups as one arm (6.5.2.10, Table 6.5.a), applied pairwise in turn:
  N = N1 + N2, M = (N1 M1 + N2 M2)/N,
  SD = sqrt(((N1 - 1) SD1^2 + (N2 - 1) SD2^2 + N1 N2/N (M1^2 + M2^2 - 2 M1 M2)) / (N - 1)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

from extraction.conversions.derived import ConversionError, Derived, check_finite, check_n

T_BELOW = 60  # groups smaller than this use the t distribution (Handbook 6.5.2.2)


def from_se(n: int, mean: float, se: float) -> Derived:
    check_n(n)
    check_finite(mean=mean, se=se)
    if se < 0:
        raise ConversionError("se", f"a standard error cannot be negative (got {se:g})")
    return Derived(mean, se * math.sqrt(n), n, "SD = SE x sqrt(n) (Cochrane Handbook 6.5.2.2)")


def from_ci(
    n: int,
    mean: float | None,
    low: float,
    high: float,
    *,
    level: float = 0.95,
    divisor: float | None = None,
) -> Derived:
    """The SD from a CI of the group's mean; the mean is the interval's midpoint when the
    paper gives none (the CI of a mean is symmetric)."""
    check_n(n)
    check_finite(mean=mean, ci_low=low, ci_high=high)
    _check_bounds(low, high)
    centre = (low + high) / 2 if mean is None else mean
    if not low <= centre <= high:
        raise ConversionError(
            "mean", f"the mean ({centre:g}) lies outside its CI ({low:g}, {high:g})"
        )
    width, how = _width(n - 1, level, divisor, normal=n >= T_BELOW)
    sd = math.sqrt(n) * (high - low) / width
    said = "" if mean is not None else "; mean = the CI's midpoint"
    method = f"SD = sqrt(n) x CI width / d, d = {how} (Cochrane Handbook 6.5.2.2){said}"
    return Derived(centre, sd, n, method)


def pooled_sd_from_difference_ci(
    n1: int, n2: int, low: float, high: float, *, level: float = 0.95, t: bool = False
) -> float:
    """The SD common to both groups, from the CI of their mean difference (Handbook 6.5.2.3)."""
    check_n(n1)
    check_n(n2)
    _check_bounds(low, high)
    width, _ = _width(n1 + n2 - 2, level, None, normal=not t)
    return (high - low) / width / math.sqrt(1 / n1 + 1 / n2)


def combine_groups(groups: Sequence[tuple[int, float, float]]) -> Derived:
    """(n, mean, SD) of several subgroups as one arm (Handbook 6.5.2.10)."""
    if not groups:
        raise ConversionError("groups", "no groups to combine")
    n, mean, sd = groups[0]
    for n2, m2, sd2 in groups[1:]:
        total = n + n2
        pooled = (n - 1) * sd**2 + (n2 - 1) * sd2**2 + n * n2 / total * (mean - m2) ** 2
        n, mean, sd = total, (n * mean + n2 * m2) / total, math.sqrt(pooled / (total - 1))
    method = f"{len(groups)} groups combined (Cochrane Handbook 6.5.2.10)"
    return Derived(mean, sd, n, method)


def _check_bounds(low: float, high: float) -> None:
    if not low < high:
        message = f"the CI's low bound ({low:g}) must be below its high bound ({high:g})"
        raise ConversionError("ci_low", message)


def _width(df: int, level: float, divisor: float | None, *, normal: bool) -> tuple[float, str]:
    """2 x the quantile a CI of this level spans, and how it was chosen, in words."""
    if not 0 < level < 1:
        raise ConversionError("level", f"the CI's level must be between 0 and 1 (got {level:g})")
    if divisor is not None:
        if divisor <= 0:
            raise ConversionError("divisor", f"the divisor must be positive (got {divisor:g})")
        return divisor, f"{divisor:g} (given)"
    upper = 1 - (1 - level) / 2
    if normal:
        z = NormalDist().inv_cdf(upper)
        return 2 * z, f"2 x z({upper:g}) = {2 * z:.6f}"
    from scipy.stats import t as student_t  # imported when a small group needs it

    q = float(student_t.ppf(upper, df))
    return 2 * q, f"2 x t({upper:g}, {df} df) = {2 * q:.6f}"
