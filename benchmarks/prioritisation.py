"""Prioritised screening against ASReview: WSS@95 on every labelled set, same priors, same seeds.

    python benchmarks/prioritisation.py --asreview /work/asreview-venv/bin/asreview [--seeds 10]
        [--only cohen2006/ta ...] [--data FOLDER]

For every CSV in ../shared/data/screening/ (or --data) and each label it has (label_included,
the final decision; label_ti_ab or label_abstract_screening, the title/abstract decision,
where present), in one run:
1. `metasift simulate FILE --label COLUMN --seeds N --json` (1 include + 1 exclude as priors,
   drawn with each seed);
2. ASReview's own `asreview simulate` (its default model, ELAS u4) with the very same prior
   rows (--prior-idx, from metasift's JSON) and --seed, on a copy of the CSV holding title,
   abstract and the label as label_included; its order is read from the project file.
Both orders are scored by the same code (screening/ranking/metrics.py, insights' WSS), the
priors left out. Prints mean and SD over seeds, the difference with its 95% confidence interval
(paired by seed: both runs of a seed start from the same priors), means over the sets, and the
wall time of a whole
simulation (ASReview retrains after every label; metasift per its schedule, with its mean
time per retrain). ASReview is never a metasift dependency: install it in a venv of its own
(`python -m venv /work/asreview-venv && /work/asreview-venv/bin/pip install asreview`).
Goal: metasift's WSS@95 at least 2 points above ASReview's on every set.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.ranking.metrics import order_figures  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "screening"
METASIFT = Path(sys.executable).with_name("metasift")


# the title/abstract label, as the shared sets and as ASReview's older dataset files name it
TITLE_ABSTRACT_LABELS = ("label_ti_ab", "label_abstract_screening")


def labelled_sets(folder: Path = DATA) -> list[tuple[str, Path, str]]:
    """(name, file, label column) for every set in the folder and each label it has."""
    sets = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), [])
        short = path.stem.split("_")[0]
        sets.append((f"{short}/final", path, "label_included"))
        sets.extend((f"{short}/ta", path, c) for c in TITLE_ABSTRACT_LABELS if c in header)
    return sets


def metasift_runs(path: Path, column: str, seeds: int) -> tuple[dict, float]:
    started = time.perf_counter()
    cmd = [str(METASIFT), "simulate", str(path), "--label", column, "--seeds", str(seeds), "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout), (time.perf_counter() - started) / seeds


def asreview_copy(path: Path, column: str, work: Path) -> tuple[Path, list[int]]:
    """The set as ASReview reads it (title, abstract, label_included), and its labels."""
    copy = work / f"{path.stem}-{column}.csv"
    labels = []
    with path.open(encoding="utf-8", newline="") as src, copy.open("w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["title", "abstract", "label_included"])
        for row in csv.DictReader(src):
            labels.append(int(row[column]))
            writer.writerow([row.get("title", ""), row.get("abstract", ""), row[column]])
    return copy, labels


def asreview_run(
    asreview: str, data: Path, labels: list[int], seed: int, priors: list[int], work: Path
) -> tuple[float, float, int, float]:
    """(WSS@95, recall after 10%, records to 95%, wall seconds) of one ASReview simulation."""
    project = work / f"{data.stem}-{seed}.asreview"
    project.unlink(missing_ok=True)
    cmd = [asreview, "simulate", str(data), "--prior-idx", *map(str, priors), "--seed", str(seed)]
    started = time.perf_counter()
    # in the work folder: ASReview leaves a cache file in the folder it runs in
    out = subprocess.run([*cmd, "-o", str(project)], capture_output=True, text=True, cwd=work)
    seconds = time.perf_counter() - started
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    order = asreview_order(project, work / f"{data.stem}-{seed}.db")
    if sorted(order[: len(priors)]) != sorted(priors):
        raise SystemExit(f"{project}: ASReview did not start from the priors {priors}")
    found = [labels[r] for r in order[len(priors) :]]
    found += [0] * (len(labels) - len(order))  # it stops once the last include is found
    figures = order_figures(found)
    return figures.wss95, figures.recall_at_10pct, figures.records_to_95, seconds


def asreview_order(project: Path, scratch: Path) -> list[int]:
    """Data rows in the order ASReview labelled them (priors first)."""
    with zipfile.ZipFile(project) as archive:
        scratch.write_bytes(archive.read("results.db"))
    with sqlite3.connect(scratch) as conn:
        rows = conn.execute(
            "SELECT r.dataset_row FROM results s JOIN record r ON r.record_id = s.record_id "
            "ORDER BY s.rowid"
        ).fetchall()
    scratch.unlink()
    return [row[0] for row in rows]


def spread(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):5.1f} ± {sd:4.1f}"


def paired_ci(mine: list[float], theirs: list[float]) -> float:
    """Half the width of the 95% t interval of the mean difference, seed by seed (0 with one
    seed): a difference inside it is within what another set of seeds could undo."""
    from scipy.stats import t

    diffs = [m - a for m, a in zip(mine, theirs, strict=True)]
    if len(diffs) < 2:
        return 0.0
    return float(t.ppf(0.975, len(diffs) - 1) * statistics.stdev(diffs) / len(diffs) ** 0.5)


def summary(diffs: dict[str, tuple[float, float]], means: tuple[list[float], list[float]]) -> str:
    """The figures over every set: what to expect on a review nobody has tuned on."""
    gains = [d for d, _ in diffs.values()]
    clear = [name for name, (d, ci) in diffs.items() if abs(d) > ci]
    return (
        f"over {len(gains)} sets: metasift {statistics.fmean(means[0]):.1f}, ASReview "
        f"{statistics.fmean(means[1]):.1f}; difference mean {statistics.fmean(gains):+.1f}, "
        f"median {statistics.median(gains):+.1f}; metasift ahead on {sum(d > 0 for d in gains)}, "
        f"2 points ahead on {sum(d >= 2 for d in gains)}, behind on {sum(d < 0 for d in gains)};"
        f" the difference is beyond its 95% interval on {len(clear)} "
        f"({sum(diffs[n][0] > 0 for n in clear)} ahead, {sum(diffs[n][0] < 0 for n in clear)} "
        "behind)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--asreview", required=True, help="the asreview command of its own venv")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2, help="ASReview simulations at once")
    ap.add_argument("--only", nargs="*", help="set names, e.g. cohen2006/ta")
    ap.add_argument(
        "--data",
        type=Path,
        default=DATA,
        help="a folder of labelled CSVs (title, abstract, label_included, and optionally "
        f"{' or '.join(TITLE_ABSTRACT_LABELS)}); default: the shared sets",
    )
    args = ap.parse_args()
    chosen = [s for s in labelled_sets(args.data) if not args.only or s[0] in args.only]
    if not chosen:
        raise SystemExit(
            f"no labelled CSV in {args.data}" + (" matches --only" if args.only else "")
        )
    width = max(len(name) for name, _, _ in chosen) + 2
    work = Path(tempfile.mkdtemp(prefix="prioritisation-"))
    print(f"WSS@95 in % (mean ± SD over {args.seeds} seeds), 1 include + 1 exclude as priors")
    print(
        f"{'set':{width}}{'metasift':>14}{'ASReview':>14}{'diff ± 95% CI':>15}   recall@10% m/A   "
        "to 95% m/A    s per run m/A (m per retrain)"
    )
    short: list[str] = []  # the sets where the goal is not met
    sets = 0
    diffs: dict[str, tuple[float, float]] = {}
    means: tuple[list[float], list[float]] = ([], [])
    for name, path, column in chosen:
        ours, our_seconds = metasift_runs(path, column, args.seeds)
        data, labels = asreview_copy(path, column, work)
        one = partial(asreview_run, args.asreview, data, labels, work=work)
        with ThreadPoolExecutor(args.jobs) as pool:
            runs = ours["seeds"]
            theirs = list(pool.map(one, [s["seed"] for s in runs], [s["prior_rows"] for s in runs]))
        mine = [s["wss95"] for s in ours["seeds"]]
        asr = [t[0] for t in theirs]
        diff = statistics.fmean(mine) - statistics.fmean(asr)
        diffs[name] = diff, paired_ci(mine, asr)
        means[0].append(statistics.fmean(mine))
        means[1].append(statistics.fmean(asr))
        sets += 1
        if diff < 2:
            short.append(f"{name} {diff:+.2f}")
        print(
            f"{name:{width}}{spread(mine):>14}{spread(asr):>14}{diff:+8.1f} ± {diffs[name][1]:4.1f}"
            f"   {ours['recall_at_10pct']:5.1f}/{statistics.fmean(t[1] for t in theirs):5.1f}"
            f"   {ours['records_to_95']:5.0f}/{statistics.fmean(t[2] for t in theirs):5.0f}"
            f"   {our_seconds:5.1f}/{statistics.fmean(t[3] for t in theirs):5.1f}"
            f" ({ours['retrain_seconds'] * 1000:.0f} ms)",
            flush=True,
        )
    print(summary(diffs, means))
    print(
        f"goal: metasift >= ASReview + 2 points on every set: met on {sets - len(short)} of "
        f"{sets}" + (f"; short on {', '.join(short)}" if short else "")
    )


if __name__ == "__main__":
    main()
