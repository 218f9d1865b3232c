"""PubMed harvest: requests made and wall time, against the least the rules allow.

    python benchmarks/harvest.py [--records 30000] [--batch-size 10000]

Starts the local PubMed (tests/entrez_server.py, in its own process so it does not share our
GIL) with a synthetic corpus: real fixture records replicated under new PMIDs, dated over
1990-2024 with the literature's growth. Then harvests the one search that finds them all into
a fresh review, without an API key (3 requests/s) and with one (10/s), and prints:

- requests made against the minimum: the searches the date splitting needs (one over the whole
  window, then, above 9,999 records, one per window, ceil(N / 9,999) windows at the fewest)
  plus ceil(N / 10,000) fetches, 10,000 being NCBI's largest batch. Goal: within 5%;
- wall time against the rate-limit floor, requests / 3 (or / 10) seconds. Goal: within 10%.
  "network" is the time from the first request to the last response; "total" adds parsing and
  landing the records the pipeline could not overlap with the network;
- what the server saw: its busiest second, and PMIDs served more than once (must be 0);
- the parser choice: an ESearch answer listing 9,999 PMIDs and an efetch batch of 1,000 records
  read with lxml (what metasift uses) and with Bio.Entrez.read.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.connection import open_review  # noqa: E402
from screening.harvest.client import EUtilsClient, RateLimiter  # noqa: E402
from screening.harvest.credentials import Credentials  # noqa: E402
from screening.harvest.harvest import HarvestSpec, harvest  # noqa: E402
from screening.review import init_review  # noqa: E402

TERM = "synthetic"


def start_server(records: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.entrez_server", "--synthetic", str(records), "--term", TERM],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def stats(url: str, since: int = 0) -> dict:
    with urllib.request.urlopen(f"{url}stats?since={since}") as answer:
        return json.loads(answer.read())


def run(url: str, records: int, key: str | None, batch_size: int, workdir: Path) -> dict:
    folder = workdir / ("with-key" if key else "no-key")
    init_review(folder)
    db = open_review(folder / "review.db")
    client = EUtilsClient(url, Credentials(key, "benchmark@example.org"), limiter=RateLimiter())
    before = stats(url)
    marks: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        marks.setdefault(phase, time.perf_counter())

    start = time.perf_counter()
    outcome = harvest(
        db,
        client,
        HarvestSpec(TERM),
        today=date(2025, 6, 30),
        batch_size=batch_size,
        progress=progress,
    )
    total = time.perf_counter() - start
    db.close()
    after = stats(url, since=before["hits"])
    return {
        "outcome": outcome,
        "requests": client.requests_made,
        "counts": dict(client.counts),
        "total": total,
        "network": client.last_response_at - start if client.last_response_at else total,
        "waited": client.waited,
        "busy": client.busy,
        "rate": client.rate,
        "served_twice": after["pmids_served_twice"],
        "max_per_second": after["max_per_second"],
    }


def fewest_searches(n: int) -> int:
    """One search over the whole window; above the cap, one per window, ceil(n / 9,999) at best."""
    return 1 if n <= 9_999 else 1 + math.ceil(n / 9_999)


def report(label: str, r: dict, n: int, batch: int) -> None:
    fetches = math.ceil(n / batch)
    searches = r["counts"].get("esearch", 0)
    least = fewest_searches(n) + fetches
    needed = searches + fetches  # the searches this date splitting took, plus the fetches
    floor = r["requests"] / r["rate"]
    out = r["outcome"]
    asked = ", ".join(f"{v} {k}" for k, v in sorted(r["counts"].items()))
    print(f"{label} ({r['rate']} requests/s)")
    print(
        f"  records landed   {out.landed:,} of {out.count:,} counted; short: {out.short or 'none'}"
    )
    print(f"  requests         {r['requests']} ({asked})")
    print(
        f"    vs the searches the splitting took + {fetches} fetches = {needed}: "
        f"ratio {r['requests'] / needed:.3f}"
    )
    print(
        f"    vs the fewest searches possible ({fewest_searches(n)}) + {fetches} fetches = "
        f"{least}: ratio {r['requests'] / least:.3f}"
    )
    print(f"  wall time        floor {floor:.2f} s ({r['requests']} requests / {r['rate']} per s)")
    print(
        f"    network (first request to last answer) {r['network']:.2f} s: "
        f"ratio {r['network'] / floor:.3f}"
    )
    print(
        f"      of which waiting for the rate limit {r['waited']:.2f} s, "
        f"in requests (server and transfer) {r['busy']:.2f} s"
    )
    print(
        f"    total (parsing and landing included)   {r['total']:.2f} s: "
        f"ratio {r['total'] / floor:.3f}"
    )
    print(
        f"  server           busiest second {r['max_per_second']} requests; "
        f"PMIDs served twice {r['served_twice']}"
    )


def parser_choice() -> None:
    """lxml against Bio.Entrez.read on the two bodies a harvest reads."""
    import io

    from Bio import Entrez

    from screening.harvest.replies import parse_reply, read_search
    from screening.importers.pubmed_xml import parse_articles
    from tests.entrez_answers import EFETCH_HEAD, esearch_xml
    from tests.entrez_corpus import synthetic_corpus

    ids = [str(50_000_000 + i) for i in range(9_999)]
    search = esearch_xml(30_000, 9_999, 0, ids, ("MCID_x", "1"), '"x"[All Fields]', [], [], [])
    corpus = synthetic_corpus(1_000)
    fetch = EFETCH_HEAD + b"<PubmedArticleSet>\n"
    fetch += b"\n".join(r.xml() for r in corpus.records.values()) + b"\n</PubmedArticleSet>\n"
    rows = [
        ("esearch, 9,999 PMIDs", lambda: read_search(parse_reply(search, "esearch")),
         lambda: Entrez.read(io.BytesIO(search))),
        ("efetch, 1,000 records", lambda: parse_articles(fetch, "efetch"),
         lambda: Entrez.read(io.BytesIO(fetch))),
    ]  # fmt: skip
    print("parsing (best of 3)")
    for label, ours, theirs in rows:
        mine, bio = (min(_timed(f) for _ in range(3)) for f in (ours, theirs))
        print(f"  {label:22} lxml {mine * 1000:7.1f} ms   Bio.Entrez.read {bio * 1000:7.1f} ms")


def _timed(f: Callable[[], object]) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    args = parser.parse_args()
    server, url = start_server(args.records)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for label, key in (("without a key", None), ("with a key", "benchmark-key")):
                time.sleep(1.1)  # a fresh rate window for each run
                result = run(url, args.records, key, args.batch_size, Path(tmp))
                report(label, result, args.records, args.batch_size)
    finally:
        server.terminate()
        server.wait()
    parser_choice()


if __name__ == "__main__":
    main()
