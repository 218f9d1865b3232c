"""Which other doubtful pairs a dedup verdict settled by implication: a "same" joins two
clusters (so a pair inside the new cluster is settled as the same), and a pair whose records
are kept apart through a "different" is no longer in doubt. The dedup screen names them, so a
pair never leaves the list unexplained."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from screening.dedup.membership import QueueItem


def also_settled(
    before: Sequence[QueueItem],
    after: Sequence[QueueItem],
    decided: QueueItem,
    members: Callable[[int], Sequence[int]],
) -> list[tuple[QueueItem, bool]]:
    """The other doubtful pairs a verdict settled by implication (a "same" joining clusters,
    or records kept apart through one of them), each with True if its records are now one
    cluster. A pair that left the queue only because another pair now stands for the same
    two clusters is still doubtful, so it is not listed."""
    left = {pair_key(i) for i in after}
    settled = []
    for pair in before:
        if pair_key(pair) == pair_key(decided) or pair_key(pair) in left:
            continue
        a, b = set(members(pair.record_a)), set(members(pair.record_b))
        if pair.record_b in a:
            settled.append((pair, True))
        elif not any(_joins(i, a, b) for i in after):
            settled.append((pair, False))
    return settled


def settled_text(settled: tuple[QueueItem, bool]) -> str:
    pair, together = settled
    return f"#{pair.record_a}/#{pair.record_b} {'same' if together else 'different'}"


def pair_key(item: QueueItem) -> tuple[int, int]:
    return item.record_a, item.record_b


def _joins(item: QueueItem, a: set[int], b: set[int]) -> bool:
    ends = {item.record_a, item.record_b}
    return bool(ends & a) and bool(ends & b)
