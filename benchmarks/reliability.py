"""Reliability: bad input, faults and crashes lose nothing. One line per check:

    check | inputs N | clean N | unclean N | <what> lost N | seconds

    python benchmarks/reliability.py                  # every check, full size
    python benchmarks/reliability.py --quick          # a short run of each
    python benchmarks/reliability.py --only harvest   # one check (repeat --only for more)

Each check is a script of its own, benchmarks/reliability_<name>.py, run here in a process of
its own (so one check's crash or leftovers cannot spoil the next) and runnable alone with the
same --quick; this driver relays their lines, adds the time each took, and shows what made
an input unclean. Exit 1 when any input was unclean or a check failed to run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKS = ("importers", "harvest", "crash", "concurrency", "disks", "secrets")
QUICK_PER_FORMAT = 200  # inputs per format for the importers check when it has no --quick
UNCLEAN = re.compile(r"\| unclean (\d+) \|")


def run_check(name: str, quick: bool) -> bool:
    """Run one check, relay its lines with its time; True when all it tried was clean."""
    script = HERE / f"reliability_{name}.py"
    if not script.exists():
        print(f"{name} | not present ({script.name} does not exist yet)", flush=True)
        return True
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, str(script), *(_quick_flags(script) if quick else [])],
        capture_output=True,
        text=True,
    )
    took = f"{time.perf_counter() - start:.1f} s"
    lines = [line for line in run.stdout.splitlines() if line.startswith(name)]
    for line in lines:
        print(f"{line} | {took}", flush=True)
    if run.stderr.strip():
        print(run.stderr.rstrip(), file=sys.stderr, flush=True)
    if not lines or (run.returncode not in (0, 1)):
        print(f"{name} | failed to run (exit {run.returncode}) | {took}", flush=True)
        return False
    return all(int(m.group(1)) == 0 for line in lines if (m := UNCLEAN.search(line)))


def _quick_flags(script: Path) -> list[str]:
    """--quick, or for a check written without it, its own way of asking for fewer inputs."""
    source = script.read_text(encoding="utf-8")
    if "--quick" in source or "--per-format" not in source:
        return ["--quick"]
    return ["--per-format", str(QUICK_PER_FORMAT)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run of each check")
    parser.add_argument("--only", action="append", choices=CHECKS, help="run only this check")
    args = parser.parse_args()
    clean = [run_check(name, args.quick) for name in (args.only or CHECKS)]
    return 0 if all(clean) else 1


if __name__ == "__main__":
    sys.exit(main())
