"""Splitting a search under PubMed's 9,999 cap: date windows, then PMID ranges for a day."""

from __future__ import annotations

import bisect
import math
from datetime import date

import pytest

from db.errors import MetasiftError
from screening.harvest.client import SearchResult
from screening.harvest.windows import (
    CAP,
    OPEN_FROM,
    DayAxis,
    Window,
    day_windows,
    parse_date,
    sweep,
    uid_windows,
)
from tests.entrez_corpus import synthetic_corpus
from tests.harvest_support import client_for, entrez_env, serve

__all__ = ["entrez_env"]


def counting_search(days: list[int]):
    """A search over sorted day ordinals, and the list of the spans it was asked."""
    asked: list[tuple[int, int]] = []

    def search(lo: int, hi: int) -> SearchResult:
        asked.append((lo, hi))
        return SearchResult(bisect.bisect_right(days, hi) - bisect.bisect_left(days, lo))

    return search, asked


def test_sweep_partitions_the_range_into_windows_under_the_cap() -> None:
    corpus = synthetic_corpus(30_000, small=True)
    days = sorted(r.edat.toordinal() for r in corpus.records.values())
    search, asked = counting_search(days)
    lo, hi = OPEN_FROM.toordinal(), date(2025, 6, 30).toordinal()
    windows = list(sweep(search, lo, hi, len(days), DayAxis()))
    assert windows[0][1] == hi and windows[-1][0] == lo  # newest first, down to the start
    for (low, _, _), (_, high, _) in zip(windows, windows[1:], strict=False):
        assert high == low - 1  # adjacent: no day left out, none twice
    assert all(result.count <= CAP for _, _, result in windows)
    assert sum(result.count for _, _, result in windows) == 30_000
    least = math.ceil(30_000 / CAP)
    assert len(windows) >= least and len(asked) <= least + 3  # bisection would take 7


def test_sweep_leaves_a_day_over_the_cap_to_the_caller() -> None:
    spike = date(2020, 1, 1).toordinal()
    days = sorted([spike] * 12_000 + [spike - 400 + i for i in range(300)])
    search, _ = counting_search(days)
    windows = list(sweep(search, spike - 1000, spike + 1000, len(days), DayAxis()))
    over = [(lo, hi, r.count) for lo, hi, r in windows if r.count > CAP]
    assert over == [(spike, spike, 12_000)]
    assert sum(r.count for _, _, r in windows) == 12_300


def test_uid_ranges_split_a_day_by_the_pmids_it_listed() -> None:
    pmids = list(range(30_000_000, 30_000_000 + 25_000))
    sample = [str(p) for p in pmids[::3]][:CAP]  # what the day's search listed

    def search(lo: int, hi: int) -> SearchResult:
        found = pmids[bisect.bisect_left(pmids, lo) : bisect.bisect_right(pmids, hi)]
        return SearchResult(len(found), [str(p) for p in found[:CAP]])

    ranges = list(uid_windows(search, SearchResult(25_000, sample)))
    assert all(r.count <= CAP for _, _, r in ranges)
    listed = [p for _, _, r in ranges for p in r.ids]
    assert sorted(listed, key=int) == [str(p) for p in pmids]
    assert len(ranges) <= 5


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("2020/02", date(2020, 2, 1), date(2020, 2, 29)),
        ("2019-12-07", date(2019, 12, 7), date(2019, 12, 7)),
    ],
)
def test_dates_take_pubmeds_forms(text: str, start: date, end: date) -> None:
    assert parse_date(text) == start
    assert parse_date(text, end=True) == end


@pytest.mark.parametrize("text", ["20", "2020/13", "last year", "2021/02/30"])
def test_a_bad_date_is_a_clear_error(text: str) -> None:
    with pytest.raises(MetasiftError, match="is not a date"):
        parse_date(text)


def test_window_labels_say_the_dates_and_pmid_range() -> None:
    assert Window(date(2020, 1, 1), date(2020, 6, 30), 10).label() == "2020/01/01-2020/06/30"
    day = Window(date(2020, 1, 1), date(2020, 1, 1), 10, uid_lo=1, uid_hi=99)
    assert day.label() == "2020/01/01 PMIDs 1-99"


def test_date_splitting_kicks_in_above_the_real_cap(entrez_env) -> None:
    """25,000 hits against PubMed's own cap: windows of at most 9,999 that list every PMID."""
    corpus = synthetic_corpus(25_000, small=True)
    with serve(corpus) as server:
        client = client_for(server)
        first, last = date(1000, 1, 1), date(2025, 6, 30)
        whole = client.esearch(
            "synthetic", retmax=CAP, datetype="edat", mindate="1000/01/01", maxdate="2025/06/30"
        )
        assert whole.count == 25_000 and len(whole.ids) == CAP  # one search cannot list it all

        def search(lo: date, hi: date) -> SearchResult:
            return client.esearch(
                "synthetic",
                retmax=CAP,
                datetype="edat",
                mindate=lo.strftime("%Y/%m/%d"),
                maxdate=hi.strftime("%Y/%m/%d"),
            )

        windows = list(day_windows(search, first, last, whole.count))
        assert len(windows) >= 3
        assert all(r.count <= CAP and len(r.ids) == r.count for _, _, r in windows)
        listed = [p for _, _, r in windows for p in r.ids]
        assert len(listed) == len(set(listed)) == 25_000
        assert set(listed) == set(corpus.records)
        assert server.max_per_second() <= 10
        assert "retstart" not in str([h.params for h in server.hits])  # never paged past the cap
