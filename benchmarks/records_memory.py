"""Peak memory of `metasift records` (plain and --json), streamed, against its baseline.

    python benchmarks/records_memory.py [--sizes 20000 200000] [--before main] [--workdir DIR]

For each size it builds a real-shaped PubMed XML corpus with ../shared/tools/make_pubmed_corpus.py
(real records repeated with fresh PMIDs), imports it, then runs each command as its own process
with its output sent to a file, and prints its peak RSS and time:
- `metasift export records --format csv` (the baseline: it always streamed),
- `metasift records` and `metasift records --json` as they are now,
- the same two from the records.py of git ref --before (default main), which built the whole
  list first ("before"); skipped with --before ''.
Issue 11 measured, before: --json 5.1 GB and plain 959 MB at 200,000 records, the CSV export
42 MB. Goal: both listings within a few MB of the CSV export, flat in the number of records.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import peak_rss

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_pubmed_corpus.py"
METASIFT = Path(sys.executable).with_name("metasift")
# The records command of another commit, run with this checkout's other modules.
OLD_COMMAND = """
import sys, types
module = types.ModuleType("records_before")
exec(compile(open(sys.argv[1]).read(), "records_before.py", "exec"), module.__dict__)
module.records.main(sys.argv[2:], prog_name="metasift records")
"""


def measure(label: str, cmd: list[str], out: Path, floor: float | None) -> float:
    """Run cmd with stdout to out; print its time and peak RSS (and the ratio to floor)."""
    shell = f"exec {shlex.join(cmd)} > {shlex.quote(str(out))}"
    seconds, _, mib, _ = peak_rss(["sh", "-c", shell])
    ratio = f"  {mib / floor:5.1f}x baseline" if floor else ""
    size = out.stat().st_size / 1e6
    print(f"  {label:<44} {mib:8.1f} MiB peak {seconds:6.1f} s  {size:7.1f} MB out{ratio}")
    return mib


def build_review(size: int, work: Path) -> Path:
    xml = work / f"pubmed_{size}.xml"
    if not xml.exists():
        subprocess.run(
            [sys.executable, str(MAKE_CORPUS), str(size), str(xml)], check=True, capture_output=True
        )
    review = work / f"review_{size}"
    if not (review / "review.db").exists():
        subprocess.run([str(METASIFT), "init", str(review)], check=True, capture_output=True)
        subprocess.run(
            [str(METASIFT), "import", "--review", str(review), str(xml)],
            check=True,
            capture_output=True,
        )
    return review


def old_records(ref: str, work: Path) -> Path | None:
    """screening/cli/records.py as it was at ref, or None when git cannot show it."""
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:screening/cli/records.py"],
        capture_output=True,
        text=True,
    )
    if shown.returncode:
        print(f"(no 'before' lines: git show {ref} failed: {shown.stderr.strip()})")
        return None
    path = work / f"records_{ref.replace('/', '_')}.py"
    path.write_text(shown.stdout, encoding="utf-8")
    return path


def bench(size: int, work: Path, before: Path | None) -> None:
    review = build_review(size, work)
    print(f"{size:,} records ({(review / 'review.db').stat().st_size / 1e6:.0f} MB review file)")
    csv = [str(METASIFT), "export", "records", "--review", str(review), "--format", "csv"]
    floor = measure("export records --format csv (baseline)", [*csv, "-o", "-"], work / "o", None)
    listing = [str(METASIFT), "records", "--review", str(review)]
    measure("records (streamed)", listing, work / "o", floor)
    measure("records --json (streamed)", [*listing, "--json"], work / "o", floor)
    if before is not None:
        old = [sys.executable, "-c", OLD_COMMAND, str(before), "--review", str(review)]
        measure("records (before: whole list in memory)", old, work / "o", floor)
        measure("records --json (before)", [*old, "--json"], work / "o", floor)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000])
    ap.add_argument("--before", default="main", help="git ref for the 'before' lines ('' skips)")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="metasift-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    before = old_records(args.before, work) if args.before else None
    for size in args.sizes:
        bench(size, work, before)


if __name__ == "__main__":
    main()
