"""Several processes writing one review file at once: every write waits its turn and lands.

Each writer reads, then writes, in one transaction, which is how imports and decisions work.
With SQLite's default deferred BEGIN the second writer got "database is locked" at once,
busy timeout or not; every transaction now takes the write lock when it begins.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from db.connection import open_review
from screening.importing import import_file
from tests.conftest import FIXTURES

WRITER = """
import sys, uuid
from db.connection import open_review
from db.decisions import record_decisions

path, reviewer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = open_review(path)
ids = [row[0] for row in db.execute("SELECT id FROM records ORDER BY id")]
for i in range(count):
    with db.atomic():  # read, then write: the pattern a deferred BEGIN failed on
        made = db.execute("SELECT count(*) FROM decisions WHERE reviewer = ?", [reviewer])
        assert made.fetchone()[0] == i
    record_decisions(db, [{
        "uuid": str(uuid.uuid4()), "record_id": ids[i % len(ids)], "reviewer": reviewer,
        "stage": "title-abstract", "verdict": "include", "created_at": "2026-01-01T00:00:00",
    }])
db.close()
print("done")
"""


@pytest.mark.parametrize("writers", [2, 3])
def test_writers_at_once_lose_nothing_and_raise_nothing(review_path: Path, writers: int) -> None:
    db = open_review(review_path)
    import_file(db, FIXTURES / "ris" / "citesource_pubmed_46.ris")
    db.close()
    names = [f"reviewer{n}" for n in range(writers)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(review_path), name, "1000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    results = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err
        assert out.strip() == "done" and err == ""
    db = open_review(review_path)
    counts = dict(db.execute("SELECT reviewer, count(*) FROM decisions GROUP BY reviewer"))
    db.close()
    assert counts == {name: 1000 for name in names}
