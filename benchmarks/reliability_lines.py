"""What every reliability check shares: its printed line, running metasift as a user would, and
judging what it said (one line, exit 1, no traceback) and what it left (table dumps).

Every check prints one line per check (or per format):

    name | inputs N | clean N | unclean N | records lost N

and, indented on stderr, what made an input unclean (the first few), so a reader can act on it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
METASIFT = [sys.executable, "-c", "from screening.cli import main; main()"]
SHOW_UNCLEAN = 12  # examples of what went wrong, per check
# the note metasift prints before a harvest when no email is set is not an error line
NOTES = ("Note: ",)


@dataclass
class Tally:
    """A check's inputs, each clean or unclean (with why), and what was lost."""

    name: str
    lost_label: str = "records lost"
    inputs: int = 0
    clean: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def add(self, problems: Sequence[str], lost: int = 0) -> None:
        """One input: clean when it has no problems."""
        self.inputs += 1
        self.lost += lost
        if problems:
            self.problems.append(f"input {self.inputs}: " + "; ".join(problems))
        else:
            self.clean += 1

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def unclean(self) -> int:
        return self.inputs - self.clean

    def line(self) -> str:
        return (
            f"{self.name} | inputs {self.inputs} | clean {self.clean} | "
            f"unclean {self.unclean} | {self.lost_label} {self.lost}"
        )

    def note(self, text: str) -> None:
        """A line for the reader on stderr: what the inputs were, how long they took."""
        print(f"  {self.name}: {text}", file=sys.stderr, flush=True)

    def report(self, summary: str = "") -> int:
        """Print the summary (stderr), the line (stdout) and the first problems (stderr); 1 when
        anything was unclean."""
        if summary:
            self.note(summary)
        print(self.line(), flush=True)
        for problem in self.problems[:SHOW_UNCLEAN]:
            print(f"  {self.name}: {problem}", file=sys.stderr, flush=True)
        return 1 if self.unclean else 0


def arguments(description: str, *extra: tuple[str, dict[str, Any]]) -> argparse.Namespace:
    """--quick, --seed, and any extra (flag, add_argument options) a check needs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--seed", type=int, default=11, help="the random choices' seed")
    for flag, options in extra:
        parser.add_argument(flag, **options)
    return parser.parse_args()


def run_metasift(
    args: Sequence[object],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """metasift ARGS in a process of its own, as a user runs it."""
    return subprocess.run(
        [*METASIFT, *map(str, args)],
        env=env or metasift_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def metasift_env(**extra: str) -> dict[str, str]:
    """This environment with metasift importable from the worktree (or from RELIABILITY_CODE,
    another checkout, for a baseline) and no real NCBI access."""
    code = os.environ.get("RELIABILITY_CODE", str(ROOT))
    env = {**os.environ, "PYTHONPATH": code, **extra}
    env.setdefault("METASIFT_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")
    return env


def message_problems(run: subprocess.CompletedProcess[str], cause: str | None = None) -> list[str]:
    """What is wrong with how a command answered: a traceback, or a refusal that is not one
    line with exit 1 (matching cause, a regular expression, when given)."""
    errors = [line for line in run.stderr.splitlines() if not line.startswith(NOTES)]
    said = " / ".join(errors)[:300]
    if "Traceback" in run.stderr or "Traceback" in run.stdout:
        return [f"traceback (exit {run.returncode}): {errors[-1][:200] if errors else ''}"]
    if run.returncode == 0:
        return []
    problems = []
    if run.returncode != 1:
        problems.append(f"exit {run.returncode}")
    if len(errors) != 1 or not errors[0].startswith("Error: "):
        problems.append(f"not one error line: {said!r}")
    elif cause and not re.search(cause, errors[0], re.IGNORECASE):
        problems.append(f"does not say /{cause}/: {said!r}")
    return problems


def table_dump(path: Path) -> list[str]:
    """Every table's rows as SQL, read from a copy of the file and its WAL (the file may sit on
    a full or read-only disk, where even a reader cannot make its -shm)."""
    with tempfile.TemporaryDirectory(prefix="rel-dump-") as tmp:
        for suffix in ("", "-wal"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                shutil.copyfile(source, Path(tmp) / f"copy.db{suffix}")
        db = sqlite3.connect(Path(tmp) / "copy.db")
        try:
            return list(db.iterdump())
        finally:
            db.close()


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()
