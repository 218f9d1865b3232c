"""Our hand-written readers against the libraries that could replace them, on our fixtures.

    python benchmarks/library_readers.py [--entries 10000]

- BibTeX: bibtexparser 2 with pylatexenc (install both first; neither is a dependency) behind
  our own Citation mapping, against screening.importers.bibtex: Citation fields equal on the
  .bib fixture, the malformed inputs tests/test_importers_bibtex.py covers, and speed on a
  large file made by repeating the fixture's entries under distinct keys;
- MEDLINE: Bio.Medline.parse against our record splitting (tag values, malformed input, speed
  on the largest fixture repeated 40 times);
- Entrez: Bio.Entrez.read against the client's lxml reading of every recorded esearch and
  epost reply (SearchResult fields, time per reply). Sockets are shut for the whole run, so a
  library that reaches for the network fails loudly instead.

The module docstrings of bibtex.py, medline.py and harvest/client.py quote these figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import re
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.errors import ParseError  # noqa: E402
from screening.importers import bibtex, medline  # noqa: E402
from screening.importers.textfile import SourceFile  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SCOPUS = FIXTURES / "bibtex" / "synthesisr_Scopus_bib_example.bib"
BIB_ERRORS = [  # the malformed inputs of tests/test_importers_bibtex.py
    "@article{ok, title={Fine}}\n\n@article{bad,\n  title = {Open {brace},\n",
    "@article{a,\n  title = {One,\n  year = {2019}\n}\n@article{b,\n  title = {Two}\n}\n",
    "@article{a,\n  title = {One}},\n  year = {2019}\n}\n",
    "@article{a,\n  title = {One}\n  year = {2019}\n}\n",
]
MACROS = '@string{jnl = "Journal of "}\n@article{k, title = jnl # {Reviews}}\n'


def _refuse_network(*args: object, **kwargs: object) -> None:
    raise OSError("this benchmark runs offline")


def best(run: Callable[[], Any], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def write(text: str, suffix: str) -> Path:
    path = Path(tempfile.mkstemp(suffix=suffix)[1])
    path.write_text(text, encoding="utf-8")
    return path


# -- BibTeX ------------------------------------------------------------------------------------


def library_bibtex(path: Path) -> list[Any]:
    """bibtexparser's entries and pylatexenc's text through our mapping (bibtex._citation)."""
    import bibtexparser
    from bibtexparser import model
    from pylatexenc.latex2text import LatexNodes2Text

    converter = LatexNodes2Text(math_mode="text")

    def to_text(value: str, *, pages: bool = False) -> str:
        text = converter.latex_to_text(value)
        return re.sub("[-\u2013\u2014]+", "-", text) if pages else text

    library = bibtexparser.parse_string(path.read_text(encoding="utf-8-sig"))
    saved, bibtex.latex_to_text = bibtex.latex_to_text, to_text
    try:
        out = []
        for block in library.blocks:
            if isinstance(block, model.ParsingFailedBlock):
                if not isinstance(block, model.DuplicateFieldKeyBlock):
                    raise ParseError(path, "bibtexparser failed", line=block.start_line + 1)
                block = block.ignore_error_block  # middlewares skipped it: strip braces here
                for f in block.fields:
                    f.value = re.sub(r'^[{"](.*)[}"]$', r"\1", f.value, flags=re.S)
            if isinstance(block, model.Entry):
                fields: dict[str, list[str]] = {}
                for f in block.fields:
                    fields.setdefault(f.key.lower(), []).append(str(f.value))
                entry = bibtex._Entry(block.entry_type.lower(), block.start_line + 1, 0, block.raw)
                out.append(bibtex._citation(entry, block.key, fields))
        return out
    finally:
        bibtex.latex_to_text = saved


def ours_bibtex(path: Path) -> list[Any]:
    return list(bibtex.read(SourceFile.open(path)))


def outcome(read: Callable[[Path], list[Any]], path: Path) -> str:
    try:
        return f"no error; titles {[c.title for c in read(path)]}"
    except ParseError as e:
        return f"ParseError at line {e.line}"


def compare_bibtex(entries: int) -> None:
    try:
        import bibtexparser  # noqa: F401
        import pylatexenc  # noqa: F401
    except ImportError:
        print("BibTeX: skipped (pip install bibtexparser pylatexenc)")
        return
    ours, theirs = ours_bibtex(SCOPUS), library_bibtex(SCOPUS)
    names = [f.name for f in dataclasses.fields(ours[0])]
    pairs = list(zip(ours, theirs, strict=True))
    equal = sum(getattr(a, n) == getattr(b, n) for a, b in pairs for n in names)
    print(f"BibTeX, {SCOPUS.name}: Citation fields equal {equal}/{len(names) * len(ours)}")
    for a, b in pairs:
        for n in names:
            if getattr(a, n) != getattr(b, n):
                print(f"  {a.extra['bibtex_key']}.{n} differs")
    for text in [MACROS, *BIB_ERRORS]:
        path = write(text, ".bib")
        print(f"  {text[:40]!r}\n    ours {outcome(ours_bibtex, path)}")
        print(f"    library {outcome(library_bibtex, path)}")
    text = SCOPUS.read_text(encoding="utf-8")
    entry_texts = [e.strip() for e in re.split(r"\n(?=@)", text) if e.strip().startswith("@")]
    big = write(
        "\n".join(
            re.sub(r"\{(\w+),", rf"{{\1_{i},", entry_texts[i % len(entry_texts)], count=1)
            for i in range(entries)
        ),
        ".bib",
    )
    mine, lib = best(lambda: ours_bibtex(big)), best(lambda: library_bibtex(big), runs=1)
    print(
        f"  {entries:,} entries ({big.stat().st_size / 1e6:.1f} MB, the fixture's three repeated):"
    )
    print(f"    ours {mine:.2f} s, bibtexparser + pylatexenc {lib:.2f} s ({lib / mine:.0f}x)")


# -- MEDLINE -----------------------------------------------------------------------------------


def ours_medline(path: Path) -> list[dict[str, list[str]]]:
    out = []
    for record in medline._records(SourceFile.open(path)):
        values: dict[str, list[str]] = {}
        for tag, value in record.fields:
            values.setdefault(tag, []).append(value)
        out.append(values)
    return out


def bio_medline(path: Path) -> list[dict[str, list[str]]]:
    from Bio import Medline

    with path.open(encoding="utf-8-sig") as handle:
        return [
            {tag: v if isinstance(v, list) else [v] for tag, v in record.items()}
            for record in Medline.parse(handle)
        ]


def compare_medline() -> None:
    total = differ = 0
    for path in sorted((FIXTURES / "medline").iterdir()):
        for a, b in zip(ours_medline(path), bio_medline(path), strict=True):
            tags = set(a) | set(b)
            total += len(tags)
            differ += sum(
                [" ".join(v.split()) for v in a.get(t, [])]
                != [" ".join(v.split()) for v in b.get(t, [])]
                for t in tags
            )
    print(f"MEDLINE fixtures: tag values differing beyond white space {differ}/{total}")
    merged = write("PMID- 1\nTI  - One\nPMID- 2\nTI  - Two\n", ".nbib")
    print(f"  two records without a blank line: ours {len(ours_medline(merged))} records, ", end="")
    print(f"Bio.Medline {bio_medline(merged)}")
    largest = (FIXTURES / "medline" / "reflib_blue-light.nbib").read_text(encoding="utf-8")
    big = write((largest.rstrip("\n") + "\n\n") * 40, ".nbib")
    mine, bio = best(lambda: ours_medline(big)), best(lambda: bio_medline(big))
    print(f"  {big.stat().st_size / 1e6:.1f} MB: ours {mine:.2f} s, Bio.Medline {bio:.2f} s")


# -- Entrez ------------------------------------------------------------------------------------


def compare_entrez() -> None:
    from Bio import Entrez

    from screening.harvest.replies import SearchResult, parse_reply, read_search

    def bio_search(body: bytes) -> SearchResult:
        r = Entrez.read(io.BytesIO(body))

        def feedback(name: str) -> list[tuple[str, str]]:
            found = r.get(name) or {}
            return [(tag, " ".join(str(t).split())) for tag, ts in found.items() for t in ts]

        def text(name: str) -> str | None:
            return str(r[name]) if name in r else None

        return SearchResult(
            count=int(r.get("Count", 0)),
            ids=[str(i) for i in r.get("IdList", [])],
            webenv=text("WebEnv"),
            query_key=text("QueryKey"),
            translation=text("QueryTranslation"),
            translations=[
                (" ".join(str(t["From"]).split()), " ".join(str(t["To"]).split()))
                for t in r.get("TranslationSet", [])
            ],
            errors=feedback("ErrorList"),
            warnings=feedback("WarningList"),
        )

    def ours_search(body: bytes) -> SearchResult:
        return read_search(parse_reply(body, "esearch"))

    print("Entrez replies (fields equal; ms per reply, lxml / Bio.Entrez.read):")
    for path in sorted((FIXTURES / "entrez").glob("*/esearch*.xml")):
        body = path.read_bytes()
        mine, bio = ours_search(body), bio_search(body)
        equal = sum(getattr(mine, n) == getattr(bio, n) for n in vars(mine))
        ours_ms = best(partial(ours_search, body), 200) * 1000
        bio_ms = best(partial(bio_search, body), 200) * 1000
        print(f"  {path.name:34} {equal}/{len(vars(mine))}  {ours_ms:6.2f} / {bio_ms:6.2f}")
    from tests.entrez_answers import esearch_xml

    ids = [str(50_000_000 + i) for i in range(9_999)]  # made up, as in benchmarks/harvest.py
    body = esearch_xml(30_000, 9_999, 0, ids, ("MCID_x", "1"), '"x"[All Fields]', [], [], [])
    ours_ms = best(partial(ours_search, body), 20) * 1000
    bio_ms = best(partial(bio_search, body), 20) * 1000
    print(f"  {'an esearch listing 9,999 PMIDs':34} {ours_ms:11.2f} / {bio_ms:6.2f}")
    unbundled = (FIXTURES / "entrez/hawc/esearch_rettype_count.xml").read_bytes()
    try:
        Entrez.read(io.BytesIO(unbundled.replace(b"esearch.dtd", b"esearch_v9.dtd")))
    except RuntimeError as e:
        print(f"  a DTD it does not bundle: {e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    socket.socket.connect = _refuse_network  # type: ignore[method-assign]
    compare_bibtex(args.entries)
    compare_medline()
    compare_entrez()


if __name__ == "__main__":
    main()
