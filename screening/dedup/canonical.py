"""Which record speaks for a cluster: the preferred source first, then the most complete record.

The protocol may set the order of sources in review.toml:

    [dedup]
    source_priority = ["PubMed", "Embase", "Cochrane CENTRAL", "Web of Science", "Scopus"]

A source matches an entry when its database name starts with it, ignoring case ("Embase (Ovid)"
matches "Embase"). Sources not listed come after those listed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from db.errors import MetasiftError

DEFAULT_PRIORITY = ("PubMed", "MEDLINE", "Embase", "Cochrane", "Web of Science", "Scopus")


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


def read_settings(protocol_path: Path) -> DedupSettings:
    """The [dedup] table of review.toml (absent keys keep their defaults)."""
    try:
        data = tomllib.loads(protocol_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DedupSettings()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise MetasiftError(f"{protocol_path}: {e}") from None
    table = data.get("dedup", {})
    if not isinstance(table, dict):
        raise MetasiftError(f"{protocol_path}: [dedup] must be a table")
    priority = table.get("source_priority", list(DEFAULT_PRIORITY))
    if not isinstance(priority, list) or not all(isinstance(p, str) for p in priority):
        raise MetasiftError(
            f"{protocol_path}: dedup.source_priority must be a list of database names"
        )
    return DedupSettings(source_priority=tuple(priority))


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
