"""What the CSV reader knows about particular databases' CSV exports, told apart by header.

- Embase.com: no journal, year, volume or DOI columns. "Source" reads "Endoscopic
  Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014", and "Open URL Link" is an
  OpenURL whose query holds doi, issn, stitle (the journal abbreviation), volume, issue,
  spage and epage. Emtree terms: "keywords" holds the medical index terms; the major-focus
  terms go to extra["emtree_major"] and the drug terms to extra["emtree_drug"].
- PubMed "Save > CSV": "Journal/Book" is the NLM abbreviation (kept as journal and
  journal_abbrev), volume, issue and pages are only in "Citation" ("Behav Ther. 2022
  Mar;53(2):334-347. doi: ..."), and "Authors" ends with a full stop.
- Scopus: the EID is the record id. A Scopus header has one "Funding Text N" column per
  funding text of its first records, and rows with more funding texts have more cells
  than the header (seen in the litstudy fixture: 46 cells under 45 headers, EID last);
  such a row gets "Funding Text N+1" columns, provided its last cell is still an EID.
- Cochrane Library (CENTRAL): "Source" is the journal, "PubMed ID" reads "PUBMED 21314913",
  "CENTRAL ID" is the accession ("CN-00778158") and "Database Name" names the database; the
  other databases' ids ("Embase ID" "EMBASE 643589775", "CTgov ID", ...) go to extra.
- EBSCOhost (CINAHL, Academic Search, ...): Excel-protected cells (`="4/3/2024"`) for the
  date and ISSN, pages as "First Page" and "Page Count", the record type in "Doctype", and
  the database only as the code in the "PLink" link ("db=aph").

Every known export names its database in extra["database"] (db.database_names' rule); in
other sheets a record's link may name it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from db.database_names import database_name, link_database
from screening.citation import Citation
from screening.normalise import (
    clean,
    expand_pages,
    join_pages,
    normalise_doi,
    normalise_issn,
    normalise_pmid,
    parse_year,
    record_type,
    split_authors,
    split_keywords,
)

_EMBASE_SOURCE = re.compile(
    r"(?P<journal>.+?) \((?P<year>\d{4})\)"
    r"(?: (?P<volume>[^\s:(]+)(?::(?P<issue>[^\s(]+))?)?"
    r"(?: \((?P<pages>[^)]*)\))?"
)
# "Behav Ther. 2022 Mar;53(2):334-347." -> 53, 2, 334-347
_PUBMED_CITATION = re.compile(
    r";(?P<volume>[^;():]*)(?:\((?P<issue>[^)]*)\))?(?::(?P<pages>[^;.]+))?"
)
_FUNDING_TEXT = re.compile(r"Funding Text (\d+)")
_EID = re.compile(r"2-s2\.0-\d+")
_EXCEL_TEXT = re.compile(r'="(.*)"', re.DOTALL)  # a cell Excel must not read as a number
_COCHRANE_IDS = ("Embase ID", "CTgov ID", "CINAHL ID", "ICTRP ID")


@dataclass(frozen=True)
class Profile:
    name: str
    adjust: Callable[[dict[str, str], Citation], None]
    widen: Callable[[list[str], list[str]], list[str] | None]


def detect(header: list[str]) -> Profile:
    names = {h.lower() for h in header}
    if "emtree medical index terms" in names or "emtree drug index terms" in names:
        return Profile("Embase", _embase, _no_widening)
    if {"pmid", "citation", "journal/book"} <= names:
        return Profile("PubMed", _pubmed, _no_widening)
    if "eid" in names and "source title" in names:
        return Profile("Scopus", _scopus, _scopus_widen)
    if "central id" in names and "database name" in names:
        return Profile("Cochrane", _cochrane, _no_widening)
    if {"plink", "first page", "page count"} <= names:
        return Profile("EBSCO", _ebsco, _no_widening)
    return Profile("generic", _generic, _no_widening)


def _generic(row: dict[str, str], c: Citation) -> None:
    """A sheet of no known database (Rayyan, Covidence, a team's own): a database column
    (metasift's own export has one, a record per line) or a link may name the database a
    record came from (Rayyan keeps Embase.com's)."""
    if "database" not in c.extra:
        column = next(
            (clean(v) for k, v in row.items() if k and k.strip().lower() == "database"), None
        )
        named = column or next(filter(None, map(link_database, c.urls)), None)
        if named:
            c.extra["database"] = named


def _no_widening(header: list[str], cells: list[str]) -> list[str] | None:
    return None


def _embase(row: dict[str, str], c: Citation) -> None:
    c.extra["database"] = "Embase"
    source = _EMBASE_SOURCE.match(clean(row.get("Source")) or "")
    if source:
        c.journal = c.journal or clean(source["journal"])
        c.year = c.year or parse_year(source["year"])
        c.volume = c.volume or source["volume"]
        c.issue = c.issue or source["issue"]
        c.pages = c.pages or expand_pages(clean(source["pages"]))
    link = _openurl(row.get("Open URL Link"))
    c.doi = c.doi or normalise_doi(link.get("id", "").removeprefix("doi:"))
    c.issn = c.issn or normalise_issn(link.get("issn"))
    c.journal_abbrev = c.journal_abbrev or clean(link.get("stitle"))
    if not c.keywords:
        c.keywords = split_keywords(row.get("Emtree Medical Index Terms"))
    major = [
        term
        for kind in ("Drug", "Medical")
        for term in split_keywords(row.get(f"Emtree {kind} Index Terms (Major Focus)"))
    ]
    drug = split_keywords(row.get("Emtree Drug Index Terms"))
    c.extra.update({k: v for k, v in (("emtree_major", major), ("emtree_drug", drug)) if v})


def _openurl(url: str | None) -> dict[str, str]:
    """The first value of each OpenURL query parameter."""
    if not url:
        return {}
    query = parse_qs(urlsplit(url.strip()).query)
    return {key: values[0] for key, values in query.items() if values}


def _pubmed(row: dict[str, str], c: Citation) -> None:
    c.extra["database"] = "PubMed"
    c.authors = split_authors((row.get("Authors") or "").strip().removesuffix("."))
    c.journal_abbrev = c.journal_abbrev or c.journal
    c.source_record_id = c.source_record_id or c.pmid
    found = _PUBMED_CITATION.search(row.get("Citation") or "")
    if found:
        c.volume = c.volume or clean(found["volume"])
        c.issue = c.issue or clean(found["issue"])
        c.pages = c.pages or expand_pages(clean(found["pages"]))
    for column, key in (("Create Date", "create_date"), ("NIHMS ID", "nihms_id")):
        if value := clean(row.get(column)):
            c.extra[key] = value


def _scopus(row: dict[str, str], c: Citation) -> None:
    c.extra["database"] = "Scopus"


def _cochrane(row: dict[str, str], c: Citation) -> None:
    c.extra["database"] = database_name(row.get("Database Name")) or "Cochrane CENTRAL"
    c.journal = c.journal or clean(row.get("Source"))
    c.source_record_id = c.source_record_id or clean(row.get("CENTRAL ID"))
    pubmed = clean(row.get("PubMed ID")) or ""
    c.pmid = c.pmid or normalise_pmid(re.sub(r"^PUBMED\s*", "", pubmed, flags=re.IGNORECASE))
    for column in _COCHRANE_IDS:
        if value := clean(row.get(column)):
            c.extra[column.lower().replace(" ", "_")] = value


def _ebsco(row: dict[str, str], c: Citation) -> None:
    c.extra["database"] = link_database(row.get("PLink")) or "EBSCOhost"
    c.year = c.year or parse_year(_excel_text(row.get("Publication Date")))
    c.issn = c.issn or normalise_issn(_excel_text(row.get("ISSN")))
    c.pages = c.pages or _first_page_and_count(row.get("First Page"), row.get("Page Count"))
    if not c.publication_types:
        c.publication_types = split_keywords(row.get("Doctype"))
    c.record_type = c.record_type or record_type(c.publication_types)
    if isbn := clean(_excel_text(row.get("ISBN"))):
        c.extra["isbn"] = isbn


def _excel_text(cell: str | None) -> str | None:
    """The text inside an Excel-protected cell (`="4/3/2024"`), else the cell."""
    match = _EXCEL_TEXT.fullmatch((cell or "").strip())
    return match.group(1) if match else cell


def _first_page_and_count(first: str | None, count: str | None) -> str | None:
    """EBSCO's first page and page count as a range ("1", "60" -> "1-60")."""
    start, pages = clean(first), clean(count)
    if start and pages and start.isdigit() and pages.isdigit() and int(pages) > 1:
        return join_pages(start, str(int(start) + int(pages) - 1))
    return start


def _scopus_widen(header: list[str], cells: list[str]) -> list[str] | None:
    """The header with more "Funding Text N" columns, if that makes the row line up."""
    texts = [(i, m) for i, h in enumerate(header) if (m := _FUNDING_TEXT.fullmatch(h))]
    if not texts or header[-1] != "EID" or not _EID.fullmatch(cells[-1].strip()):
        return None
    last, found = texts[-1]
    number = int(found.group(1))
    more = [f"Funding Text {number + k}" for k in range(1, len(cells) - len(header) + 1)]
    return [*header[: last + 1], *more, *header[last + 1 :]]
