"""Reviews for the copy and merge tests: a main review of 46 PubMed records with reviewers ana
and ben and adjudicator cy, built once per test run and copied for each test, and helpers that
write events the way the screens do (append-only rows with UUIDs)."""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.connection import open_review
from db.decisions import record_decisions
from db.dedup import add_pair_decisions
from screening.importing import import_file
from screening.review import init_review
from tests.conftest import FIXTURES

RIS = FIXTURES / "ris" / "citesource_pubmed_46.ris"
TEAM = 'reviewers = ["ana", "ben"]\nadjudicators = ["cy"]\n'
EVENT_TABLES = ("decisions", "dedup_decisions", "resolutions", "extraction_values")


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="metasift-merge-tests-")) / "main"
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    init_review(folder, title="Merge tests")
    toml = folder / "review.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("reviewers = []\n", "").replace("adjudicators = []\n", "")
    toml.write_text(text.replace("[screening]\n", "[screening]\n" + TEAM), encoding="utf-8")
    db = open_review(folder / "review.db")
    import_file(db, RIS, database="PubMed")
    if db.conn.in_transaction:  # import_file leaves committing to its caller's connection
        db.conn.commit()
    db.close()
    return folder


def new_main(tmp_path: Path, name: str = "main") -> Path:
    """A fresh main review folder (review.db and review.toml) with 46 records, no events."""
    folder = tmp_path / name
    shutil.copytree(_template(), folder)
    return folder


def record_ids(db: Database) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM records ORDER BY id")]


def decide(
    db: Database,
    record_id: int,
    reviewer: str,
    verdict: str = "include",
    *,
    note: str | None = None,
    when: str = "2026-01-01T00:00:00.000+00:00",
    undoes: str | None = None,
    stage: str = "title-abstract",
) -> str:
    event = {
        "uuid": str(uuid.uuid4()),
        "record_id": record_id,
        "reviewer": reviewer,
        "stage": stage,
        "verdict": verdict,
        "reason": None,
        "note": note,
        "tags": None,
        "undoes": undoes,
        "batch": None,
        "created_at": when,
    }
    record_decisions(db, [event])
    return event["uuid"]


def same_paper(db: Database, a: int, b: int, reviewer: str, verdict: str = "same") -> str:
    """A person's duplicate verdict on a pair, as the dedup screen writes it."""
    event = {
        "uuid": str(uuid.uuid4()),
        "record_a": min(a, b),
        "record_b": max(a, b),
        "verdict": verdict,
        "reason": None,
        "reviewer": reviewer,
        "undoes": None,
        "created_at": "2026-01-02T00:00:00.000+00:00",
    }
    add_pair_decisions(db, [event])
    return event["uuid"]


def resolve(
    db: Database,
    record_id: int,
    adjudicator: str,
    resolves: list[str],
    when: str = "2026-01-03T00:00:00.000+00:00",
) -> None:
    row = {
        "uuid": str(uuid.uuid4()),
        "record_id": record_id,
        "stage": "title-abstract",
        "adjudicator": adjudicator,
        "verdict": "include",
        "justification": "meets every criterion",
        "resolves": json.dumps(resolves),
        "created_at": when,
    }
    with db.atomic():
        db.table("resolutions").insert(row)


def events(db: Database) -> set[tuple[str, tuple[Any, ...]]]:
    """Every event of every table, records by UUID and without the local row id: what two
    files hold in common whatever their ids."""
    found = set()
    for table in EVENT_TABLES:
        columns = [c for c in db[table].columns_dict if c != "id"]
        for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}"):
            values = dict(zip(columns, row, strict=True))
            for column in ("record_id", "record_a", "record_b"):
                if column in values:
                    values[column] = _record_uuid(db, values[column])
            if table == "dedup_decisions":  # a pair is a pair whichever id is lower
                pair = sorted((values.pop("record_a"), values.pop("record_b")))
                values["pair"] = tuple(pair)
            found.add((table, tuple(sorted(values.items()))))
    return found


def _record_uuid(db: Database, record_id: int) -> str:
    return str(db.execute("SELECT uuid FROM records WHERE id = ?", [record_id]).fetchone()[0])


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
