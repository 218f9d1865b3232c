"""Reliability: screening killed with SIGKILL at random moments loses no decision it showed.

    python benchmarks/reliability_crash.py [--quick] [--kills N]

A child process runs the real screening screen (MetasiftApp through Textual's Pilot, headless)
on a small real review (tests/screening_fixtures.py) and decides records with the reviewer's
keys (i, m, e then a reason number) as fast as it can; after each key it prints what the
screen's status line showed as recorded ("Include #12 · u undoes"). The parent kills it with
SIGKILL at a random moment: one kill in five while the app starts, the rest 0-2 s after it is
ready. After every kill: every decision the screen showed is among the decision events,
`PRAGMA integrity_check` says ok, and the next child opens the app again (a last child checks
that after the last kill).
"""

from __future__ import annotations

import asyncio
import random
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability_lines import Tally, arguments, integrity  # noqa: E402

REVIEWER = "ana"
SHOWN = re.compile(r"#(\d+) · u undoes")
KEYS = {"i": "include", "m": "maybe", "e": "exclude"}
OPEN_WITHIN = 60.0  # seconds for the app to be ready on 2 busy cores


# -- the child: the screen, deciding until it is killed -----------------------------------------


async def screen_until_killed(folder: Path, seed: int, open_only: bool) -> None:
    from tests.tui.snapshot_apps.screening_app import build

    app = build(folder, REVIEWER)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print("READY", flush=True)
        if open_only:
            return
        rng = random.Random(seed)
        screen = pilot.app.screen
        status = screen.query_one("#status")
        while True:
            key = rng.choice(list(KEYS))
            record = screen.session.current_id  # type: ignore[attr-defined]
            status.say("")  # type: ignore[attr-defined]  # so a stale line is never read
            await pilot.press(key)
            if key == "e":
                await pilot.press(str(rng.randint(1, 3)))
            found = SHOWN.search(str(status.render()))
            if found and int(found.group(1)) == record:
                print(f"SHOWN {record} {KEYS[key]}", flush=True)


# -- the parent: kills, then checks -------------------------------------------------------------


def decisions(db_path: Path) -> Counter[tuple[int, str]]:
    import sqlite3

    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT record_id, verdict FROM decisions WHERE reviewer = ?", [REVIEWER]
        ).fetchall()
    return Counter((int(r), str(v)) for r, v in rows)


def child(folder: Path, seed: int, open_only: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, __file__, "--child", str(folder), "--seed", str(seed)]
    return subprocess.Popen(
        args + (["--open-only"] if open_only else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_lines(process: subprocess.Popen[str], until: float, stop_at_ready: bool) -> list[str]:
    """The child's lines until the deadline (or READY), without blocking past it."""
    assert process.stdout is not None
    lines: list[str] = []
    while (left := until - time.monotonic()) > 0:
        ready, _, _ = select.select([process.stdout], [], [], left)
        if not ready:
            break
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if stop_at_ready and line.strip() == "READY":
            break
    return lines


def one_kill(folder: Path, rng: random.Random, number: int, shown: Counter, tally: Tally) -> None:
    process = child(folder, rng.randrange(1 << 30))
    problems: list[str] = []
    lines: list[str] = []
    if rng.random() < 0.2:  # while the app starts
        lines += read_lines(process, time.monotonic() + rng.uniform(0.0, 1.5), False)
    else:
        lines += read_lines(process, time.monotonic() + OPEN_WITHIN, True)
        if "READY" not in lines:
            err = process.stderr.read() if process.stderr else ""
            problems.append(f"the app did not open: {err[-300:]!r}")
        lines += read_lines(process, time.monotonic() + rng.uniform(0.0, 2.0), False)
    process.send_signal(signal.SIGKILL)
    rest, err = process.communicate(timeout=30)
    lines += rest.splitlines()
    if "Traceback" in err:
        problems.append(f"child failed: {err.strip().splitlines()[-1]}")
    for line in lines:
        if line.startswith("SHOWN "):
            _, record, verdict = line.split()
            shown[(int(record), verdict)] += 1
    recorded = decisions(folder / "review.db")
    lost = sum(max(0, n - recorded[k]) for k, n in shown.items())
    if lost:
        problems.append(f"{lost} decisions shown as recorded are missing")
    check = integrity(folder / "review.db")
    if check != "ok":
        problems.append(f"integrity_check: {check}")
    tally.add(problems, lost)


def opens(folder: Path) -> list[str]:
    process = child(folder, 0, open_only=True)
    out, err = process.communicate(timeout=OPEN_WITHIN * 2)
    if "READY" in out and process.returncode == 0:
        return []
    return [f"the app did not open after the last kill: {err.strip()[-300:]!r}"]


def main() -> int:
    args = arguments(
        __doc__.splitlines()[0],
        ("--kills", {"type": int, "help": "kills (default 100, 10 with --quick)"}),
        ("--child", {"help": "run the screen on this review folder until killed"}),
        ("--open-only", {"action": "store_true", "help": "with --child: open, then quit"}),
    )
    if args.child:
        asyncio.run(screen_until_killed(Path(args.child), args.seed, args.open_only))
        return 0
    from tests.screening_fixtures import make_review

    kills = args.kills or (10 if args.quick else 100)
    rng = random.Random(args.seed)
    tally = Tally("crash", lost_label="decisions lost")
    shown: Counter[tuple[int, str]] = Counter()
    with tempfile.TemporaryDirectory(prefix="rel-crash-") as tmp:
        folder = Path(tmp) / "review"
        make_review(folder)
        for number in range(kills):
            one_kill(folder, rng, number, shown, tally)
        last = opens(folder)
        if last:
            tally.problems.append(last[0])
            tally.clean -= 1  # the last kill's input: the app must open after it
        events = sum(decisions(folder / "review.db").values())
    return tally.report(
        f"{kills} kills in {tally.elapsed:.0f} s; {sum(shown.values())} decisions shown, "
        f"{events} events in the review"
    )


if __name__ == "__main__":
    sys.exit(main())
