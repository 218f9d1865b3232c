"""Deduplication accuracy and speed on labelled sets, optionally against bib-dedupe.

    python benchmarks/dedup_eval.py DATASET.csv... [--concat] [--scale 50000 100000]
        [--vs-bib-dedupe] [--bib-dedupe-python PATH] [--workdir DIR]

Each DATASET.csv has the schema of ../shared/data/dedup/SOURCES.md (record_id, group_id, title,
authors, ...). For each one this script:
- makes a new review and imports the CSV through metasift's CSV importer (record_id becomes
  source_record_id; group_id is never read by metasift);
- runs `metasift dedup` on it as a separate process, timed whole (start-up included), with
  its peak memory;
- scores the clusters against group_id: pairwise precision, recall, F1, false-merge pairs and
  "lost records" (per predicted cluster, the distinct true clusters in it minus one);
- plays a perfect person on the doubtful queue (same when group_id agrees) through the core's
  own queue, and scores again; reports how many pairs and records the person saw;
- with --vs-bib-dedupe, runs bib-dedupe (prep, block, match, cluster; no person) on the same
  file in a separate process and scores it the same way, with its in-process time.
Then, in this process, each set once more with the rules made from it switched off (leave one
set out; screening/dedup/tuning.py says which set each rule was made from): a rule that only
fits its own set shows as a gain there and none elsewhere. --subsets also measures each
search (`subset`) of a file as a set of its own. A final table puts every set's figures side by
side, both tools from the same run.
--concat adds the concatenation of all the datasets; --scale N adds a set of N records made of
the datasets plus copies whose words are permuted (a consistent random mapping of the title,
author and journal vocabulary per copy, so clusters stay clusters and copies are unrelated)
and whose volumes and pages are shifted by 1000 per copy (or every copy would share the
originals' volume and page, which a real larger review does not).
bib-dedupe is a benchmark tool only: install it in its own venv (it brings pandas, which makes
sqlite-utils, and so every metasift command, slower to start) and pass --bib-dedupe-python.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from measure import peak_rss
from screening.dedup import tuning
from screening.dedup.canonical import DedupSettings
from screening.dedup.parallel import MIN_ITEMS

ROOT = Path(__file__).resolve().parent.parent
METASIFT = Path(sys.executable).with_name("metasift")
ORACLE = "perfect-person"

BIB_DEDUPE = r"""
import json, sys, time
import pandas as pd
import bib_dedupe.bib_dedupe as bd
from bib_dedupe.cluster import get_connected_components
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
df = df.rename(columns={"record_id": "ID", "authors": "author", "issue": "number",
                        "entry_type": "ENTRYTYPE"})
df["author"] = df["author"].str.replace("; ", " and ", regex=False)
df["ENTRYTYPE"] = df["ENTRYTYPE"].replace("", "article")
df = df.drop(columns=["group_id", "source_db", "subset", "pmid", "issn"], errors="ignore")
start = time.perf_counter()
prepared = bd.prep(df, verbosity_level=0)
blocked = bd.block(prepared, verbosity_level=0)
matched = bd.match(blocked, verbosity_level=0)
clusters = get_connected_components(matched[matched["duplicate_label"] == "duplicate"])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "clusters": [sorted(c) for c in clusters]}))
"""


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    false_pairs: int
    lost: int


@dataclass
class Row:
    """One set's line of the final table."""

    name: str
    records: int
    auto: Scores
    seconds: float
    queue_share: float | None = None
    left_out: list[str] = field(default_factory=list)
    loso: Scores | None = None
    before: Scores | None = None  # every rule of screening/dedup/tuning.py off
    bib_dedupe: Scores | None = None
    bib_dedupe_seconds: float | None = None


def pairs_in(sizes: list[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def score(predicted: dict[str, str], truth: dict[str, str]) -> Scores:
    """Pairwise precision/recall of a clustering (record -> cluster) against the truth."""
    together = Counter((predicted[r], truth[r]) for r in truth)
    tp = pairs_in(list(together.values()))
    pred = pairs_in(list(Counter(predicted[r] for r in truth).values()))
    true = pairs_in(list(Counter(truth.values()).values()))
    precision = tp / pred if pred else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    spread: dict[str, set[str]] = defaultdict(set)
    for r in truth:
        spread[predicted[r]].add(truth[r])
    lost = sum(len(groups) - 1 for groups in spread.values())
    return Scores(precision, recall, f1, pred - tp, lost)


def read_truth(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["record_id"]: row["group_id"] for row in csv.DictReader(f)}


def make_review(path: Path, work: Path) -> Path:
    from screening.importing import import_file
    from screening.review import init_review, load_review

    folder = work / f"review-{path.stem}"
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    db_path = init_review(folder, title=path.stem)
    with load_review(db_path) as review:
        import_file(review.db, path, fmt="csv", columns={"record_type": "entry_type"})
        if review.db.conn.in_transaction:  # until import_file commits its own transaction
            review.db.conn.commit()
    return db_path


def clusters_by_source_id(db_path: Path) -> dict[str, str]:
    from db.connection import open_review

    db = open_review(db_path)
    try:
        rows = db.execute(
            "SELECT r.source_record_id, c.cluster_id FROM records r "
            "JOIN record_clusters c ON c.record_id = r.id"
        )
        return {source_id: str(cluster) for source_id, cluster in rows}
    finally:
        db.close()


def play_person(db_path: Path, truth: dict[str, str]) -> tuple[int, int]:
    """Decide every doubtful pair as a perfect person would; (pairs seen, records seen)."""
    import uuid

    from db.connection import open_review
    from db.dedup import DIFFERENT, SAME, add_pair_decisions
    from screening.dedup.engine import prepare, recluster
    from screening.dedup.pair_review import utc_now

    db = open_review(db_path)
    try:
        source = dict(db.execute("SELECT id, source_record_id FROM records"))
        prepared = prepare(db)
        queue = recluster(db, prepared, DedupSettings())[1]
        seen_pairs, seen_records = 0, set[int]()
        while queue:
            events = []
            for item in queue:
                same = truth[source[item.record_a]] == truth[source[item.record_b]]
                events.append(
                    {
                        "uuid": str(uuid.uuid4()),
                        "record_a": item.record_a,
                        "record_b": item.record_b,
                        "verdict": SAME if same else DIFFERENT,
                        "reason": None,
                        "reviewer": ORACLE,
                        "undoes": None,
                        "created_at": utc_now(),
                    }
                )
                seen_records.update((item.record_a, item.record_b))
            seen_pairs += len(events)
            add_pair_decisions(db, events)
            queue = recluster(db, prepared, DedupSettings())[1]
        return seen_pairs, len(seen_records)
    finally:
        db.close()


def run_bib_dedupe(path: Path, python: str, truth: dict[str, str]) -> tuple[Scores, float, float]:
    _, _, mib, out = peak_rss([python, "-c", BIB_DEDUPE, str(path)])
    result = json.loads(out.strip().splitlines()[-1])
    predicted = {r: r for r in truth}
    for n, members in enumerate(result["clusters"]):
        for record_id in members:
            predicted[record_id] = f"bd{n}"
    return score(predicted, truth), result["seconds"], mib


def evaluate(path: Path, work: Path, args: argparse.Namespace, tuned_on: str) -> Row:
    truth = read_truth(path)
    db_path = make_review(path, work)
    loso_copy = work / f"loso-{path.stem}"
    subprocess.run(["rm", "-rf", str(loso_copy)], check=True)
    subprocess.run(["cp", "-r", str(db_path.parent), str(loso_copy)], check=True)
    wall, cpu, mib, _ = peak_rss([str(METASIFT), "dedup", "--review", str(db_path)])
    auto = score(clusters_by_source_id(db_path), truth)
    n = len(truth)
    row = Row(path.stem, n, auto, wall)
    print(f"\n{path.name}: {n:,} records, {len(set(truth.values())):,} true clusters")
    print(
        f"  metasift dedup (whole process)  {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
        f"{mib:6.0f} MiB peak  (load average {os.getloadavg()[0]:.1f})"
    )
    _line("automatic tier", auto)
    if not args.no_person:
        pairs, records = play_person(db_path, truth)
        _line("+ perfect person on the queue", score(clusters_by_source_id(db_path), truth))
        print(f"    queue: {pairs:,} pairs, {records:,} records ({records / n:.1%} of records)")
        row.queue_share = records / n
    if n < MIN_ITEMS:  # from there a worker process makes half the keys, every rule on
        row.left_out = tuning.tuned_on(tuned_on)
        row.loso = run_without(loso_copy / "review.db", truth, row.left_out)
        _line(f"without its own rules ({len(row.left_out)} left out)", row.loso)
        print(f"    rules made from this set: {', '.join(row.left_out) or 'none'}")
        row.before = run_without(loso_copy / "review.db", truth, list(tuning.TUNED_ON))
        _line("without any tuned rule (as before)", row.before)
    if args.vs_bib_dedupe and n <= args.bib_dedupe_max:
        bd, seconds, bd_mib = run_bib_dedupe(path, args.bib_dedupe_python, truth)
        _line(f"bib-dedupe ({seconds:.1f} s in-process, {bd_mib:.0f} MiB)", bd)
        row.bib_dedupe, row.bib_dedupe_seconds = bd, seconds
    return row


def run_without(db_path: Path, truth: dict[str, str], rules: list[str]) -> Scores:
    """The automatic tier, run here on a copy of the review, with these rules switched off."""
    from db.connection import open_review
    from screening.dedup.engine import run_dedup
    from screening.dedup.keys import clear_caches

    tuning.leave_out(rules)
    clear_caches()
    db = open_review(db_path)
    try:
        run_dedup(db, rescan=True)
    finally:
        db.close()
        tuning.leave_out([])
        clear_caches()
    return score(clusters_by_source_id(db_path), truth)


def _line(label: str, s: Scores) -> None:
    print(
        f"  {label:<40} P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  "
        f"false pairs {s.false_pairs:,}  lost records {s.lost:,}"
    )


def print_table(rows: list[Row]) -> None:
    """Every set side by side: automatic-tier precision and recall, the share of records a
    person sees, seconds; the recall without the set's own rules and without any tuned rule
    (as before issue 18); bib-dedupe's, and how many times faster metasift is."""
    print(
        "\nset                       records  metasift P / R (auto)  queue  seconds"
        "  R w/o own rules  before P / R     bib-dedupe P / R  seconds  speed-up"
    )
    for r in rows:
        queue = f"{r.queue_share:5.1%}" if r.queue_share is not None else "    -"
        loso = f"{r.loso.recall:.4f}" if r.loso else "-"
        before = f"{r.before.precision:.4f}/{r.before.recall:.4f}" if r.before else "-"
        bd, bd_s = "", ""
        if r.bib_dedupe and r.bib_dedupe_seconds:
            bd = f"{r.bib_dedupe.precision:.4f} / {r.bib_dedupe.recall:.4f}"
            bd_s = f"{r.bib_dedupe_seconds:7.1f}  {r.bib_dedupe_seconds / r.seconds:6.1f}x"
        print(
            f"{r.name[:25]:<25} {r.records:>7,}  {r.auto.precision:.4f} / {r.auto.recall:.4f}"
            f"  {queue}  {r.seconds:7.2f}  {loso:>15}  {before:>13}  {bd:>17}  {bd_s}"
        )
    print("rules and the set each was made from: screening/dedup/tuning.py (TUNED_ON)")


def by_subset(path: Path, work: Path) -> list[tuple[Path, str]]:
    """Each search of a file as a file of its own, with the file's name for tuning."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        groups: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in reader:
            groups[row.get("subset") or ""].append(row)
        fields = reader.fieldnames or []
    if len(groups) < 2:
        return []
    out = []
    for name, rows in sorted(groups.items()):
        part = work / f"{path.stem}.{name}.csv"
        with part.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        out.append((part, path.stem))
    return out


def concatenate(paths: list[Path], out: Path) -> Path:
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = None
        for path in paths:
            with path.open(encoding="utf-8", newline="") as g:
                reader = csv.DictReader(g)
                if writer is None:
                    writer = csv.DictWriter(f, fieldnames=reader.fieldnames or [])
                    writer.writeheader()
                for row in reader:
                    writer.writerow(row)
    return out


def scaled(paths: list[Path], size: int, out: Path) -> Path:
    """The datasets plus word-permuted copies, cut at size records."""
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as f:
            rows.extend(csv.DictReader(f))
    fields = list(rows[0])
    vocab = sorted({w for r in rows for c in ("title", "authors", "journal") for w in _words(r[c])})
    out_rows = list(rows)
    copy = 0
    while len(out_rows) < size:
        copy += 1
        shuffled = vocab[:]
        random.Random(copy).shuffle(shuffled)
        mapping = dict(zip(vocab, shuffled, strict=True))
        for r in rows:
            new = dict(r)
            for c in ("title", "authors", "journal"):
                new[c] = _permute(r[c], mapping)
            for c in ("volume", "pages"):  # a real larger review has more locators too
                new[c] = re.sub(r"\d+", partial(_shifted, 1000 * copy), r[c])
            new["record_id"] = f"{r['record_id']}-c{copy}"
            new["group_id"] = f"{r['group_id']}-c{copy}"
            new["doi"] = f"{r['doi']}.c{copy}" if r["doi"] else ""
            out_rows.append(new)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(out_rows[:size])
    return out


def _shifted(by: int, number: re.Match[str]) -> str:
    return str(int(number.group(0)) + by)


def _permute(text: str, mapping: dict[str, str]) -> str:
    return re.sub(r"[^\W\d_]+", lambda m: mapping.get(m.group(0).lower(), "x"), text)


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", text)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("datasets", nargs="+", type=Path)
    ap.add_argument("--concat", action="store_true", help="also the datasets concatenated")
    ap.add_argument("--scale", type=int, nargs="*", default=[], help="also N-record sets")
    ap.add_argument("--vs-bib-dedupe", action="store_true", help="run bib-dedupe as well")
    ap.add_argument("--bib-dedupe-python", default=sys.executable, help="a python with it")
    ap.add_argument(
        "--bib-dedupe-max", type=int, default=20_000, help="skip bib-dedupe on larger sets"
    )
    ap.add_argument("--no-person", action="store_true", help="skip the perfect-person pass")
    ap.add_argument("--subsets", action="store_true", help="also each search of a file")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    if args.vs_bib_dedupe:
        check = [args.bib_dedupe_python, "-c", "import bib_dedupe"]
        if subprocess.run(check, capture_output=True).returncode:
            raise SystemExit(
                f"{args.bib_dedupe_python} cannot import bib_dedupe: make a venv for it "
                "(python -m venv bench && bench/bin/pip install bib-dedupe) and pass "
                "--bib-dedupe-python bench/bin/python"
            )
    work = args.workdir or Path(tempfile.mkdtemp(prefix="metasift-dedup-"))
    work.mkdir(parents=True, exist_ok=True)
    sets = [(path, path.stem) for path in args.datasets]
    if args.subsets:
        sets += [part for path in args.datasets for part in by_subset(path, work)]
    if args.concat:
        sets.append((concatenate(args.datasets, work / "concatenated.csv"), "concatenated"))
    for size in args.scale:
        sets.append((scaled(args.datasets, size, work / f"scaled_{size}.csv"), "scaled"))
    print_table([evaluate(path, work, args, tuned_on) for path, tuned_on in sets])


if __name__ == "__main__":
    main()
