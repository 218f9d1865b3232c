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
from typing import Any

from tui_latency import decisions, every_decision, p95, summary


def report_ranking(db_path: Path, n: int, p95_import: float, rounds: int = 3) -> None:
    """Decisions with the ranking on, against the same records met with it off, in rounds.

    A ranked list meets other records than import order does (in the benchmark's corpus, the
    copies of one long abstract, nearly twice the text per card), and a longer card costs
    more to draw whatever the order; so the baseline that isolates the ranking's cost
    decides, from the same starting state, the very records the ranked run decided, in the
    same order, with the ranking off. One run's p95 rests on its slowest 15 decisions and
    moves by several ms between runs with nothing changed, so each round decides them a
    second time ranking off (how far p95s move by chance), and the growth is read from all
    rounds' decisions pooled, with a bootstrap interval that resamples rounds as well as
    decisions (see p95_difference). Each run has an interpreter of its own, as each
    `metasift screen` does (see decided())."""
    runs = db_path.parent.parent / "ranking-runs"
    start = copy_review(db_path, runs / "start")  # the state every run starts from
    by_round: dict[str, list[list[float]]] = {"on": [], "off": [], "again": []}
    for round_ in range(rounds):
        on, shown = decided(copy_review(start, runs / "on"), n, ranking=True)
        off, _ = decided(copy_review(start, runs / "off"), n, replay=shown)
        again, _ = decided(copy_review(start, runs / "again"), n, replay=shown)
        for kept, times in zip(by_round.values(), (on, off, again), strict=True):
            kept.append(times)
        print(
            f"  round {round_ + 1}: p95 ranking on {p95(on):.1f} ms, off {p95(off):.1f}, "
            f"off again {p95(again):.1f} (on - off {p95(on) - p95(off):+.1f}, "
            f"off again - off {p95(again) - p95(off):+.1f})"
        )
    shutil.rmtree(runs)
    pools = {kind: _pooled(kept) for kind, kept in by_round.items()}
    print(summary(f"most likely first, {rounds} rounds pooled", pools["on"]))
    print(summary("its records, ranking off", pools["off"]))
    print(summary("the same again, ranking off", pools["again"]))
    grew, low, high = p95_difference(by_round["on"], by_round["off"])
    by_chance = p95(pools["again"]) - p95(pools["off"])
    p50 = statistics.median(pools["on"]) - statistics.median(pools["off"])
    print(
        f"  p95 ranking on minus off: {grew:+.1f} ms (95% bootstrap interval {low:+.1f} to "
        f"{high:+.1f}); off again minus off, by chance: {by_chance:+.1f}; p50 {p50:+.1f} ms"
    )
    verdict = (
        f"no growth shown (the interval holds 0; it is {high - low:.1f} ms wide)"
        if low <= 0
        else "NOT met (the interval is above 0)"
    )
    print(f"  goal, the p95 does not grow: {verdict}")
    print(f"  (minus import order's p95, other records: {p95(pools['on']) - p95_import:+.1f} ms)")


def decided(db_path: Path, n: int, **options: Any) -> tuple[list[float], list[int]]:
    """ms per decision (include, exclude and maybe alike) over n decisions, 0.1 s apart, and
    the records decided, in turn; in a fresh interpreter (a Worker: it prints to stderr), as
    a reviewer's screen runs. Runs one after another in one process compared unequal: a
    later run's full garbage collections walked what the earlier apps left (15 ms each,
    against 3 in a first run)."""
    from screening.workers import Worker

    with Worker() as worker:
        worker.send(_decided, db_path, n, options)
        return worker.receive()


def _decided(db_path: Path, n: int, options: dict[str, Any]) -> tuple[list[float], list[int]]:
    shown: list[int] = []
    times = asyncio.run(decisions(db_path, n, pause=0.1, shown=shown, **options))
    return every_decision(times), shown


def copy_review(db_path: Path, folder: Path) -> Path:
    """A fresh copy, in folder, of the review whose file is db_path; the copy's file."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(db_path.with_name("review.toml"), folder / "review.toml")
    copy = folder / db_path.name
    source, target = sqlite3.connect(db_path), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def p95_difference(
    a: list[list[float]], b: list[list[float]], draws: int = 2000
) -> tuple[float, ...]:
    """p95(a) - p95(b) over every round's times pooled, and the 2.5th and 97.5th percentiles
    of that difference over bootstrap resamples (seeded: the same figures for the same
    times). A resample draws rounds with replacement, then each drawn round's decisions
    with replacement, ranking on and off of the same round together: runs differ from one
    another by more than their decisions do (the same replay twice moved its p95 by up to
    1.2 ms), and resampling decisions alone would hide that."""
    import numpy as np

    rng = np.random.default_rng(0)
    pairs = [(np.asarray(x), np.asarray(y)) for x, y in zip(a, b, strict=True)]
    resampled = []
    for _ in range(draws):
        drawn = [pairs[i] for i in rng.integers(len(pairs), size=len(pairs))]
        on = np.concatenate([rng.choice(x, x.size) for x, _ in drawn])
        off = np.concatenate([rng.choice(y, y.size) for _, y in drawn])
        resampled.append(np.percentile(on, 95) - np.percentile(off, 95))
    low, high = np.percentile(resampled, [2.5, 97.5])
    return p95(_pooled(a)) - p95(_pooled(b)), float(low), float(high)


def _pooled(rounds: list[list[float]]) -> list[float]:
    return [t for times in rounds for t in times]


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
