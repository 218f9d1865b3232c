"""Reliability: two and three processes deciding and importing on one review at once.

    python benchmarks/reliability_concurrency.py [--quick] [--rounds N]

Each round starts, on a fresh real review (tests/screening_fixtures.py and 300 records of a
real screening data set), two or three
processes together: reviewers deciding through ScreeningSession (the core the screen calls; one
decision per transaction, as a person pressing keys, until the protocol's team rules leave a
reviewer nothing to decide) and `metasift import` runs of real fixture
files in several formats. Mixes: a reviewer and an import; two reviewers and an import; a
reviewer and two imports. An input (a round) is clean when every process exits 0 with no
"locked" or "busy" error, every decision made is in the review, and every file landed whole
(its record count as imported alone into an empty review). "Lost" counts decisions a process
made that are not in the review, and records of a file that did not land.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability_lines import (  # noqa: E402
    METASIFT,
    ROOT,
    Tally,
    arguments,
    metasift_env,
    run_metasift,
)

FIXTURES = ROOT / "tests" / "fixtures"
TO_SCREEN = FIXTURES / "screening" / "nagtegaal2019_nudging_healthcare_300.csv"
IMPORTS = (
    FIXTURES / "ris" / "citesource_WoS_79.ris",
    FIXTURES / "medline" / "synthesisr_PubMed_example.txt",
    FIXTURES / "ris" / "citesource_psycinfo_64.ris",
    FIXTURES / "csv" / "litstudy_scopus.csv",
)
MIXES = {  # name: reviewers deciding, import processes
    "reviewer+import": (("ana",), 1),
    "2 reviewers+import": (("ana", "ben"), 1),
    "reviewer+2 imports": (("ana",), 2),
}
DECIDER = """
import sys
from screening.decisions.session import ScreeningSession
from screening.review import load_review

path, reviewer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
review = load_review(path)
session = ScreeningSession(review.db, review.protocol, reviewer)
made = 0
# a colleague's votes can empty this reviewer's queue (the protocol's team rules): then stop
while made < count and session.current_id is not None:
    session.decide(("include", "maybe")[made % 2])
    made += 1
review.db.close()
print(made)
"""


def alone_counts(tmp: Path) -> dict[Path, int]:
    """Each file's records, imported alone into an empty review."""
    from tests.screening_fixtures import make_review

    counts = {}
    for number, path in enumerate(IMPORTS):
        db_path = make_review(tmp / f"alone-{number}", files=())
        run = run_metasift(["import", path, "--review", db_path])
        if run.returncode != 0:
            raise SystemExit(f"{path.name} does not import alone: {run.stderr}")
        counts[path] = table_count(db_path, "records")
    return counts


def table_count(db_path: Path, table: str, where: str = "", *args: object) -> int:
    with sqlite3.connect(db_path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table} {where}", args).fetchone()[0])


def one_round(
    tmp: Path, number: int, mix: str, decisions: int, alone: dict[Path, int], tally: Tally
) -> None:
    from tests.screening_fixtures import FILES, make_review

    reviewers, importers = MIXES[mix]
    db_path = make_review(tmp / f"round-{number}", files=(*FILES, TO_SCREEN))
    before = table_count(db_path, "records")
    shares = [IMPORTS[i::importers] for i in range(importers)]
    commands = [[*METASIFT, "import", *map(str, f), "--review", str(db_path)] for f in shares]
    commands += [
        [sys.executable, "-c", DECIDER, str(db_path), name, str(decisions)] for name in reviewers
    ]
    processes = [  # all at once
        subprocess.Popen(
            command, env=metasift_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    problems, said = [], []
    for process in processes:
        out, err = process.communicate(timeout=600)
        said.append(out.strip())
        if process.returncode != 0 or "locked" in err or "busy" in err:
            problems.append(f"{mix}: exit {process.returncode}: {err.strip()[-200:]!r}")
    lost = 0
    for name, made in zip(reviewers, said[importers:], strict=True):
        made_count = int(made) if made.isdigit() else 0
        kept = table_count(db_path, "decisions", "WHERE reviewer = ?", name)
        lost += max(0, made_count - kept)
        if kept != made_count:
            problems.append(f"{mix}: {name} made {made or 'no'} decisions, {kept} in the review")
    landed = table_count(db_path, "records") - before
    expected = sum(alone[p] for p in IMPORTS)
    lost += max(0, expected - landed)
    if landed != expected:
        problems.append(f"{mix}: {landed} records landed of {expected}")
    tally.add(problems, lost)


def main() -> int:
    args = arguments(
        __doc__.splitlines()[0],
        ("--rounds", {"type": int, "help": "rounds per mix (default 5, 1 with --quick)"}),
    )
    rounds = args.rounds or (1 if args.quick else 5)
    decisions = 100 if args.quick else 150  # two reviewers share the 315 records to screen
    tally = Tally("concurrency", lost_label="records and decisions lost")
    with tempfile.TemporaryDirectory(prefix="rel-concurrency-") as tmp:
        alone = alone_counts(Path(tmp))
        for number in range(rounds):
            for index, mix in enumerate(MIXES):
                label = number * len(MIXES) + index
                one_round(Path(tmp), label, mix, decisions, alone, tally)
    return tally.report(
        f"{rounds} rounds of {len(MIXES)} mixes in {tally.elapsed:.0f} s, {decisions} decisions "
        f"per reviewer, {sum(alone.values())} records imported per round"
    )


if __name__ == "__main__":
    sys.exit(main())
