"""How long a reviewer screening the review waits while a large import runs.

    python benchmarks/import_lock.py [--sizes 10000 100000] [--workdir DIR]

DESIGN.md promises that a long write (a 100k import) keeps the review's write lock short, so a
reviewer deciding meanwhile barely waits. For each size this builds the PubMed XML corpus of
benchmarks/import_speed.py, starts `metasift import` into a new review, and meanwhile a second
process takes the write lock the way a screening decision does (BEGIN IMMEDIATE, COMMIT) every
20 ms. It prints the import's time and the writer's waits: median, 99th percentile, longest,
the one that ended when the records landed (the import's landing step, its one long
transaction) and the longest after it (what filling the search index made the writer wait).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_pubmed_corpus.py"
METASIFT = Path(sys.executable).with_name("metasift")


def corpus(size: int, work: Path) -> Path:
    xml = work / f"pubmed_{size}.xml"
    if not xml.exists():
        subprocess.run(
            [sys.executable, str(MAKE_CORPUS), str(size), str(xml)], check=True, capture_output=True
        )
    return xml


@dataclass
class LockRun:
    """One import under the competing writer: its time (s), each try's wait (s), and the
    first try that found the records landed (len(waits) if none did)."""

    elapsed: float
    waits: list[float]
    landed_at: int

    @property
    def longest(self) -> float:
        return max(self.waits)

    @property
    def landing(self) -> float:
        """The wait that ended when the records landed: the landing step's hold, mostly."""
        return self.waits[self.landed_at] if self.landed_at < len(self.waits) else 0.0

    @property
    def longest_after_landing(self) -> float:
        """What the import's work after its landing step (filling the search index) made a
        decision wait at most."""
        return max(self.waits[self.landed_at + 1 :], default=0.0)


_LANDED = "SELECT EXISTS (SELECT 1 FROM records)"


def bench(size: int, work: Path, prepare: Callable[[Path], None] | None = None) -> LockRun:
    """Print and return the run; prepare, if given, is run on the new review.db first
    (benchmarks/search.py turns the search index off with it, to measure without)."""
    xml = corpus(size, work)
    review = work / f"lock_review_{size}"
    subprocess.run(["rm", "-rf", str(review)], check=True)
    subprocess.run([str(METASIFT), "init", str(review)], check=True, capture_output=True)
    if prepare:
        prepare(review / "review.db")
    writer = sqlite3.connect(review / "review.db", timeout=60, isolation_level=None)
    started = time.perf_counter()
    run = subprocess.Popen(
        [str(METASIFT), "import", "--review", str(review), str(xml)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    waits: list[float] = []
    landed_at = None
    while run.poll() is None:
        asked = time.perf_counter()
        writer.execute("BEGIN IMMEDIATE")  # what recording a decision needs
        if landed_at is None and writer.execute(_LANDED).fetchone()[0]:
            landed_at = len(waits)
        writer.execute("COMMIT")
        waits.append(time.perf_counter() - asked)
        time.sleep(0.02)
    result = LockRun(
        time.perf_counter() - started, waits, len(waits) if landed_at is None else landed_at
    )
    writer.close()
    if run.returncode:
        raise SystemExit(f"metasift import failed:\n{run.stderr.read() if run.stderr else ''}")
    subprocess.run(["rm", "-rf", str(review)], check=True)  # 2 GB at 100,000 records
    report(size, result)
    return result


def report(size: int, run: LockRun) -> None:
    waits = sorted(run.waits)
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    print(
        f"{size:>8,} records  import {run.elapsed:6.1f} s ({size / run.elapsed:,.0f} rec/s)  "
        f"a decision's wait for the lock over {len(waits):,} tries: "
        f"median {statistics.median(waits) * 1000:.1f} ms, p99 {p99 * 1000:.0f} ms, "
        f"longest {waits[-1] * 1000:.0f} ms; the landing's {run.landing * 1000:.0f} ms, "
        f"the longest after it {run.longest_after_landing * 1000:.0f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="metasift-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        bench(size, work)


if __name__ == "__main__":
    main()
