"""Importer reliability at full size: every format, thousands of mutated real files.

    python benchmarks/reliability_importers.py [--per-format 10000] [--formats medline ovid]
        [--seed 1] [--big-field-mb 5] [--keep DIR]

For each format, mutated copies of its real fixtures (tests/fixtures/, files up to 100 KB;
byte flips, truncation, duplicated and removed lines, NULs, re-encodings, CR/CRLF, BOMs at
the start and mid-file, hostile control characters, and in about 1 input in 100 a field of
--big-field-mb MB) go through screening.importing.import_file in this process, half with the
format detected and half forced to the fixture's own, into one review that is put back after
each input. The check is tests/importer_mutations.ImportCheck: each input imports, or is
refused with a one-line MetasiftError naming the file and the review's tables unchanged
(dumps compared); an import leaves no control character in the normalised fields; an input
whose mutations keep every record whole brings every record in. Per format, one line:

    importers/<format> | inputs N | clean N | unclean N | records lost N | S s

(an input that loses records counts as unclean). The baseline, measured in the same run and
printed to stderr first: each unmutated fixture imported once, its records and time. Exit 0
when no input was unclean, else 1 (the first few unclean inputs are described on stderr,
and with --keep saved there to reproduce).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.connection import open_review  # noqa: E402
from screening.review import init_review  # noqa: E402
from tests.importer_mutations import (  # noqa: E402
    MUTATIONS,
    ImportCheck,
    Outcome,
    big_field,
    fixtures_by_format,
    mutate,
)

MAX_FIXTURE_BYTES = 100_000
SHOWN_PROBLEMS = 5


def baseline(check: ImportCheck, fixtures: dict[str, list[Path]]) -> dict[Path, int]:
    """Records per unmutated fixture (what a mutation that keeps records must bring in)."""
    expected = {}
    for fmt, paths in sorted(fixtures.items()):
        start = time.perf_counter()
        for path in paths:
            expected[path] = check.records_in(path)
        ms = (time.perf_counter() - start) * 1000 / len(paths)
        records = sum(expected[p] for p in paths)
        print(
            f"baseline importers/{fmt}: {len(paths)} unmutated fixtures, {records} records, "
            f"{ms:.1f} ms per import",
            file=sys.stderr,
        )
    return expected


def run_format(
    fmt: str, paths: list[Path], args: argparse.Namespace, check: ImportCheck, work: Path
) -> bool:
    rng = random.Random(f"{args.seed}-{fmt}")
    mutations = MUTATIONS * 10 + [big_field(int(args.big_field_mb * (1 << 20)))]
    datas = {path: path.read_bytes() for path in paths}
    clean = unclean = lost = shown = imported = whole_imported = 0
    start = time.perf_counter()
    for n in range(args.per_format):
        path = rng.choice(paths)
        mutant = mutate(datas[path], rng, mutations)
        target = work / path.name
        target.write_bytes(mutant.data)
        forced = rng.choice(["auto", fmt])
        outcome = check.run(target, forced, args.expected[path], mutant.keeps_records)
        lost += outcome.lost
        imported += outcome.imported
        whole_imported += outcome.imported and mutant.keeps_records
        if outcome.clean and not outcome.lost:
            clean += 1
            continue
        unclean += 1
        if shown < SHOWN_PROBLEMS:
            shown += 1
            describe(fmt, n, path, mutant.kind, forced, outcome, target, args.keep)
    seconds = time.perf_counter() - start
    print(
        f"importers/{fmt}: {imported} imported ({whole_imported} of them with every record "
        f"kept whole, so checked for losses), {args.per_format - imported} refused",
        file=sys.stderr,
    )
    print(
        f"importers/{fmt} | inputs {args.per_format} | clean {clean} | unclean {unclean} | "
        f"records lost {lost} | {seconds:.1f} s",
        flush=True,
    )
    return unclean == 0


def describe(
    fmt: str,
    n: int,
    path: Path,
    kind: str,
    forced: str,
    outcome: Outcome,
    target: Path,
    keep: Path | None,
) -> None:
    saved = ""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        copy = keep / f"{fmt}-{n}-{path.name}"
        shutil.copy(target, copy)
        saved = f" (saved as {copy})"
    problem = outcome.problem or f"{outcome.lost} records lost"
    print(
        f"unclean importers/{fmt} input {n}: {path.name}, {kind}, --format {forced}{saved}:\n"
        f"  {problem.strip()}",
        file=sys.stderr,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-format", type=int, default=10_000)
    parser.add_argument("--formats", nargs="*", help="only these formats (default: all)")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--big-field-mb", type=float, default=5.0)
    parser.add_argument("--keep", type=Path, help="save the unclean inputs here")
    args = parser.parse_args()
    fixtures = fixtures_by_format(MAX_FIXTURE_BYTES)
    if args.formats:
        fixtures = {fmt: fixtures[fmt] for fmt in args.formats}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        init_review(work / "review", title="reliability")
        db = open_review(work / "review" / "review.db")
        seed_file = min((p for ps in fixtures.values() for p in ps), key=lambda p: p.stat().st_size)
        check = ImportCheck(db, seed_file, work)
        args.expected = baseline(check, fixtures)
        results = [run_format(fmt, paths, args, check, work) for fmt, paths in fixtures.items()]
        db.close()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
