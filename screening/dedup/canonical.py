"""Which record speaks for a cluster: the preferred source first, then the most complete record.

The protocol sets the order of sources in review.toml (Protocol.source_priority):

    [dedup]
    source_priority = ["PubMed", "Embase", "Cochrane CENTRAL", "Web of Science", "Scopus"]

A source matches an entry when its database name starts with it, ignoring case ("Embase (Ovid)"
matches "Embase"). Sources not listed come after those listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from screening.protocol import DEFAULT_SOURCE_PRIORITY

DEFAULT_PRIORITY = DEFAULT_SOURCE_PRIORITY


@dataclass(frozen=True)
class DedupSettings:
    source_priority: tuple[str, ...] = DEFAULT_PRIORITY

    def rank(self, database: str) -> int:
        return _rank(self.source_priority, database)


@lru_cache(maxsize=256)
def _rank(priority: tuple[str, ...], database: str) -> int:
    name = database.casefold()
    for position, entry in enumerate(priority):
        if name.startswith(entry.casefold()):
            return position
    return len(priority)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the canonical choice looks at for one record."""

    record_id: int
    database: str
    completeness: int  # how many bibliographic fields are filled
    abstract_length: int


def choose_canonical(members: Sequence[Candidate], settings: DedupSettings) -> int:
    """The record id that represents the cluster: best-ranked source, then most complete,
    then the longest abstract, then the earliest imported."""
    best = min(
        members,
        key=lambda c: (
            settings.rank(c.database),
            -c.completeness,
            -c.abstract_length,
            c.record_id,
        ),
    )
    return best.record_id
