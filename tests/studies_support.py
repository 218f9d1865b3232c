"""Reviews for the studies and full-text tests: records imported from real fixtures, sent to
full text and decided there the way the screens write decisions (append-only events)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlite_utils import Database

from db.connection import open_review
from db.decisions import record_decisions
from screening.cli import cli
from screening.importing import import_file
from screening.review import init_review
from tests.conftest import FIXTURES

REGISTRATIONS = FIXTURES / "screening" / "nagtegaal2019_shared_registrations.csv"
MEDLINE = FIXTURES / "medline" / "reflib-node_cancer.nbib"  # 20 records with DOI and PMID


def new_review(tmp_path: Path, fixture: Path = REGISTRATIONS) -> Path:
    """A review folder holding the fixture's records (imported once per run); its review.db."""
    folder = tmp_path / "review"
    shutil.copytree(_template(fixture), folder)
    return folder / "review.db"


@cache
def _template(fixture: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="metasift-studies-tests-")) / "review"
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    path = init_review(folder, title="Studies tests")
    db = open_review(path)
    import_file(db, fixture, database="PubMed")
    if db.conn.in_transaction:  # import_file leaves committing to its caller's connection
        db.conn.commit()
    db.close()
    return folder


def decide(
    db: Database,
    record_id: int,
    stage: str,
    verdict: str,
    who: str = "ana",
    reason: str = "wrong design",
) -> None:
    event: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "record_id": record_id,
        "reviewer": who,
        "stage": stage,
        "verdict": verdict,
        "reason": reason if verdict == "exclude" else None,
        "note": None,
        "tags": None,
        "undoes": None,
        "batch": None,
        "created_at": f"2026-01-01T00:00:{record_id % 60:02d}.000+00:00",
    }
    record_decisions(db, [event])


def send_to_full_text(
    path: Path, verdicts: dict[int, str | None], who: tuple[str, ...] = ("ana",)
) -> None:
    """Each reviewer includes each record at title/abstract, then decides it at full text
    (None: not yet)."""
    db = open_review(path)
    for record_id, verdict in verdicts.items():
        for name in who:
            decide(db, record_id, "title-abstract", "include", name)
            if verdict:
                decide(db, record_id, "full-text", verdict, name)
    db.close()


def run(path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--review", str(path)])
