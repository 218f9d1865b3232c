"""Decision events as CSV or JSON: one row per event, with the record's identifiers; the
reviewers' decisions first, then the adjudicators' resolutions (role adjudicator, with the
justification each requires), so how every conflict was settled can be read from the file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from sqlite_utils import Database

from db.decisions import decision_export_rows, resolution_export_rows
from extraction.sheets import safe_cell

COLUMNS = (
    "record_id",
    "pmid",
    "doi",
    "title",
    "reviewer",
    "stage",
    "verdict",
    "reason",
    "note",
    "tags",
    "time",
    "current",
    "uuid",
    "undoes",
    "batch",
    "record_uuid",
    "role",  # reviewer, or adjudicator for a resolution of a conflict
    "justification",  # a resolution's
)


def decision_rows(
    db: Database, hidden: dict[str, set[int]] | None = None, asker: str | None = None, **where: Any
) -> Iterator[dict[str, Any]]:
    """Export rows in COLUMNS order: tags as a list, current as a bool, time = created_at.

    hidden (blinding.hidden_clusters) leaves out other reviewers' events on the clusters the
    asker may not see yet."""
    for row in decision_export_rows(db, **where):
        if hidden and row["reviewer"] != asker and row["cluster_id"] in hidden[row["stage"]]:
            continue
        row["tags"] = json.loads(row["tags"]) if row["tags"] else []
        yield _shaped(row, "reviewer")
    for row in resolution_export_rows(
        db, adjudicator=where.get("reviewer"), stage=where.get("stage"),
        current_only=where.get("current_only", False),
    ):  # fmt: skip
        if hidden and row["reviewer"] != asker and row["cluster_id"] in hidden[row["stage"]]:
            continue
        yield _shaped({**row, "note": None, "tags": [], "batch": None}, "adjudicator")


def _shaped(row: dict[str, Any], role: str) -> dict[str, Any]:
    row = {"justification": None, **row, "role": role, "current": bool(row["current"])}
    row["time"] = row.pop("created_at")
    return {column: row[column] for column in COLUMNS}


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Tags joined with "; "; text a spreadsheet would execute is prefixed with a quote."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        cells = {**row, "tags": "; ".join(row["tags"]), "current": int(row["current"])}
        writer.writerow([safe_cell(cells[c]) for c in COLUMNS])
        count += 1
    return count


def write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A JSON array written row by row, so a large review never sits in memory whole."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
