"""The parts of a dedup run a worker process does without the database: keys from rows.

Kept apart from engine.py, which imports the database layer (sqlite-utils, and numpy through
it): a worker that imports only this starts on its first piece of a run in about a third of
the time, while the run's own process is already at work on its pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from screening.dedup.keys import Keys, key_values

# Formats whose record id is the database's own accession number (PMID, WoS UT, Embase AN);
# a CSV's or BibTeX file's id may be a row number or a citation key.
ACCESSION_FORMATS = frozenset({"pubmed-xml", "medline", "wos", "wos-tab", "ris", "ovid"})


def key_values_of_rows(
    fields: Sequence[str], rows: Sequence[tuple[int, tuple[Any, ...]]]
) -> list[tuple[Any, ...]]:
    """key_values for (index, values of fields) rows of db.dedup.records_to_compare."""
    out = []
    for index, values in rows:
        row = dict(zip(fields, values, strict=True))
        if row["format"] in ACCESSION_FORMATS:
            row["accession"] = row["source_record_id"]
        out.append(key_values(index, row))
    return out


def keys_from_fields(rows: list[tuple[Any, ...]]) -> list[Keys]:
    """Keys from their fields in order (how a worker receives a run's keys)."""
    return [Keys(*row) for row in rows]
