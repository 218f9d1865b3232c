"""What the local PubMed (tests/entrez_server.py) holds: real records and searches from the
recorded E-utilities responses in tests/fixtures/entrez, and synthetic corpora made by
replicating those real records under new PMIDs (and DOIs, so each copy is a distinct paper).

A record is kept as its XML text split around its PMID and DOI, so a copy is rendered by
joining bytes; a 30,000-record corpus costs the server little memory.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from lxml import etree

ENTREZ = Path(__file__).parent / "fixtures" / "entrez"
_BLOCK = re.compile(rb"<(PubmedArticle|PubmedBookArticle)>.*?</\1>", re.S)
_PMID = re.compile(rb'(<(?:MedlineCitation|BookDocument)\b[^>]*>\s*<PMID Version="\d+">)(\d+)(<)')
_PUBMED_ID = re.compile(rb'(<ArticleId IdType="pubmed">)(\d+)(<)')
_DOI = re.compile(rb'(<ArticleId IdType="doi">)([^<]+)(<)')
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


@dataclass(frozen=True)
class Template:
    """A real record's XML, cut at its PMID, its pubmed ArticleId and its DOI."""

    pieces: tuple[bytes, ...]
    slots: tuple[str, ...]  # what goes between pieces: "pmid" or "doi"
    pmid: str
    doi: str | None
    pdat: date
    edat: date
    mdat: date

    def render(self, pmid: str, doi_suffix: str = "") -> bytes:
        values = {"pmid": pmid.encode(), "doi": (self.doi or "").encode() + doi_suffix.encode()}
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out += [values[slot], piece]
        return b"".join(out)


@dataclass
class Record:
    pmid: str
    template: Template
    pdat: date
    edat: date
    mdat: date
    doi_suffix: str = ""

    def xml(self) -> bytes:
        return self.template.render(self.pmid, self.doi_suffix)

    def date(self, datetype: str) -> date:
        return {"pdat": self.pdat, "edat": self.edat, "mdat": self.mdat}.get(datetype, self.edat)


@dataclass
class Query:
    """A search PubMed knows: its PMIDs in relevance order and what ESearch says about it."""

    pmids: list[str]
    translation: str
    translations: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Corpus:
    records: dict[str, Record] = field(default_factory=dict)
    queries: dict[str, Query] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        self.records[record.pmid] = record


def templates() -> list[Template]:
    """Every real PubmedArticle and PubmedBookArticle in the fixtures, once per PMID."""
    found: dict[str, Template] = {}
    for path in sorted(ENTREZ.rglob("*.xml")):
        data = path.read_bytes()
        if b"<PubmedArticleSet" not in data:
            continue
        for block in _BLOCK.finditer(data):
            template = _template(block.group(0))
            found.setdefault(template.pmid, template)
    return list(found.values())


def _template(xml: bytes) -> Template:
    cuts = []
    for slot, pattern in (("pmid", _PMID), ("pmid", _PUBMED_ID), ("doi", _DOI)):
        m = pattern.search(xml)
        if m:
            cuts.append((m.start(2), m.end(2), slot, m.group(2).decode()))
    cuts.sort()
    pieces, slots, at = [], [], 0
    for start, end, slot, _ in cuts:
        pieces.append(xml[at:start])
        slots.append(slot)
        at = end
    pieces.append(xml[at:])
    pmid = next(v for _, _, s, v in cuts if s == "pmid")
    doi = next((v for _, _, s, v in cuts if s == "doi"), None)
    pdat, edat, mdat = _dates(xml)
    return Template(tuple(pieces), tuple(slots), pmid, doi, pdat, edat, mdat)


def _dates(xml: bytes) -> tuple[date, date, date]:
    """Publication, Entrez and modification dates as PubMed would index them."""
    root = etree.fromstring(xml)
    pub = root.find(".//PubDate")
    pdat = _date(pub) if pub is not None else date(2000, 1, 1)
    entrez = root.find(".//PubMedPubDate[@PubStatus='entrez']")
    edat = _date(entrez) if entrez is not None else pdat
    revised = root.find(".//DateRevised")
    return pdat, edat, _date(revised) if revised is not None else edat


def _date(el: etree._Element) -> date:
    text = el.findtext("MedlineDate")
    if text:  # "2008 Jan-Feb"
        parts = text.split()
        month = _MONTHS.get(parts[1][:3], 1) if len(parts) > 1 else 1
        return date(int(parts[0][:4]), month, 1)
    name = el.findtext("Month") or "1"
    number = int(name) if name.isdigit() else _MONTHS.get(name[:3], 1)
    return date(int(el.findtext("Year") or 2000), number, int(el.findtext("Day") or 1))


# -- corpora ------------------------------------------------------------------------------------


def _search_feedback(path: Path) -> tuple[list[str], Query]:
    root = etree.parse(str(path)).getroot()

    def pairs(tag: str) -> list[tuple[str, str]]:
        found = root.find(tag)
        return [] if found is None else [(el.tag, el.text or "") for el in found]

    translations = [
        (t.findtext("From", "").strip(), t.findtext("To", "").strip())
        for t in root.iterfind("TranslationSet/Translation")
    ]
    ids = [el.text or "" for el in root.iterfind("IdList/Id")]
    query = Query(ids, root.findtext("QueryTranslation") or "", translations)
    query.errors, query.warnings = pairs("ErrorList"), pairs("WarningList")
    return ids, query


SCIENCE = "science[journal] AND breast cancer AND 2008[pdat]"
PHTHALATES = "(monomethyl OR MEP OR mono-n-butyl OR MBP"  # the start of the long recorded query


def recorded_corpus() -> Corpus:
    """The real records, and the searches recorded against PubMed (HAWC and Biopython):
    - SCIENCE: 6 hits, all 6 records real (efetch_6_records.xml);
    - the long phthalate query: 259 hits and 3 PhraseNotFound; the records that are not in
      the fixtures are real records replicated under the recorded PMIDs;
    - abcXYZ: no hits, PhraseNotFound and "No items found." (Biopython's esearch8.xml)."""
    corpus = Corpus()
    real = {t.pmid: t for t in templates()}
    for t in real.values():
        corpus.add(Record(t.pmid, t, t.pdat, t.edat, t.mdat))
    _, science = _search_feedback(ENTREZ / "hawc/esearch_retmax5000.xml")
    corpus.queries[SCIENCE] = science
    ids, phthalates = _search_feedback(ENTREZ / "hawc/esearch_complex_query_259_ids.xml")
    corpus.queries[phthalate_query()] = phthalates
    spare = sorted(real.values(), key=lambda t: t.pmid)
    for i, pmid in enumerate(p for p in ids if p not in corpus.records):
        t = spare[i % len(spare)]
        day = date(1995, 1, 1) + timedelta(days=97 * i % 10_000)
        corpus.add(Record(pmid, t, day, day, day, doi_suffix=f".{pmid}"))
    _, nothing = _search_feedback(ENTREZ / "biopython/esearch8.xml")
    corpus.queries["abcXYZ"] = nothing
    return corpus


def phthalate_query() -> str:
    """The long query exactly as HAWC sent it (decoded from INDEX.tsv's request body)."""
    from urllib.parse import parse_qs

    for line in (ENTREZ / "hawc/INDEX.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("esearch_complex_query_259_ids.xml"):
            return parse_qs(line.split("\t")[3])["term"][0]
    raise LookupError("esearch_complex_query_259_ids.xml is not in INDEX.tsv")


def synthetic_corpus(
    n: int,
    term: str = "synthetic",
    *,
    seed: int = 1,
    first: date = date(1990, 1, 1),
    last: date = date(2024, 12, 31),
    spike: tuple[date, int] | None = None,
    base_pmid: int = 50_000_000,
    small: bool = False,
) -> Corpus:
    """n real records replicated under new PMIDs (base_pmid + i, in Entrez-date order), their
    dates spread over [first, last] growing 6% a year, plus `spike` = (day, k): k of them on one
    day (as when thousands of records carry only a year). One search, `term`, finds them all.
    small=True replicates only the smaller real records (faster tests)."""
    rng = random.Random(seed)
    pool = sorted(templates(), key=lambda t: len(t.pieces[0]) + len(t.pieces[-1]))
    pool = pool[: max(3, len(pool) // 3)] if small else pool
    years = list(range(first.year, last.year + 1))
    weights = [1.06 ** (y - first.year) for y in years]
    days: list[date] = []
    for _ in range(n - (spike[1] if spike else 0)):
        year = rng.choices(years, weights)[0]
        start = max(date(year, 1, 1), first)
        end = min(date(year, 12, 31), last)
        days.append(start + timedelta(days=rng.randrange((end - start).days + 1)))
    if spike:
        days += [spike[0]] * spike[1]
    entries = sorted((d + timedelta(days=rng.randrange(0, 60)), d) for d in days)
    corpus = Corpus()
    for i, (edat, pdat) in enumerate(entries):
        pmid = str(base_pmid + i)
        record = Record(
            pmid, rng.choice(pool), pdat, edat, edat + timedelta(days=rng.randrange(400))
        )
        record.doi_suffix = f".{pmid}"
        corpus.add(record)
    pmids = sorted(corpus.records, key=lambda p: rng.random())  # "relevance": some fixed order
    corpus.queries[term] = Query(pmids, f'"{term}"[All Fields]', [])
    return corpus
