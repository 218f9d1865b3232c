"""The ranking's share of `tui_latency.py`: its --ranking and --rerank-only figures.

- report_ranking: decisions with the ranking on, against a baseline that decides the very
  records the ranked run decided, in its order, from the same starting state, ranking off.
- report_rerank: the time from sending a reviewer's decisions to the re-ranked list being in
  place, and of that the part on the screen's thread.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tui_latency import decisions, summary


def report_ranking(db_path: Path, n: int, p95_import: float) -> None:
    """Decisions with the ranking on, against the same records met with it off.

    A ranked list meets other records than import order does (in the benchmark's corpus, the
    copies of one long abstract, nearly twice the text per card), and a longer card costs
    more to draw whatever the order; so the baseline that isolates the ranking's cost
    decides, from the same starting state, the very records the ranked run decided, in the
    same order, with the ranking off."""
    control = db_path.parent.parent / "control" / db_path.name
    control.parent.mkdir(exist_ok=True)
    shutil.copy(db_path.with_name("review.toml"), control.with_name("review.toml"))
    with sqlite3.connect(db_path) as source, sqlite3.connect(control) as copy:
        source.backup(copy)  # the state before the ranked run
    shown: list[int] = []
    ranked = asyncio.run(decisions(db_path, n, pause=0.1, ranking=True, shown=shown))
    same = asyncio.run(decisions(control, n, pause=0.1, replay=shown))
    shutil.rmtree(control.parent)
    every_ranked = ranked["include"] + ranked["exclude"] + ranked["maybe"]
    every_same = same["include"] + same["exclude"] + same["maybe"]
    print(summary("same, most likely first (ranking on)", every_ranked))
    print(summary("its records, ranking off (baseline)", every_same))
    p95_ranked = statistics.quantiles(every_ranked, n=100)[94]
    grew = p95_ranked - statistics.quantiles(every_same, n=100)[94]
    print(f"  p95 with ranking on minus off, same records: {grew:+.1f} ms")
    print(f"  (minus import order's p95, other records: {p95_ranked - p95_import:+.1f} ms)")


def report_rerank(db_path: Path, records: int) -> None:
    goal = 100 if records <= 10_000 else 1000
    ready, applies = rerank_times(db_path)
    print(summary("decisions sent -> re-ranked list in place", ready))
    print(summary("  of which the list reordered (UI thread)", applies))
    print(f"  goal < {goal} ms: {'met' if max(ready) < goal else 'NOT met'} (max)")


def rerank_times(db_path: Path, rounds: int = 5) -> tuple[list[float], list[float]]:
    """ms from sending a reviewer's decisions to the re-ranked list in place, the way the
    screen does it (screening/tui/ranking_order.py): the changed verdicts sent, the worker's
    retrain and scoring, the answer, and the session reordering its list; and, of that, the
    session's reordering alone (the only part on the screen's thread)."""
    from screening.decisions.session import ScreeningSession
    from screening.review import load_review
    from screening.tui.ranking_order import ScreenRanking

    review = load_review(db_path)
    session = ScreeningSession(review.db, review.protocol, "ranker")
    session.set_order("relevance")
    applies: list[float] = []
    session.apply_ranking = timed(session.apply_ranking, applies)  # type: ignore[method-assign]
    ranking = ScreenRanking(session)
    started = time.perf_counter()
    ranking.start()
    assert ranking.ranker is not None
    ranking.ranker.poll(wait=True)
    print(
        f"  features of {len(session.pool):,} records built in the worker in "
        f"{time.perf_counter() - started:.1f} s"
    )
    times = []
    try:
        for round_ in range(rounds):
            for i in range(40):  # 40 more decisions per round, one include in five
                session.decide("include" if (round_ * 40 + i) % 5 == 0 else "exclude")
            started = time.perf_counter()
            ranking.send()
            ranking.poll(wait=True)
            times.append((time.perf_counter() - started) * 1000)
            if ranking.rankings != round_ + 1 or ranking.ranker.failed:
                raise SystemExit(f"no ranking came back: {ranking.ranker.failed}")
    finally:
        ranking.close()
        review.close()
    return times, applies


def timed(function: Callable[..., None], times: list[float]) -> Callable[..., None]:
    """function, noting the ms each call takes in times."""

    def call(*args: object) -> None:
        started = time.perf_counter()
        function(*args)
        times.append((time.perf_counter() - started) * 1000)

    return call
