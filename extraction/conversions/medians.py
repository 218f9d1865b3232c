"""The mean and SD of a group reported as a median with its IQR, its range, or both.

The five-number summary is n, a = min, q1, m = median, q3, b = max; three scenarios:
S1 {a, m, b}, S2 {q1, m, q3}, S3 {a, q1, m, q3, b}. With
xi(n) = 2 Phi^-1((n - 0.375)/(n + 0.25)) and eta(n) = 2 Phi^-1((0.75 n - 0.125)/(n + 0.25)):

- mean, Luo et al. 2018 (Stat Methods Med Res 27:1785), the default:
  S1 w = 4/(4 + n^0.75), mean = w (a + b)/2 + (1 - w) m;
  S2 w = 0.7 + 0.39/n, mean = w (q1 + q3)/2 + (1 - w) m;
  S3 w1 = 2.2/(2.2 + n^0.75), w2 = 0.7 - 0.72/n^0.55,
     mean = w1 (a + b)/2 + w2 (q1 + q3)/2 + (1 - w1 - w2) m.
  Hozo 2005 / Wan 2014's simpler means on request: (a + 2m + b)/4, (q1 + m + q3)/3,
  (a + 2 q1 + 2 m + 2 q3 + b)/8.
- SD, Wan et al. 2014 (BMC Med Res Methodol 14:135): S1 (b - a)/xi(n), S2 (q3 - q1)/eta(n),
  S3 the average of the two; Shi et al. 2020 (Res Synth Methods 11:641), the default for S3:
  w = 1/(1 + 0.07 n^0.6), SD = w (b - a)/xi(n) + (1 - w)(q3 - q1)/eta(n).

xi and eta are the asymptotic forms for every n, as metafor's conv.fivenum uses (Wan's paper
tabulates exact values for n <= 50). Every method assumes roughly normal data; the skewness
test metafor's conv.fivenum applies (Shi et al.) is run and, where it fires, the result
carries a warning rather than being dropped: whether to use it is the reviewer's call.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from extraction.conversions.derived import (
    ConversionError,
    Derived,
    check_finite,
    check_n,
    check_order,
)

_PHI_INV = NormalDist().inv_cdf
MEAN_METHODS = ("luo", "wan")
SD_METHODS = ("wan", "shi")


def xi(n: int) -> float:
    # 2 Phi^-1((n - 0.375)/(n + 0.25)) taken by its tail, 1 minus that quotient: the quotient
    # loses the tail's digits as n grows and is 1, which inv_cdf refuses, above n = 2^52
    return -2 * _PHI_INV(0.625 / (n + 0.25))


def eta(n: int) -> float:
    return 2 * _PHI_INV((0.75 * n - 0.125) / (n + 0.25))


def from_median(
    n: int,
    median: float,
    *,
    q1: float | None = None,
    q3: float | None = None,
    low: float | None = None,
    high: float | None = None,
    mean_method: str = "luo",
    sd_method: str | None = None,
) -> Derived:
    """The mean and SD from a median with its IQR (q1, q3), its range (low, high) or both.
    sd_method: wan, or shi (both ranges only); default Shi with both, else Wan."""
    check_n(n)
    check_finite(median=median, q1=q1, q3=q3, min=low, max=high)
    if (q1 is None) != (q3 is None) or (low is None) != (high is None):
        field = "q3" if q1 is not None and q3 is None else "q1" if q3 is not None else "max"
        raise ConversionError(field, "give both quartiles (q1 and q3) and both ends of the range")
    if q1 is None and low is None:
        raise ConversionError("q1", "a median needs its IQR (q1, q3), its range (min, max) or both")
    check_order(("min", low), ("q1", q1), ("median", median), ("q3", q3), ("max", high))
    iqr = (q1, q3) if q1 is not None and q3 is not None else None
    rng = (low, high) if low is not None and high is not None else None
    mean, mean_words = _mean(n, median, iqr, rng, mean_method)
    sd, sd_words = _sd(n, iqr, rng, sd_method or ("shi" if iqr and rng else "wan"))
    given = "IQR, range" if iqr and rng else "IQR" if iqr else "range"
    method = f"mean: {mean_words} from the median, {given} and n; SD: {sd_words}"
    warning = _skewed(n, median, iqr, rng)
    return Derived(mean, sd, n, method, warning)


def _mean(
    n: int,
    m: float,
    iqr: tuple[float, float] | None,
    rng: tuple[float, float] | None,
    method: str,
) -> tuple[float, str]:
    if method not in MEAN_METHODS:
        raise ConversionError("mean_method", f"unknown mean method {method!r} (luo or wan)")
    if method == "wan":
        if iqr and rng:
            return (rng[0] + 2 * iqr[0] + 2 * m + 2 * iqr[1] + rng[1]) / 8, "Wan et al. 2014"
        if iqr:
            return (iqr[0] + m + iqr[1]) / 3, "Wan et al. 2014"
        assert rng is not None
        return (rng[0] + 2 * m + rng[1]) / 4, "Hozo et al. 2005"
    if iqr and rng:
        w1 = 2.2 / (2.2 + n**0.75)
        w2 = 0.7 - 0.72 / n**0.55
        mean = w1 * sum(rng) / 2 + w2 * sum(iqr) / 2 + (1 - w1 - w2) * m
    elif iqr:
        w = 0.7 + 0.39 / n
        mean = w * sum(iqr) / 2 + (1 - w) * m
    else:
        assert rng is not None
        w = 4 / (4 + n**0.75)
        mean = w * sum(rng) / 2 + (1 - w) * m
    return mean, "Luo et al. 2018"


def _sd(
    n: int,
    iqr: tuple[float, float] | None,
    rng: tuple[float, float] | None,
    method: str,
) -> tuple[float, str]:
    if method not in SD_METHODS:
        raise ConversionError("sd_method", f"unknown SD method {method!r} (wan or shi)")
    if method == "shi" and not (iqr and rng):
        raise ConversionError("sd_method", "Shi et al. 2020 needs the IQR and the range together")
    from_range = (rng[1] - rng[0]) / xi(n) if rng else None
    from_iqr = (iqr[1] - iqr[0]) / eta(n) if iqr else None
    if from_range is not None and from_iqr is not None:
        if method == "shi":
            w = 1 / (1 + 0.07 * n**0.6)
            return w * from_range + (1 - w) * from_iqr, "Shi et al. 2020 from the IQR, range and n"
        return (from_range + from_iqr) / 2, "Wan et al. 2014 from the IQR, range and n"
    if from_iqr is not None:
        return from_iqr, "Wan et al. 2014 from the IQR and n"
    assert from_range is not None
    return from_range, "Wan et al. 2014 from the range and n"


def _skewed(
    n: int, m: float, iqr: tuple[float, float] | None, rng: tuple[float, float] | None
) -> str | None:
    """The skewness test of metafor's conv.fivenum (Shi et al.): a warning when it fires."""
    by_range = abs(sum(rng) - 2 * m) / (rng[1] - rng[0]) if rng and rng[1] > rng[0] else 0.0
    by_iqr = abs(sum(iqr) - 2 * m) / (iqr[1] - iqr[0]) if iqr and iqr[1] > iqr[0] else 0.0
    if iqr and rng:
        statistic = max(2.65 * math.log(0.6 * n) / math.sqrt(n) * by_range, by_iqr)
        threshold = 3 / math.sqrt(n) - 40 / n**3
    elif iqr:
        statistic, threshold = by_iqr, 2.65 / math.sqrt(n) - 6 / n**2
    else:
        statistic, threshold = by_range, 1 / math.log(n + 9) + 2.5 / (n + 1)
    if statistic < threshold:
        return None
    return (
        f"the data look skewed (test statistic {statistic:.3f} >= {threshold:.3f}, "
        "Shi et al.'s test as in metafor's conv.fivenum): the conversion assumes normality"
    )
