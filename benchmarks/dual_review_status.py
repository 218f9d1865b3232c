"""Two reviewers at 100,000 records: how long `metasift status` and `metasift agreement` take.

    python benchmarks/dual_review_status.py [--records 100000] [--runs 5] [--workdir DIR]

1. The review: the real-shaped PubMed corpus of benchmarks/tui_latency.py imported with the real
   `metasift import` (made once per size, then copied fresh), with a version 2 protocol that
   asks two decisions per record at both stages. 1,000 pairs of records are made duplicate
   clusters, as `metasift dedup` would.
2. Decisions, written as events: ana decides records 1 to 50,000 and ben 10,001 to 60,000
   (40,000 decided by both, so both stages have pending, agreed and conflicting records); ben
   flips a seeded 10% of ana's verdicts; 500 of ana's are changed later and 500 undone.
3. Timed, each the median of --runs: `status` and `agreement` as whole commands (a fresh
   process, start-up included) and as core calls on an open review; beside them, in the same
   run, the floors: `metasift --version` as a whole command, and a bare
   `SELECT count(*) FROM current_decisions` on the same file, beside the same count on
   migration 8's form of the view (before migration 9 changed its plan).
Goals: status < 0.5 s, agreement < 1 s.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from measure import peak_rss
from tui_latency import METASIFT, build_review

from db.dedup import MemberRow, replace_members
from db.migrations import m008_decisions_in_force as m008
from screening.protocol import template

REVIEWERS = ("ana", "ben")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def protocol() -> str:
    return (
        template("Dual review benchmark")
        .replace("reviewers = []", 'reviewers = ["ana", "ben"]')
        .replace("{ title-abstract = 1, full-text = 1 }", "{ title-abstract = 2, full-text = 2 }")
    )


def events(ids: list[int], seed: int = 10) -> list[tuple]:
    """(uuid, record_id, reviewer, stage, verdict, undoes, created_at) for both reviewers."""
    draw = random.Random(seed)
    ana = {rid: "include" if draw.random() < 0.2 else "exclude" for rid in ids[:50_000]}
    flip = {"include": "exclude", "exclude": "include"}
    ben = {rid: flip[ana.get(rid, "exclude")] if draw.random() < 0.1 else ana.get(rid, "exclude")
           for rid in ids[10_000:60_000]}  # fmt: skip
    rows, clock = [], iter(range(10**7))

    def add(rid: int, who: str, verdict: str, undoes: str | None = None) -> str:
        when = (START + timedelta(milliseconds=next(clock))).isoformat(timespec="milliseconds")
        rows.append((str(uuid.uuid4()), rid, who, "title-abstract", verdict, undoes, when))
        return rows[-1][0]

    for rid in ids[:500]:  # a change of mind: the later event is in force
        add(rid, "ana", flip[ana[rid]])
    for who, said in (("ana", ana), ("ben", ben)):
        for rid, verdict in said.items():
            add(rid, who, verdict)
    for rid in ids[500:1000]:  # a slip, undone
        add(rid, "ana", "undo", add(rid, "ana", "maybe"))
    return rows


def prepare(db_path: Path) -> int:
    db_path.with_name("review.toml").write_text(protocol(), encoding="utf-8")
    from db.connection import open_review

    db = open_review(db_path)
    ids = [r[0] for r in db.execute("SELECT id FROM records ORDER BY id")]
    pairs = [(ids[i], ids[i + 1]) for i in range(20_000, 22_000, 2)]
    with db.atomic():
        replace_members(
            db,
            [MemberRow(r, a, a, "reviewer", None, None, "bench") for a, b in pairs for r in (a, b)],
        )
    rows = events(ids)
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO decisions (uuid, record_id, reviewer, stage, verdict, undoes, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()
    return len(rows)


def median_seconds(run: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def core_calls(db_path: Path, runs: int) -> list[tuple[str, float, float]]:
    from screening.decisions.agreement import review_agreement
    from screening.decisions.progress import stage_progress, states_by_stage
    from screening.decisions.stage_outcomes import stage_states
    from screening.review import load_review

    review = load_review(db_path)
    db, p = review.db, review.protocol
    # migration 8's view as it was, for comparison (a TEMP view: nothing written to the file)
    db.execute(f"CREATE TEMP VIEW m008_current_decisions AS {m008.CURRENT_DECISIONS}")

    def status() -> object:
        return [stage_progress(st, p, s) for s, st in states_by_stage(db, p).items()]

    timed = [
        ("SELECT count(*) FROM current_decisions (floor)",
         lambda: db.execute("SELECT count(*) FROM current_decisions").fetchone()),
        ("the same on migration 8's view (before)",
         lambda: db.execute("SELECT count(*) FROM m008_current_decisions").fetchone()),
        ("stage_states(title-abstract)", lambda: stage_states(db, p, "title-abstract")),
        ("stage_states(full-text), title-abstract read too",
         lambda: stage_states(db, p, "full-text")),
        ("status core (both stages)", status),
        ("agreement core (both stages)", lambda: review_agreement(db, p)),
    ]  # fmt: skip
    out = [(label, *median_seconds(call, runs)) for label, call in timed]
    review.close()
    return out


def whole_commands(db_path: Path, runs: int) -> list[tuple[str, float, float, float]]:
    commands = [
        ("metasift --version (floor)", [str(METASIFT), "--version"]),
        ("metasift status", [str(METASIFT), "status", "--review", str(db_path)]),
        ("metasift status --json", [str(METASIFT), "status", "--json", "--review", str(db_path)]),
        ("metasift agreement", [str(METASIFT), "agreement", "--review", str(db_path)]),
    ]
    out = []
    for label, cmd in commands:
        measured = [peak_rss(cmd) for _ in range(runs)]
        walls = [m[0] for m in measured]
        out.append((label, statistics.median(walls), max(walls), max(m[2] for m in measured)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "metasift-bench")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db_path = build_review(args.records, args.workdir)
    written = prepare(db_path)
    with sqlite3.connect(db_path) as conn:
        in_force = conn.execute("SELECT count(*) FROM current_decisions").fetchone()[0]
    print(f"{args.records:,} records, {written:,} decision events, {in_force:,} in force")
    print(
        "whole commands (median and max of runs, peak RSS); goals: status < 0.5 s, agreement < 1 s"
    )
    for label, median, worst, mib in whole_commands(db_path, args.runs):
        print(f"  {label:<50} {median:6.3f} s  max {worst:6.3f} s  {mib:5.0f} MiB")
    print("core calls on an open review (median and max of runs):")
    for label, median, worst in core_calls(db_path, args.runs):
        print(f"  {label:<50} {median:6.3f} s  max {worst:6.3f} s")


if __name__ == "__main__":
    main()
