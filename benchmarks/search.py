"""Search speed on the FTS5 index at 100,000 records, and what the index costs an import.

    python benchmarks/search.py [--records 100000] [--runs 40] [--rounds 3] [--workdir DIR]
                                [--skip-import | --skip-queries]

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
   after the landing step (as shipped) and without it (the import as it was: the index table
   dropped and its mark set past every record, so neither words nor facets are filled), each
   timed as a whole process, wall and CPU (user + system: what a machine shared with other
   work barely changes); then the same pair under benchmarks/import_lock.py's competing writer,
   for a decision's longest wait for the lock. --rounds pairs of each, the order alternating
   (without first, then with first, ...), judged on the medians. Goal: the index adds < 15% to
   the import, and the longest wait stays within 15% of the import's without it.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
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


def without_index(db_path: Path) -> None:
    """The review as an import saw it before search: no index table, and the mark of how far
    the index reaches past any record, so the import fills neither words nor facets."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE records_fts")
        conn.execute(f"UPDATE search_index_state SET indexed_through = {2**63 - 1}")


def import_seconds(xml: Path, work: Path, with_index: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of `metasift import` into a new review, as a whole process."""
    review = work / f"speed_review_{with_index}"
    subprocess.run(["rm", "-rf", str(review)], check=True)
    subprocess.run([str(METASIFT), "init", str(review)], check=True, capture_output=True)
    if not with_index:
        without_index(review / "review.db")
    seconds, cpu, _, _ = peak_rss([str(METASIFT), "import", "--review", str(review), str(xml)])
    subprocess.run(["rm", "-rf", str(review)], check=True)  # 2 GB at 100,000 records
    return seconds, cpu


def change(without: float, with_index: float) -> str:
    return f"{(with_index / without - 1) * 100:+.1f}%"


def orders(rounds: int) -> list[tuple[bool, bool]]:
    """Without then with, then the other way round, and so on: a machine that slows down or
    speeds up during the run weighs on both sides alike."""
    return [(False, True) if n % 2 == 0 else (True, False) for n in range(rounds)]


def import_costs(records: int, work: Path, rounds: int) -> None:
    """The import alone, then under a competing writer, with and without the index, in
    alternating order; the goals are judged on the medians."""
    xml = import_lock.corpus(records, work)
    print(f"\nImport of {records:,} PubMed XML records, {rounds} rounds, order alternating:")
    alone: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for order in orders(rounds):
        for with_index in order:
            alone[with_index].append(import_seconds(xml, work, with_index))
        (wall0, cpu0), (wall1, cpu1) = alone[False][-1], alone[True][-1]
        print(
            f"  without {wall0:5.1f} s ({cpu0:4.1f} s CPU), with the index {wall1:5.1f} s "
            f"({cpu1:4.1f} s CPU): {change(wall0, wall1)} ({change(cpu0, cpu1)} CPU)"
        )
    wall = [statistics.median(t[0] for t in alone[w]) for w in (False, True)]
    cpu = [statistics.median(t[1] for t in alone[w]) for w in (False, True)]
    paired = [  # each round's pair ran back to back: the load they met was alike
        statistics.median(b[i] / a[i] - 1 for a, b in zip(alone[False], alone[True], strict=True))
        for i in (0, 1)
    ]
    print(
        f"  median: without {wall[0]:.1f} s, with {wall[1]:.1f} s: {change(*wall)} "
        f"(CPU {cpu[0]:.1f} s, {cpu[1]:.1f} s: {change(*cpu)}); median of the rounds' own: "
        f"{paired[0] * 100:+.1f}% ({paired[1] * 100:+.1f}% CPU) (goal < +15%)"
    )
    lock_costs(records, work, rounds)


def lock_costs(records: int, work: Path, rounds: int) -> None:
    print("  under a competing writer (benchmarks/import_lock.py), order alternating:")
    runs: dict[bool, list[import_lock.LockRun]] = {False: [], True: []}
    for order in orders(rounds):
        for with_index in order:
            print("  with the index   " if with_index else "  without          ", end="")
            prepare = None if with_index else without_index
            runs[with_index].append(import_lock.bench(records, work, prepare=prepare))

    def median_ms(figure: Callable[[import_lock.LockRun], float]) -> list[float]:
        return [statistics.median(figure(r) for r in runs[w]) * 1000 for w in (False, True)]

    longest = median_ms(lambda r: r.longest)
    landing, after = median_ms(lambda r: r.landing), median_ms(lambda r: r.longest_after_landing)
    took = [statistics.median(r.elapsed for r in runs[w]) for w in (False, True)]
    print(
        f"  median longest wait: without {longest[0]:.0f} ms, with {longest[1]:.0f} ms: "
        f"{change(*longest)} (goal: within 15%); the landing's {landing[0]:.0f} and "
        f"{landing[1]:.0f} ms, the longest after it {after[0]:.0f} and {after[1]:.0f} ms; "
        f"the import meanwhile {took[0]:.1f} and {took[1]:.1f} s: {change(*took)}"
    )


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=40, help="screen searches per query")
    ap.add_argument("--workdir", type=Path, help="keeps the corpus and reviews between runs")
    ap.add_argument("--skip-import", action="store_true", help="only the query timings")
    ap.add_argument("--rounds", type=int, default=3, help="import pairs, order alternating")
    ap.add_argument("--skip-queries", action="store_true", help="only the import's costs")
    return ap.parse_args()


def query_times(args: argparse.Namespace, work: Path) -> None:
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


def main() -> None:
    args = arguments()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="metasift-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if not args.skip_queries:
        query_times(args, work)
    if not args.skip_import:
        import_costs(args.records, work, args.rounds)


if __name__ == "__main__":
    main()
