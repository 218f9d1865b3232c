"""Inter-rater agreement statistics for screening verdicts: pure functions over counts.

Two reviewers, one stage: a k x k table of counts (rows: the first reviewer's verdict,
columns: the second's), over the records both decided. From it:

- percent agreement, po = sum of the diagonal / n;
- Cohen's kappa, (po - pe) / (1 - pe) with pe = sum of row x column marginals, and its 95% CI
  from the large-sample variance of Fleiss, Cohen & Everitt (1969), Psychol Bull 72:323-327
  (the non-null variance, the one for a confidence interval rather than a test of kappa = 0);
- PABAK, the prevalence- and bias-adjusted kappa (Byrt, Bishop & Carlin 1993): (k po - 1)/(k - 1);
- Gwet's AC1 (Gwet 2008): chance agreement pe = sum pi_q (1 - pi_q) / (k - 1), with pi_q the
  mean of the two reviewers' marginals for category q; it stays stable when includes are rare;
- Krippendorff's alpha for nominal data, computed from units (records) with any number of
  verdicts, so records only some reviewers reached simply count less (units with one verdict
  cannot be paired and drop out);
- Fleiss' kappa (Fleiss 1971) when more than two reviewers decided the same records.

A statistic that is undefined for the data (every verdict the same category, so chance
agreement is 1) is None, never a made-up number.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

Table = list[list[int]]
Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def count_table(pairs: Iterable[tuple[str, str]], categories: Sequence[str]) -> Table:
    """The k x k counts of (first reviewer's verdict, second reviewer's verdict)."""
    index = {c: i for i, c in enumerate(categories)}
    table = [[0] * len(categories) for _ in categories]
    for a, b in pairs:
        table[index[a]][index[b]] += 1
    return table


def _proportions(table: Table) -> tuple[int, list[list[float]], list[float], list[float]]:
    n = sum(map(sum, table))
    p = [[cell / n for cell in row] for row in table]
    rows = [sum(row) for row in p]
    cols = [sum(p[i][j] for i in range(len(p))) for j in range(len(p))]
    return n, p, rows, cols


def percent_agreement(table: Table) -> float | None:
    n = sum(map(sum, table))
    return sum(table[i][i] for i in range(len(table))) / n if n else None


def cohen_kappa(table: Table) -> tuple[float, float] | None:
    """Kappa and its large-sample standard error (Fleiss, Cohen & Everitt 1969)."""
    n, p, rows, cols = _proportions(table) if sum(map(sum, table)) else (0, [], [], [])
    k = len(table)
    pe = sum(rows[i] * cols[i] for i in range(k)) if n else 1.0
    if n == 0 or math.isclose(pe, 1.0):
        return None
    po = sum(p[i][i] for i in range(k))
    kappa = (po - pe) / (1 - pe)
    diagonal = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(k))
    off = (
        sum(p[i][j] * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j)
        * (1 - kappa) ** 2
    )
    variance = (diagonal + off - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return kappa, math.sqrt(max(variance, 0.0))


def kappa_ci(kappa: float, se: float) -> tuple[float, float]:
    """The Wald 95% interval, as most software prints it (not clipped to [-1, 1])."""
    return kappa - Z_95 * se, kappa + Z_95 * se


def pabak(table: Table) -> float | None:
    po, k = percent_agreement(table), len(table)
    return None if po is None or k < 2 else (k * po - 1) / (k - 1)


def gwet_ac1(table: Table) -> float | None:
    k = len(table)
    if not sum(map(sum, table)) or k < 2:
        return None
    _, p, rows, cols = _proportions(table)
    po = sum(p[i][i] for i in range(k))
    pe = sum(((rows[q] + cols[q]) / 2) * (1 - (rows[q] + cols[q]) / 2) for q in range(k)) / (k - 1)
    return None if math.isclose(pe, 1.0) else (po - pe) / (1 - pe)


def krippendorff_alpha(units: Iterable[Sequence[str]]) -> float | None:
    """Nominal alpha over units (records), each with the verdicts it received."""
    coincidences: defaultdict[tuple[str, str], float] = defaultdict(float)
    for values in units:
        m = len(values)
        if m < 2:
            continue  # a verdict nobody else gave on this record cannot be paired
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidences[(a, b)] += 1 / (m - 1)
    totals: defaultdict[str, float] = defaultdict(float)
    for (a, _), weight in coincidences.items():
        totals[a] += weight
    n = sum(totals.values())
    disagreeing = sum(w for (a, b), w in coincidences.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b)
    if n <= 1 or expected == 0:
        return None
    return 1 - (n - 1) * disagreeing / expected


def fleiss_kappa(units: Iterable[Sequence[str]], categories: Sequence[str]) -> float | None:
    """Fleiss' kappa over units that each have the same number (two or more) of verdicts."""
    rated = [Counter(values) for values in units]
    if not rated:
        return None
    raters = sum(rated[0].values())
    if raters < 2 or any(sum(c.values()) != raters for c in rated):
        raise ValueError("Fleiss' kappa needs the same number of verdicts on every record")
    n = len(rated)
    agreement = sum(
        sum(c[q] * (c[q] - 1) for q in categories) / (raters * (raters - 1)) for c in rated
    )
    p_bar = agreement / n
    shares = [sum(c[q] for c in rated) / (n * raters) for q in categories]
    pe = sum(s * s for s in shares)
    return None if math.isclose(pe, 1.0) else (p_bar - pe) / (1 - pe)
