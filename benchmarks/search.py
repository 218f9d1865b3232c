"""Search speed on the FTS5 index at 100,000 records, and what the index costs an import.

    python benchmarks/search.py [--records 100000] [--runs 40] [--rounds 2] [--workdir DIR]
                                [--skip-import]

1. Queries: a word, a prefix, a phrase and a field filter, on the real-shaped 100k review that
   benchmarks/tui_latency.py builds (real PubMed records repeated with fresh PMIDs):
   - in the screen: headless 120x40, from running what the search box's Enter runs (the
     session's set_filter and the record shown) to the screen redrawn; --runs times each;
   - from the CLI: `metasift records --search QUERY` as a whole process (Python start-up
     included), 5 times each, median;
   - the floor beside them, in the same run: what search did before, a substring LIKE over the
     same six text fields for the word (it also matched inside words).
   Goal: p95 < 50 ms per query in the screen.
2. The import: `metasift import` of the same corpus into a new review, with the index filled
   after the landing step (as shipped) and without it (the index table dropped first, so the
   import skips it: the import as it was), each timed as a whole process; then the same pair
   under benchmarks/import_lock.py's competing writer, for a decision's longest wait for the
   lock. Goal: the index adds < 15% to the import, and the lock hold stays within 15%.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import import_lock
from measure import peak_rss
from tui_latency import METASIFT, build_review, summary, time_refresh

QUERIES = {
    "word": "patients",
    "prefix": "random*",
    "phrase": '"breast cancer"',
    "field filter": "title:cancer year:>2010",
}
FLOOR_WORD = "patients"
_FLOOR = " OR ".join(
    f"{column} LIKE ?"
    for column in ("title", "abstract", "authors", "journal", "keywords", "mesh_terms")
)


async def screen_times(db_path: Path, runs: int) -> dict[str, list[float]]:
    from screening.decisions.session import ScreeningSession
    from screening.review import load_review
    from screening.tui.app import make_app
    from screening.tui.screening_screen import ScreeningScreen

    review = load_review(db_path)
    session = ScreeningSession(review.db, review.protocol, "bench")
    app = make_app(lambda: ScreeningScreen(session))
    times: dict[str, list[float]] = {label: [] for label in QUERIES}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        for _ in range(runs):
            for label, query in QUERIES.items():

                def search(text: str = query) -> None:  # what the search box's Enter runs
                    session.set_filter(query=text)
                    screen.show_record()

                times[label].append(await time_refresh(app, search))
                session.clear_filter()  # not timed
                await asyncio.sleep(0.05)
    review.close()
    return times


def floor_times(db_path: Path, runs: int) -> list[float]:
    """The substring search it replaced, for the word, over a connection of its own."""
    conn = sqlite3.connect(db_path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(f"SELECT id FROM records WHERE {_FLOOR}", [f"%{FLOOR_WORD}%"] * 6).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return times


def cli_times(db_path: Path) -> dict[str, tuple[float, int]]:
    """(median ms, records listed) per query for `metasift records --search`."""
    found = {}
    for label, query in QUERIES.items():
        runs = []
        for _ in range(5):
            cmd = [str(METASIFT), "records", "--review", str(db_path), "--search", query]
            seconds, _, _, out = peak_rss(cmd)
            runs.append(seconds * 1000)
        found[label] = (statistics.median(runs), len(out.splitlines()))
    return found


def drop_index(db_path: Path) -> None:
    """The review as an import saw it before: no index to fill."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE records_fts")


def import_seconds(xml: Path, work: Path, with_index: bool) -> float:
    review = work / f"speed_review_{with_index}"
    subprocess.run(["rm", "-rf", str(review)], check=True)
    subprocess.run([str(METASIFT), "init", str(review)], check=True, capture_output=True)
    if not with_index:
        drop_index(review / "review.db")
    seconds, _, _, _ = peak_rss([str(METASIFT), "import", "--review", str(review), str(xml)])
    return seconds


def import_costs(records: int, work: Path, rounds: int) -> None:
    xml = import_lock.corpus(records, work)
    print(
        f"\nImport of {records:,} PubMed XML records, without and with the index, {rounds} rounds:"
    )
    for _ in range(rounds):
        without = import_seconds(xml, work, with_index=False)
        with_index = import_seconds(xml, work, with_index=True)
        print(
            f"  whole process: without {without:.1f} s, with {with_index:.1f} s: "
            f"{(with_index / without - 1) * 100:+.1f}% (goal < +15%)"
        )
    for _ in range(rounds):
        print("  under a competing writer (benchmarks/import_lock.py), without, then with:")
        before = import_lock.bench(records, work, prepare=drop_index)[-1] * 1000
        after = import_lock.bench(records, work)[-1] * 1000
        change = (after / before - 1) * 100
        print(f"  longest wait: without {before:.0f} ms, with {after:.0f} ms: {change:+.1f}%")


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=40, help="screen searches per query")
    ap.add_argument("--workdir", type=Path, help="keeps the corpus and reviews between runs")
    ap.add_argument("--skip-import", action="store_true", help="only the query timings")
    ap.add_argument("--rounds", type=int, default=2, help="import pairs, alternating")
    return ap.parse_args()


def main() -> None:
    args = arguments()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="metasift-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = build_review(args.records, work)
    print(f"Search, {args.records:,} records; in the screen (goal: p95 < 50 ms), then the CLI")
    screen = asyncio.run(screen_times(db_path, args.runs))
    cli = cli_times(db_path)
    for label, query in QUERIES.items():
        print(summary(f"{label}: {query}", screen[label]))
    for label, query in QUERIES.items():
        median, listed = cli[label]
        print(f"  CLI {label + ': ' + query:<30} median {median:6.0f} ms, {listed:,} records")
    floor = statistics.median(floor_times(db_path, 10))
    print(f"  floor: substring LIKE for {FLOOR_WORD!r} (as search did before): {floor:.1f} ms")
    if not args.skip_import:
        import_costs(args.records, work, args.rounds)


if __name__ == "__main__":
    main()
