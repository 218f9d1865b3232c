"""Two reviewers at 100,000 records: how long `metasift status` and `metasift agreement` take.

    python benchmarks/dual_review_status.py [--records 100000] [--runs 5] [--workdir DIR]

1. The review: the real-shaped PubMed corpus of benchmarks/tui_latency.py imported with the real
   `metasift import` (made once per size, then copied fresh), with a version 2 protocol that
   asks two decisions per record at both stages. 1,000 pairs of records are made duplicate
   clusters, as `metasift dedup` would.
2. Decisions, written as events: ana decides records 1 to 50,000 and ben 10,001 to 60,000
   (40,000 decided by both, so both stages have pending, agreed and conflicting records); ben
   flips a seeded 10% of ana's verdicts; 500 of ana's are changed later and 500 undone.
3. Timed: the first `status` after those writes (it builds every kept outcome, once); then,
   each the median of --runs and run in turn with a floor (the machine may be shared, so
   each figure has its floor measured beside it, and the median ratio), `status` and
   `agreement` as whole commands (start-up included; floor: `metasift --version`) and as core
   calls on an open review (floor: a bare `SELECT count(*) FROM current_decisions`): read
   from the kept outcomes, and derived on read as they were before (migration 18); a whole
   rebuild (what editing review.toml's rules costs the next reader); the catch-up of 1,000
   decisions written by another program; and one decision written with and without keeping
   its cluster's outcome (the screen's cost per keypress).
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

from sqlite_utils import Database

from db.dedup import MemberRow, replace_members
from measure import peak_rss
from screening.protocol import Protocol, template
from tui_latency import METASIFT, build_review

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


Timing = tuple[float, float, float]  # seconds, floor seconds, ratio


def paired(call: Callable[[], object], floor: Callable[[], object], runs: int) -> Timing:
    """Median seconds of call and of floor, run in turns so both see the same machine (it is
    shared), and the median of the per-run ratios. A call that returns a float has timed
    itself (only part of what it does is measured)."""
    times, floors, ratios = [], [], []
    for _ in range(runs):
        floors.append(_seconds(floor))
        times.append(_seconds(call))
        ratios.append(times[-1] / floors[-1])
    return statistics.median(times), statistics.median(floors), statistics.median(ratios)


def _seconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    took = call()
    return took if isinstance(took, float) else time.perf_counter() - started


def core_calls(db_path: Path, runs: int) -> list[tuple[str, Timing]]:
    from screening.decisions.agreement import review_agreement, units_agreement, units_of
    from screening.decisions.progress import review_progress, stage_progress, states_by_stage
    from screening.review import load_review

    review = load_review(db_path)
    db, p = review.db, review.protocol

    def floor() -> object:
        return db.execute("SELECT count(*) FROM current_decisions").fetchone()

    def derived_status() -> object:  # what status did before the outcomes were kept
        return [stage_progress(st, p, s) for s, st in states_by_stage(db, p).items()]

    def derived_agreement() -> object:
        return [units_agreement(units_of(st.values()), p, s)
                for s, st in states_by_stage(db, p).items()]  # fmt: skip

    timed = [
        ("status core, kept outcomes", lambda: review_progress(db, p)),
        ("agreement core, kept outcomes", lambda: review_agreement(db, p)),
        ("status core, derived on read (before)", derived_status),
        ("agreement core, derived on read (before)", derived_agreement),
        ("rebuild every kept outcome (review.toml edited)", lambda: _rebuild(db, p)),
        ("catch up 1,000 decisions written elsewhere", lambda: _catch_up(db, p)),
    ]
    out = [(label, paired(call, floor, runs)) for label, call in timed]
    ids = [r[0] for r in db.execute("SELECT id FROM records ORDER BY id LIMIT 200")]
    for label, hooked in (("one decision written, outcomes kept", True),
                          ("one decision written, not kept (before)", False)):  # fmt: skip
        writes = [_decision_write(db, p, rid, hooked) for rid in ids]
        out.append((f"{label} (x{len(ids)})", (statistics.median(writes), 0.0, 0.0)))
    review.close()
    return out


def _rebuild(db: Database, protocol: Protocol) -> None:
    from screening.decisions.kept_outcomes import refresh

    with db.atomic():
        db.execute("UPDATE cluster_outcome_state SET fingerprint = NULL")
        refresh(db, protocol)


_more = iter(range(10**6))


def _catch_up(db: Database, protocol: Protocol) -> float:
    """Ben changes his mind on 1,000 records through another program (no refresh when
    written); the read that follows refreshes their clusters. Only the read is timed."""
    from screening.decisions.kept_outcomes import read_kept

    ids = [r[0] for r in db.execute("SELECT id FROM records ORDER BY id LIMIT 1000 OFFSET 30000")]
    n = next(_more)
    when = (START + timedelta(days=30, seconds=n)).isoformat(timespec="milliseconds")
    rows = [(str(uuid.uuid4()), rid, "ben", "title-abstract", "maybe", None, when) for rid in ids]
    with sqlite3.connect(db_path_of(db)) as other:
        other.executemany(
            "INSERT INTO decisions (uuid, record_id, reviewer, stage, verdict, undoes, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    started = time.perf_counter()
    read_kept(db, protocol, lambda db: None)
    return time.perf_counter() - started


def db_path_of(db: Database) -> str:
    return str(db.execute("PRAGMA database_list").fetchone()[2])


def _decision_write(db: Database, protocol: Protocol, rid: int, hooked: bool) -> float:
    from db.decisions import record_decisions
    from screening.decisions.kept_outcomes import keep_fresh

    when = datetime.now(UTC).isoformat(timespec="milliseconds")
    row = {"uuid": str(uuid.uuid4()), "record_id": rid, "reviewer": "ben",
           "stage": "title-abstract", "verdict": "include", "created_at": when}  # fmt: skip
    then = (lambda d: keep_fresh(d, protocol)) if hooked else None
    started = time.perf_counter()
    record_decisions(db, [row], then)
    return time.perf_counter() - started


def whole_commands(db_path: Path, runs: int) -> list[tuple[str, Timing, float]]:
    def cli(*args: str) -> list[str]:
        return [str(METASIFT), *args, "--review", str(db_path)]

    version = [str(METASIFT), "--version"]
    commands = [
        ("metasift status", cli("status")),
        ("metasift status --json", cli("status", "--json")),
        ("metasift agreement", cli("agreement")),
    ]
    out = []
    for label, cmd in commands:
        peaks: list[float] = []

        def run(cmd: list[str] = cmd, peaks: list[float] = peaks) -> None:
            peaks.append(peak_rss(cmd)[2])

        out.append((label, paired(run, lambda: peak_rss(version), runs), max(peaks)))
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
    first = peak_rss([str(METASIFT), "status", "--review", str(db_path)])
    print(f"first `metasift status` after the events were written (builds every kept outcome): "
          f"{first[0]:.3f} s, {first[2]:.0f} MiB")  # fmt: skip
    print("whole commands: median of runs, beside `metasift --version` run in turn (floor), "
          "and the median ratio; goals: status < 0.5 s, agreement < 1 s")  # fmt: skip
    for label, (median, floor, ratio), mib in whole_commands(db_path, args.runs):
        print(f"  {label:<50} {median:6.3f} s  floor {floor:6.3f} s  x{ratio:5.2f}  {mib:4.0f} MiB")
    print("core calls on an open review: median of runs, beside `SELECT count(*) FROM "
          "current_decisions` run in turn (floor), and the median ratio")  # fmt: skip
    for label, (median, floor, ratio) in core_calls(db_path, args.runs):
        beside = f"  floor {floor:6.3f} s  x{ratio:5.2f}" if floor else ""
        print(f"  {label:<50} {median * (1000 if not floor else 1):6.3f} "
              f"{'ms' if not floor else 's '}{beside}")  # fmt: skip


if __name__ == "__main__":
    main()
