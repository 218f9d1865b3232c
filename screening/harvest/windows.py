"""Splitting a PubMed search into windows ESearch can list whole: at most 9,999 PMIDs each.

ESearch lists only the first 9,999 PMIDs of a set, so a larger search is cut into date windows
(then, for a single day still over the cap, into PMID ranges with `lo:hi[uid]`), each searched
with `retmax=9999` so the search that sizes a window also lists its PMIDs.

The windows are chosen by a sweep from the newest end rather than by plain bisection: each
search's count is remembered, the next window is sized to hold about 85% of the cap from what is
known (the density of the window just taken, a prior for the growth of the literature over the
years, or the PMIDs a day listed), and exact counts left by subtraction let the last window take
all the rest. A 30,000-record search takes 5 or 6 searches where halving takes 7 or more.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from db.errors import MetasiftError
from screening.harvest.client import SearchResult

CAP = 9_999  # ESearch lists at most this many PMIDs of a PubMed set
# Size an estimated window to this share of the cap, so that estimates rarely overshoot (an
# overshoot costs a search); the first window, estimated from the prior alone, more cautiously.
# Chosen by simulating the sweep over 18 date distributions (growing, flat, declining, recent
# only; 15k-100k records): 1.33 searches per least possible.
FILL = 0.85
FIRST_FILL = 0.7
OPEN_FROM = date(1000, 1, 1)  # an open --from: well before the oldest PubMed record
UID_MAX = 999_999_999
DATETYPES = {"edat": "entry date", "pdat": "publication date", "mdat": "modification date"}

Search = Callable[[int, int], SearchResult]


class Axis(Protocol):
    def mass(self, lo: int, hi: int) -> float:
        """Relative expected share of records in [lo, hi] (positive for any non-empty span)."""
        ...


class DayAxis:
    """Days as ordinals, weighted by a prior: PubMed grows ~4% a year and is thin before 1946."""

    FIRST, LAST = 1000, 3100

    def __init__(self) -> None:
        self._cum = [0.0]
        for year in range(self.FIRST, self.LAST + 1):
            self._cum.append(self._cum[-1] + self._year_weight(year))

    @staticmethod
    def _year_weight(year: int) -> float:
        return math.exp(0.04 * (max(year, 1946) - 2000)) * (1.0 if year >= 1946 else 0.02)

    def _before(self, ordinal: int) -> float:
        """Weight of every day before this one."""
        day = date.fromordinal(ordinal)
        year = min(max(day.year, self.FIRST), self.LAST)
        days = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365
        into = (day.timetuple().tm_yday - 1) / days if year == day.year else 0.0
        return self._cum[year - self.FIRST] + self._year_weight(year) * into

    def mass(self, lo: int, hi: int) -> float:
        return max(self._before(hi + 1) - self._before(lo), 1e-12 * (hi - lo + 1))


class UidAxis:
    """PMIDs, weighted by a sample of the PMIDs in the set (the first 9,999 ESearch listed)."""

    def __init__(self, sample: Sequence[str]) -> None:
        self.sample = sorted(int(s) for s in sample)

    def mass(self, lo: int, hi: int) -> float:
        seen = bisect.bisect_right(self.sample, hi) - bisect.bisect_left(self.sample, lo)
        return seen + (hi - lo + 1) / UID_MAX


@dataclass(frozen=True, slots=True)
class Span:
    lo: int
    hi: int
    count: int  # exact: what a search counted, or what is left of one by subtraction
    searched: bool = False  # counted by a search of exactly this span (one that overshot)


def sweep(
    search: Search, lo: int, hi: int, total: int, axis: Axis, cap: int = CAP
) -> Iterator[tuple[int, int, SearchResult]]:
    """Yield (lo, hi, result) covering [lo, hi] from the top down, each with count <= cap
    except a single unit over the cap (a day: the caller splits it by PMID)."""
    known = [Span(lo, hi, total)]  # disjoint, newest first, covering what is left
    density: float | None = None  # records per unit of mass in the last window taken
    while known:
        top = known[0].hi
        low = _low_end(known, axis, cap, density)
        result = search(low, top)
        rest = _consume(known, low, result.count)
        if result.count <= cap or low == top:
            yield low, top, result
            if result.count:
                density = result.count / axis.mass(low, top)
            known = rest
        else:
            known = [Span(low, top, result.count, searched=True), *rest]


def _low_end(known: list[Span], axis: Axis, cap: int, density: float | None) -> int:
    """Where the next window should start: take whole spans while their exact counts fit,
    then reach into the next one for what should bring the window to FILL of the cap."""
    taken, best = 0, None
    for span in known:
        if taken + span.count <= cap:
            taken += span.count
            best = span.lo
            continue
        # A span an overshooting search just counted is narrow: spread its count by the axis.
        # A wide remainder is better judged by the density just above it, unless that predicts
        # fewer records than spreading does (then windows err small rather than overshoot).
        local = None if span.searched else density
        fill = FILL if local is not None or span.searched else FIRST_FILL
        x = _interpolate(axis, span, fill * cap - taken, local)
        if x is not None:
            best = x
        break
    return best if best is not None else known[0].hi


def _interpolate(axis: Axis, span: Span, need: float, density: float | None) -> int | None:
    """The lowest x in (lo, hi] whose part [x, hi] of the span is estimated to hold at most
    need records."""
    if need <= 0:
        return None
    whole = axis.mass(span.lo, span.hi)

    def fits(x: int) -> bool:
        mass = axis.mass(x, span.hi)
        spread = span.count * mass / whole
        return max(spread, density * mass if density else 0.0) <= need

    return _first_fitting(span.lo + 1, span.hi, fits)


def _first_fitting(lo: int, hi: int, fits: Callable[[int], bool]) -> int | None:
    """The smallest x in [lo, hi] with fits(x), for fits monotone (False ... True)."""
    if lo > hi or not fits(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _consume(known: list[Span], low: int, count: int) -> list[Span]:
    """Known spans once [low, top] (holding count records) is taken off the top."""
    touched = 0
    for i, span in enumerate(known):
        touched += span.count
        if span.lo >= low:
            continue
        if span.hi >= low:  # the span the window cut into keeps what the window did not take
            return [Span(span.lo, low - 1, max(0, touched - count)), *known[i + 1 :]]
        return known[i:]
    return []


# -- windows as the harvest keeps them ---------------------------------------------------------


@dataclass
class Window:
    """A slice of the search ESearch lists whole: a date range, perhaps narrowed to PMIDs."""

    date_from: date
    date_to: date
    count: int
    ids: list[str] = field(default_factory=list)
    uid_lo: int | None = None
    uid_hi: int | None = None
    webenv: str | None = None
    query_key: str | None = None

    def label(self) -> str:
        when = fmt_date(self.date_from)
        if self.date_to != self.date_from:
            when += f"-{fmt_date(self.date_to)}"
        return when if self.uid_lo is None else f"{when} PMIDs {self.uid_lo}-{self.uid_hi}"


def fmt_date(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


_DATE = re.compile(r"^(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?$")


def parse_date(text: str, *, end: bool = False) -> date:
    """YYYY, YYYY/MM or YYYY/MM/DD (or with -): the first day, or with end=True the last."""
    m = _DATE.match(text.strip())
    if not m:
        raise MetasiftError(f"{text!r} is not a date: use YYYY, YYYY/MM or YYYY/MM/DD")
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day:
            return date(year, int(month), int(day))
        if month:
            first = date(year, int(month), 1)
            return (first + timedelta(days=31)).replace(day=1) - timedelta(days=1) if end else first
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError as e:
        raise MetasiftError(f"{text!r} is not a date ({e})") from None


def day_windows(
    search: Callable[[date, date], SearchResult],
    first: date,
    last: date,
    total: int,
    cap: int = CAP,
) -> Iterator[tuple[date, date, SearchResult]]:
    """Date windows over [first, last] (total records), newest first; see sweep."""

    def by_ordinal(lo: int, hi: int) -> SearchResult:
        return search(date.fromordinal(lo), date.fromordinal(hi))

    for lo, hi, result in sweep(
        by_ordinal, first.toordinal(), last.toordinal(), total, DayAxis(), cap
    ):
        yield date.fromordinal(lo), date.fromordinal(hi), result


def uid_windows(
    search: Search, day_result: SearchResult, cap: int = CAP
) -> Iterator[tuple[int, int, SearchResult]]:
    """PMID ranges splitting one day that is over the cap, sized by the PMIDs it listed."""
    yield from sweep(search, 1, UID_MAX, day_result.count, UidAxis(day_result.ids), cap)
