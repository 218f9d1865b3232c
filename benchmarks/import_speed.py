"""Import speed: `metasift import` of PubMed XML (and RIS) against the parsers people use.

    python benchmarks/import_speed.py [--sizes 10000 100000] [--workdir DIR]

For each size it builds a real-shaped PubMed XML corpus with ../shared/tools/make_pubmed_corpus.py
(real records repeated with fresh PMIDs), then prints records/s and peak memory for:
- lxml iterparse of the same file, touching nothing (the floor),
- Bio.Entrez.read (what most scripts use; 10k only unless --entrez-all),
- `metasift import` into a new review file, timed as a whole process,
- `metasift import` of the same records exported as RIS (`metasift export records`).
Goal: >= 5,000 records/s into SQLite, memory flat in the input size. The issue set it beside
"lxml about 10,000 rec/s, Bio.Entrez.read about 770", i.e. half the floor; as machines differ,
every line also prints its speed as a fraction of the floor measured in the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import peak_rss

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_pubmed_corpus.py"
METASIFT = Path(sys.executable).with_name("metasift")

FLOOR = """
import sys
from lxml import etree
n = 0
for _, el in etree.iterparse(sys.argv[1], tag="PubmedArticle", resolve_entities=False,
                             load_dtd=False, no_network=True):
    n += 1
    el.clear()
print(n)
"""
ENTREZ = """
import sys
from Bio import Entrez
with open(sys.argv[1], "rb") as f:
    data = Entrez.read(f)
print(len(data["PubmedArticle"]))
"""


def line(label: str, n: int, seconds: float, mib: float, floor: float) -> None:
    print(
        f"  {label:<34} {n:>8,} records {seconds:8.2f} s {n / seconds:>10,.0f} rec/s "
        f"{floor / seconds:6.2f} x floor {mib:>8.0f} MiB peak"
    )


def bench(size: int, work: Path, entrez: bool) -> None:
    xml = work / f"pubmed_{size}.xml"
    if not xml.exists():
        subprocess.run(
            [sys.executable, str(MAKE_CORPUS), str(size), str(xml)], check=True, capture_output=True
        )
    print(f"PubMed XML, {size:,} records ({xml.stat().st_size / 1e6:.0f} MB)")
    floor, _, m, _ = peak_rss([sys.executable, "-c", FLOOR, str(xml)])
    line("lxml iterparse (floor)", size, floor, m, floor)
    if entrez:
        s, _, m, _ = peak_rss([sys.executable, "-c", ENTREZ, str(xml)])
        line("Bio.Entrez.read", size, s, m, floor)
    review = work / f"review_{size}"
    subprocess.run(["rm", "-rf", str(review)], check=True)
    subprocess.run([str(METASIFT), "init", str(review)], check=True, capture_output=True)
    s, _, m, _ = peak_rss([str(METASIFT), "import", "--review", str(review), str(xml)])
    line("metasift import (XML -> SQLite)", size, s, m, floor)
    ris = work / f"records_{size}.ris"
    subprocess.run(
        [
            str(METASIFT),
            "export",
            "records",
            "--review",
            str(review),
            "--format",
            "ris",
            "-o",
            str(ris),
        ],
        check=True,
        capture_output=True,
    )
    review_ris = work / f"review_ris_{size}"
    subprocess.run(["rm", "-rf", str(review_ris)], check=True)
    subprocess.run([str(METASIFT), "init", str(review_ris)], check=True, capture_output=True)
    s, _, m, _ = peak_rss([str(METASIFT), "import", "--review", str(review_ris), str(ris)])
    line("metasift import (RIS -> SQLite)", size, s, m, floor)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument(
        "--entrez-all",
        action="store_true",
        help="also run Bio.Entrez.read above 10k records (slow, memory-hungry)",
    )
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="metasift-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        bench(size, work, entrez=args.entrez_all or size <= 10_000)


if __name__ == "__main__":
    main()
