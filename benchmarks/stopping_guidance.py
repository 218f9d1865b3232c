"""Stopping guidance at scale: what it costs to compute, and that decisions never wait for it.

    python benchmarks/stopping_guidance.py [--records 100000] [--decisions 40] [--workdir DIR]

1. The review of benchmarks/tui_latency.py (built the same way, once per size), with the
   reviewer's decisions on every record but the last 1,000 (1 in 100 an include, one a
   second apart), so the history is as long as it gets.
2. The core, median of 5: the reviewer's whole history read and every figure computed (what
   the screen's panel runs in its thread once), the same after a decision (only what is new
   is read), and the team's (what `metasift status` adds to the cluster states it reads).
3. Decisions in the screen with a 0.7 s reading pause, so the panel's recount (0.5 s after a
   decision) runs in its thread between decisions, against the same screen with the recount
   pushed out of the run (the baseline, same run, same review copy): the p95 of decision ->
   next record drawn should not move.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tui_latency  # noqa: E402  (the review builder and the timing helpers)

LEFT = 1000  # records left undecided at the end of the queue
WARM_UP = 5  # first decisions of each run, not counted (the first draws are slower)


def decide_all_but_last(db_path: Path, reviewer: str) -> int:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    conn = sqlite3.connect(db_path)
    ids = [row[0] for row in conn.execute("SELECT id FROM records ORDER BY id")][:-LEFT]
    with conn:
        conn.executemany(
            "INSERT INTO decisions (uuid, record_id, reviewer, stage, verdict, created_at) "
            "VALUES (?, ?, ?, 'title-abstract', ?, ?)",
            [
                (
                    str(uuid.uuid4()),
                    rid,
                    reviewer,
                    "include" if i % 100 == 0 else "exclude",
                    (start + timedelta(seconds=i)).isoformat(timespec="milliseconds"),
                )  # fmt: skip
                for i, rid in enumerate(ids)
            ],
        )
    conn.close()
    return len(ids)


def median_seconds(step: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def core_costs(db_path: Path, total: int) -> None:
    from screening.decisions.stage_outcomes import stage_states
    from screening.review import load_review
    from screening.stopping.guidance import guidance
    from screening.stopping.history import History, ScreeningLog, reviewer_history, team_history

    with load_review(db_path) as review:
        rule, db, ta = review.protocol.stopping, review.db, "title-abstract"
        whole = median_seconds(lambda: guidance(reviewer_history(db, ta, "bench", total), rule))
        log = ScreeningLog(ta, "bench").read(db)

        def recount() -> None:  # what the panel's thread does after each later decision
            labels = log.read(db).labels()
            guidance(History(ta, "bench", labels, total), rule)

        again = median_seconds(recount)
        states = stage_states(db, review.protocol, ta)
        team = median_seconds(lambda: guidance(team_history(db, ta, states), rule))
        read = median_seconds(lambda: stage_states(db, review.protocol, ta), 3)
    print(f"  the reviewer's guidance, whole history (the panel, once): {whole * 1000:6.0f} ms")
    print(f"  the reviewer's guidance, after a decision (the panel):    {again * 1000:6.0f} ms")
    print(f"  the team's guidance (added to status):                    {team * 1000:6.0f} ms")
    print(f"  for scale, status's cluster states:                       {read * 1000:6.0f} ms")


async def timed_decisions(db_path: Path, n: int, refresh_after: float) -> list[float]:
    from screening.decisions.session import ScreeningSession
    from screening.review import load_review
    from screening.tui.app import make_app
    from screening.tui.screening_screen import ScreeningScreen
    from screening.tui.widgets.stopping_panel import StoppingPanel

    StoppingPanel.refresh_after = refresh_after
    review = load_review(db_path)
    session = ScreeningSession(review.db, review.protocol, tui_latency.REVIEWER)
    session.next_undecided()
    app = make_app(lambda: ScreeningScreen(session))
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        for i in range(n + WARM_UP):
            verdict = "include" if i % 10 == 0 else "maybe"
            times.append(
                await tui_latency.time_refresh(app, partial(screen.action_decide, verdict))
            )
            await asyncio.sleep(0.7)  # reading time: the recount runs in it
        await app.workers.wait_for_complete()
    review.close()
    return times[WARM_UP:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--decisions", type=int, default=40)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "metasift-bench")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db_path = tui_latency.build_review(args.records, args.workdir)
    decided = decide_all_but_last(db_path, tui_latency.REVIEWER)
    print(f"Stopping guidance, {args.records:,} records, {decided:,} decided by one reviewer")
    core_costs(db_path, args.records)
    pristine = db_path.with_name("pristine.db")
    shutil.copyfile(db_path, pristine)
    for label, refresh in (("recount pushed out (baseline)", 1e6), ("recount between", 0.5)):
        shutil.copyfile(pristine, db_path)
        times = asyncio.run(timed_decisions(db_path, args.decisions, refresh))
        print(tui_latency.summary(f"decision -> next, {label}", times))
    pristine.unlink()


if __name__ == "__main__":
    main()
