"""Merging reviewers' copies: time and peak memory of `metasift merge` on a large review.

    python benchmarks/merge_copies.py [--records 20000 100000] [--workdir DIR]

For each size: the review is built as benchmarks/tui_latency.py builds it (a real-shaped PubMed
corpus through the real `metasift import`), with reviewers ana and ben. `metasift copy` writes
a copy for each; each copy gets decisions on half the records (50,000 each at 100,000: ana the
first half, ben a random half, so they overlap as dual screening does), written the way the
screen writes them. Then, each as a process of its own (wall time and peak RSS):
1. `metasift merge` of both copies into the main file;
2. the same merge again (adds nothing);
3. the baseline, in the same run: a bare INSERT OR IGNORE of the same rows, their record ids
   already mapped, into a fresh copy of the main file in one transaction, with the page
   cache merge gives itself (no reading of copies, no checks, no mapping);
4. the floor of any metasift process: `metasift --help`.
Goal: merging both copies < 5 s at 100,000 records; memory flat from 20,000 to 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import peak_rss  # noqa: E402
from tui_latency import METASIFT, build_review, run  # noqa: E402

REVIEWERS = ("ana", "ben")
BASELINE = """
import json, sqlite3, sys, time
main, rows_file = sys.argv[1], sys.argv[2]
rows = json.load(open(rows_file))
conn = sqlite3.connect(main, isolation_level=None)
conn.execute("PRAGMA cache_size = -16384")  # the page cache merge gives itself
columns = list(rows[0])
marks = ", ".join("?" * len(columns))
sql = f"INSERT OR IGNORE INTO decisions ({', '.join(columns)}) VALUES ({marks})"
started = time.perf_counter()
conn.execute("BEGIN IMMEDIATE")
conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])
conn.execute("COMMIT")
print(time.perf_counter() - started)
"""


def prepare(records: int, work: Path) -> tuple[Path, list[Path]]:
    """The main review for this size with ana and ben listed, and a copy for each."""
    main = build_review(records, work).parent
    toml = main / "review.toml"
    text = toml.read_text(encoding="utf-8").replace('reviewers = ["bench"]', "")
    toml.write_text(text + 'reviewers = ["ana", "ben"]\n', encoding="utf-8")
    copies = []
    for name in REVIEWERS:
        folder = work / f"to-{name}"
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        run([str(METASIFT), "copy", "--review", str(main), "--for", name, "-o", str(folder)])
        print(f"  metasift copy --for {name}: {time.perf_counter() - started:.1f} s")
        copies.append(folder / "review.db")
    return main, copies


def screen_in(copy: Path, reviewer: str, record_ids: list[int]) -> None:
    """Decisions as the screen writes them: one event per record, with a note now and then."""
    from db.connection import open_review
    from db.decisions import record_decisions

    db = open_review(copy)
    record_decisions(
        db,
        (
            {
                "uuid": str(uuid.uuid4()),
                "record_id": rid,
                "reviewer": reviewer,
                "stage": "title-abstract",
                "verdict": ("include", "exclude", "maybe")[i % 3],
                "reason": "wrong population" if i % 3 == 1 else None,
                "note": f"note {i}" if i % 10 == 0 else None,
                "tags": None,
                "undoes": None,
                "batch": None,
                "created_at": f"2026-03-01T00:00:{i % 60:02d}.{i % 1000:03d}+00:00",
            }
            for i, rid in enumerate(record_ids)
        ),
    )
    db.close()


def baseline_rows(main: Path, copies: list[Path], out: Path) -> int:
    """The copies' decisions with the main file's record ids, for the bare insert."""
    rows = []
    ids = dict(sqlite3.connect(main).execute("SELECT uuid, id FROM records"))
    for copy in copies:
        conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        for row in conn.execute(
            "SELECT d.*, r.uuid AS record_uuid FROM decisions d "
            "JOIN records r ON r.id = d.record_id"
        ):
            event = {k: row[k] for k in row.keys() if k not in ("id", "record_uuid")}
            event["record_id"] = ids[row["record_uuid"]]
            rows.append(event)
        conn.close()
    out.write_text(json.dumps(rows), encoding="utf-8")
    return len(rows)


def one_size(records: int, work: Path) -> dict[str, float]:
    print(f"\n{records:,} records: two copies with {records // 2:,} decisions each")
    main, copies = prepare(records, work)
    rng = random.Random(records)
    all_ids = list(range(1, records + 1))
    screen_in(copies[0], "ana", all_ids[: records // 2])
    screen_in(copies[1], "ben", sorted(rng.sample(all_ids, records // 2)))
    fresh = work / "baseline.db"
    shutil.copyfile(main / "review.db", fresh)
    rows = baseline_rows(main / "review.db", copies, work / "rows.json")
    os.sync()  # the gigabytes just copied are written out before the clock starts, not during
    merge = [str(METASIFT), "merge", "--review", str(main), *map(str, copies), "--json"]
    wall, cpu, mib, out = peak_rss(merge)
    added = sum(r["added"] for r in json.loads(out))
    again_wall, _, again_mib, again = peak_rss(merge)
    readded = sum(r["added"] for r in json.loads(again))
    os.sync()
    base_wall, _, base_mib, base_out = peak_rss(
        [sys.executable, "-c", BASELINE, str(fresh), str(work / "rows.json")]
    )
    floor_wall, _, floor_mib, _ = peak_rss([str(METASIFT), "--help"])
    if added != rows or readded:
        raise SystemExit(f"merge added {added:,} of {rows:,} events, then {readded:,} again")
    print(f"  {'merge both copies':<24} {wall:5.2f} s wall, {cpu:5.2f} s CPU, {mib:6.1f} MiB peak")
    print(f"  {'the same merge again':<24} {again_wall:5.2f} s wall, {again_mib:6.1f} MiB peak")
    print(
        f"  baseline, bare INSERT OR IGNORE of the same {rows:,} rows: "
        f"{float(base_out):5.2f} s for the insert ({base_wall:.2f} s process, {base_mib:.1f} MiB)"
    )
    print(f"  {'floor, metasift --help':<24} {floor_wall:5.2f} s wall, {floor_mib:6.1f} MiB peak")
    return {"wall": wall, "mib": mib, "floor_mib": floor_mib}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "metasift-bench-merge"
    )
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"  load average before the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    found = {n: one_size(n, args.workdir) for n in args.records}
    largest = found[max(found)]
    print(
        f"\nGoal < 5 s for both copies at {max(found):,} records: "
        f"{'met' if largest['wall'] < 5 else 'NOT met'} ({largest['wall']:.2f} s)"
    )
    if len(found) > 1:
        low, high = found[min(found)], largest
        print(
            f"Peak memory {low['mib']:.1f} MiB at {min(found):,} records, {high['mib']:.1f} MiB "
            f"at {max(found):,} (a bare metasift process: {high['floor_mib']:.1f} MiB)"
        )


if __name__ == "__main__":
    main()
