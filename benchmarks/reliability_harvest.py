"""Reliability: PubMed harvests through faults and kills lose and double nothing.

    python benchmarks/reliability_harvest.py [--quick] [--runs N]

Each run harvests a synthetic corpus (real fixture records under new PMIDs, 80-400 of them,
tests/entrez_corpus.py) from the local E-utilities server (tests/entrez_server.py) with
`metasift search pubmed`, a search or (one run in five) a PMID list, batches of 25-100. Every
request has a one-in-five chance of a fault: 429 (with or without Retry-After), 500, a dropped
connection, a truncated body, an <ERROR> in a 200, or (esearch, epost) a malformed field: a
<Count>, <Id> or <QueryKey> that is not a number. A third of the runs
are killed with SIGKILL at a random request. A run that is killed, or gives up after its
retries, is run again (as a person would) until it finishes, at most 8 times.

An input is clean when every answer was a finished harvest or one error line with exit 1, and
the review then holds every PMID exactly once, as many as ESearch counted (or the list named).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability_lines import (  # noqa: E402
    METASIFT,
    Tally,
    arguments,
    message_problems,
    metasift_env,
)
from screening.review import init_review  # noqa: E402
from tests.entrez_corpus import synthetic_corpus  # noqa: E402
from tests.entrez_server import EntrezServer, Fault, Hit  # noqa: E402

KEY = "BENCHKEY0123456789abcdef0123456789ab"
FAULT_CHANCE = 0.2
KILL_CHANCE = 1 / 3
MAX_RUNS = 8
SEEN: Counter[str] = Counter()  # what the runs met, for the summary line
FAULTS = {
    "esearch": ["429", "500", "drop", "truncate", "error200", "count", "id", "querykey"],
    "efetch": ["429", "500", "drop", "truncate", "error200"],
    "epost": ["429", "500", "drop", "truncate", "error200", "querykey"],
}
MALFORMED = {  # a field of the true answer, made malformed
    "count": (b"<Count>", b"<Count>about "),
    "id": (b"<Id>", b"<Id>x"),
    "querykey": (b"<QueryKey>", b"<QueryKey>x"),
}


class Faults:
    """The server's on_request hook: a random fault on some requests, a SIGKILL at one."""

    def __init__(self, server: EntrezServer, rng: random.Random, kill_at: int | None) -> None:
        self.server, self.rng, self.kill_at = server, rng, kill_at
        self.pid: int | None = None
        self.seen = 0
        self.killed = False

    def __call__(self, hit: Hit) -> bool:
        if hit.endpoint not in FAULTS:
            return True
        self.seen += 1
        if self.kill_at is not None and self.seen == self.kill_at and self.pid:
            self.killed, self.kill_at = True, None  # before the kill: the parent wakes at it
            os.kill(self.pid, signal.SIGKILL)
            return False  # the request dies with the process
        SEEN["requests"] += 1
        if self.rng.random() < FAULT_CHANCE:
            self.server.faults.insert(0, self._fault(hit.endpoint))
            SEEN["faults"] += 1
        return True

    def _fault(self, endpoint: str) -> Fault:
        kind = self.rng.choice(FAULTS[endpoint])
        if kind in MALFORMED:
            old, new = MALFORMED[kind]
            return Fault("malformed", endpoint, replace=(old, new))
        retry_after = self.rng.choice([None, 0.2, 1.0]) if kind == "429" else None
        return Fault(kind, endpoint, retry_after=retry_after)


def harvest_once(server: EntrezServer, number: int, seed: int, tally: Tally) -> None:
    rng = random.Random(seed * 1000 + number)
    size, batch = rng.randint(80, 400), rng.choice([25, 50, 100])
    corpus = synthetic_corpus(size, small=True, seed=seed + number)
    expected = sorted(corpus.records)
    with tempfile.TemporaryDirectory(prefix="rel-harvest-") as tmp:
        folder = Path(tmp) / "review"
        folder.mkdir()
        db_path = init_review(folder)
        args = ["search", "pubmed", "--review", db_path, "--batch-size", batch]
        if rng.random() < 0.2:
            listing = Path(tmp) / "pmids.txt"
            listing.write_text("\n".join(expected) + "\n")
            args += ["--pmids", listing]
        else:
            args.append("synthetic")
        server.corpus = corpus
        kill_at = rng.randint(1, 2 + size // batch) if rng.random() < KILL_CHANCE else None
        faults = Faults(server, rng, kill_at)
        server.on_request = faults
        problems = run_until_done(server, faults, args)
        server.on_request = None
        server.faults.clear()
        landed = pmids(db_path)
        lost = len(set(expected) - set(landed))
        doubled = len(landed) - len(set(landed))
        if lost or doubled or len(landed) != len(expected):
            problems.append(
                f"{len(landed)} landed of {len(expected)}: {lost} lost, {doubled} twice"
            )
        counted = counts(db_path)
        if counted != (len(expected), len(expected)):
            problems.append(f"harvest count and landed {counted}, ESearch counted {len(expected)}")
    tally.add(problems, lost)


def run_until_done(server: EntrezServer, faults: Faults, args: list[object]) -> list[str]:
    env = metasift_env(METASIFT_EUTILS_URL=server.url, NCBI_API_KEY=KEY)
    env["NCBI_EMAIL"] = "bench@example.org"
    problems: list[str] = []
    for _ in range(MAX_RUNS):
        server.pass_time()  # a rerun comes seconds later: the last run's second is over
        process = subprocess.Popen(
            [*METASIFT, *map(str, args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        faults.pid, faults.killed = process.pid, False
        out, err = process.communicate(timeout=600)
        run = subprocess.CompletedProcess(
            process.args, process.returncode, out.decode(), err.decode()
        )
        SEEN["runs"] += 1
        if faults.killed:
            SEEN["kills"] += 1
            continue
        SEEN["gave up"] += run.returncode == 1
        problems += message_problems(run)
        if run.returncode == 0:
            if "records landed of" not in run.stdout or "Short:" in run.stderr:
                problems.append(f"finished short: {run.stdout.strip()} {run.stderr.strip()}")
            return problems
    return [*problems, f"not finished after {MAX_RUNS} runs"]


def pmids(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as db:
        return [row[0] for row in db.execute("SELECT pmid FROM records")]


def counts(db_path: Path) -> tuple[int, int]:
    """The harvest's count (ESearch's, or the list's) and what it says landed."""
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT count, landed FROM harvests").fetchone()
    return (row[0], row[1]) if row else (0, 0)


def main() -> int:
    args = arguments(__doc__.splitlines()[0])
    runs = 10 if args.quick else 50
    tally = Tally("harvest")
    with EntrezServer() as server:
        for number in range(runs):
            harvest_once(server, number, args.seed, tally)
    met = ", ".join(f"{n} {what}" for what, n in SEEN.items())
    return tally.report(f"{runs} harvests in {tally.elapsed:.0f} s: {met}")


if __name__ == "__main__":
    sys.exit(main())
