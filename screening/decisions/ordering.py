"""The order a reviewer meets a stage's records in: most likely relevant first, import order,
or random order.

- import: the list as the stage holds it (queue.py, session.py);
- random: shuffled with a seed of the reviewer and stage, the same each time they open it;
- relevance: the undecided records in the order of the reviewer's own model
  (screening/ranking/live.py), once it has ranked them; until then, import order.

What never moves: the pilot round stays first, and the records of the dual-review sample
keep their places in the list (the same places for every reviewer), so a team meets them
in one shared order; the ordering fills the places around them. The records a reviewer has
decided come first among the rest (browsing back finds them), and when a new ranking
arrives the record on screen stays on screen: it leads the undecided ones, and the new
order starts after it.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from screening.decisions.ledger import Ledger

ORDERS = ("relevance", "import", "random")


@dataclass
class StageOrder:
    pool: Sequence[int]  # the stage's records as it holds them (import order)
    pilot: int = 0  # the first records of pool, screened first by everyone
    seed: str = ""
    sample: frozenset[int] | None = None  # the dual-review sample (fixed places); None: unread
    mode: str = "import"
    ranked: list[int] | None = field(default=None, repr=False)  # the newest ranking

    def arrange(self, decided: Collection[int], current: int | None) -> Sequence[int]:
        """The records in this order; `decided`: the records with the reviewer's decision."""
        if self.mode == "import" or (self.mode == "relevance" and self.ranked is None):
            return self.pool
        head, sample = list(self.pool[: self.pilot]), self.sample or frozenset()
        fixed = set(head) | sample
        if self.mode == "random":
            stream = [r for r in self.pool if r not in fixed]
            random.Random(self.seed).shuffle(stream)
        else:
            stream = list(self._by_relevance(fixed, decided, current))
        return head + _fill(self.pool[self.pilot :], sample, iter(stream))

    def _by_relevance(
        self, fixed: set[int], decided: Collection[int], current: int | None
    ) -> Iterator[int]:
        done = {r for r in decided if r not in fixed}
        yield from (r for r in self.pool if r in done)
        placed = set(done) | fixed
        if current is not None and current not in placed:
            placed.add(current)
            yield current
        for rid in self.ranked or ():
            if rid not in placed:
                placed.add(rid)
                yield rid
        yield from (r for r in self.pool if r not in placed)  # undone since the ranking


def _fill(places: Sequence[int], sample: frozenset[int], stream: Iterator[int]) -> list[int]:
    """`places` with each record outside the sample replaced by the stream's next."""
    if not sample:
        return list(stream)
    return [rid if rid in sample else next(stream) for rid in places]


def verdicts_in_force(ledger: Ledger) -> dict[int, str]:
    """A reviewer's verdicts in force (record -> verdict): what their model learns from."""
    return {r: d.verdict for r in ledger.records() if (d := ledger.current(r))}
