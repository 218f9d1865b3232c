"""Candidate pairs: records that share at least one blocking key, so most pairs are never scored.

The union of several keys keeps nearly every true pair while comparing a tiny share of all
pairs: the DOI, the PMID, the first and the last four content words of the title (the last
ones catch a prefix such as a trial acronym or a translated title in front), first author
and year, and volume with first page (with the year, or with the first author).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import combinations

from screening.dedup.keys import Keys
from screening.dedup.parallel import MIN_ITEMS, SecondProcess, side_by_side

MAX_BLOCK = 300  # a key shared by more records than this says nothing (a common surname, "2020")
# in two halves of about equal work: this process takes the first four, a worker the rest
KINDS = ("doi", "pmid", "tail", "year-volume-page", "head", "author-year", "volume-page-author")


def block_keys(k: Keys) -> Iterator[tuple[str, str]]:
    """Every blocking key of one record, as (kind, value)."""
    if k.doi:
        yield "doi", k.doi
    if k.pmid:
        yield "pmid", k.pmid
    if k.head:
        yield "head", k.head
        yield "tail", k.tail
    if k.first_author and k.year:
        yield "author-year", f"{k.first_author} {k.year}"
    if k.volume and k.first_page:
        if k.year:
            yield "year-volume-page", f"{k.year} {k.volume} {k.first_page}"
        if k.first_author:
            yield "volume-page-author", f"{k.volume} {k.first_page} {k.first_author}"


def candidate_pairs(
    keys: Sequence[Keys],
    last_id: int = 0,
    max_block: int = MAX_BLOCK,
    other: SecondProcess | None = None,
) -> tuple[list[tuple[int, int]], list[tuple[tuple[str, str], int]]]:
    """Pairs (i, j), i < j, of indexes into keys that share a key, and the blocks skipped.

    With last_id, only pairs with at least one record newer than it are returned (an
    incremental run). The kinds of key are shared out between this process and a worker
    (other, which should hold the keys already).
    """
    here, there = side_by_side(
        lambda: _pairs_by_kinds(keys, KINDS[:4], last_id, max_block),
        partial(_pairs_by_kinds, keys, KINDS[4:], last_id, max_block),
        len(keys) >= MIN_ITEMS,
        other,
    )
    codes = set(here[0])
    codes.update(there[0])
    n = len(keys)
    return sorted(divmod(code, n) for code in codes), here[1] + there[1]


def _pairs_by_kinds(
    keys: Sequence[Keys],
    kinds: tuple[str, ...],
    last_id: int,
    max_block: int,
) -> tuple[list[int], list[tuple[tuple[str, str], int]]]:
    """Pair codes i * n + j from blocks of these kinds of key, and the blocks skipped."""
    is_new = (lambda i: keys[i].record_id > last_id) if last_id else None
    blocks: dict[str, defaultdict[str, list[int]]] = {kind: defaultdict(list) for kind in kinds}
    for k in keys:
        for kind, value in block_keys(k):
            table = blocks.get(kind)
            if table is not None:
                table[value].append(k.index)
    n = len(keys)
    seen: set[int] = set()
    skipped: list[tuple[tuple[str, str], int]] = []
    for kind, table in blocks.items():
        for value, members in table.items():
            size = len(members)
            if size < 2:
                continue
            if size > max_block:
                skipped.append(((kind, value), size))
            elif size == 2 and is_new is None:
                seen.add(members[0] * n + members[1])
            else:
                seen.update(_block_pairs(members, n, is_new))
    return list(seen), skipped


def _block_pairs(members: list[int], n: int, is_new: Callable[[int], bool] | None) -> list[int]:
    """Pair codes i * n + j; members are in increasing order (records are read in order)."""
    if is_new is None:
        return [i * n + j for i, j in combinations(members, 2)]
    new = {m for m in members if is_new(m)}
    if not new:
        return []
    return [i * n + j for i, j in combinations(members, 2) if i in new or j in new]
