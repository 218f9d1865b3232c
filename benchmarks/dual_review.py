"""Two reviewers at 100,000 records, every figure issue 10 asks for, in one run.

    python benchmarks/dual_review.py [--records 100000]

Runs, one after the other on the same machine (each prints its own floor or baseline,
measured in the same run):
1. merge_copies.py: merging two copies holding 50,000 decisions each (goal < 5 s, memory
   flat), against a bare INSERT OR IGNORE of the same rows;
2. dual_review_status.py: `metasift status` (goal < 0.5 s) and `metasift agreement` (< 1 s),
   against `metasift --version` and a bare count of the decisions in force;
3. tui_latency.py --dual, then without: the screen's decision-to-next-record p95 with dual
   review on, beside the same figure with it off and a bare Textual app.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    args = ap.parse_args()
    size = ["--records", str(args.records)]
    runs = [
        ["merge_copies.py", *size],
        ["dual_review_status.py", *size],
        ["tui_latency.py", *size, "--decisions", "300", "--dual"],
        ["tui_latency.py", *size, "--decisions", "300"],
    ]
    for script, *options in runs:
        print(f"\n== {script} {' '.join(options)}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *options], check=False)
        if done.returncode:
            raise SystemExit(f"{script} failed (exit {done.returncode})")


if __name__ == "__main__":
    main()
