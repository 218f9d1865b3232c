"""The normal, t and chi² tail probabilities and quantiles pooling needs, from scipy.special
directly: the same routines scipy.stats calls, without its per-call overhead (about 50 us a
call, most of a small fit's time)."""

from __future__ import annotations

from scipy.special import chdtrc, chdtri, ndtr, ndtri, stdtr, stdtrit


def normal_quantile(p: float) -> float:
    """x with P(Z <= x) = p."""
    return float(ndtri(p))


def normal_two_sided_p(stat: float) -> float:
    return float(2 * ndtr(-abs(stat)))


def t_quantile(p: float, df: float) -> float:
    """x with P(T_df <= x) = p."""
    return float(stdtrit(df, p))


def t_two_sided_p(stat: float, df: float) -> float:
    return float(2 * stdtr(df, -abs(stat)))


def chi2_upper_tail(x: float, df: float) -> float:
    """P(X > x) for X ~ chi²(df)."""
    return float(chdtrc(df, x))


def chi2_quantile(p: float, df: float) -> float:
    """x with P(X <= x) = p for X ~ chi²(df)."""
    return float(chdtri(df, 1 - p))
