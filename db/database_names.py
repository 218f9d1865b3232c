"""The one rule naming the database a record came from, for every importer and the migration
that names the records of older reviews.

A name is the database's own name without dates or platform codes, so one database has one
name whatever exported it: Ovid's "ERIC <1992 to June 2024>" and "ERIC" are "ERIC", Ovid's
"APA PsycInfo <2021>" and EBSCO's code "psyh" are "APA PsycInfo", EBSCO's "aph" is "Academic
Search Premier", "Cochrane Central Register of Controlled Trials (CENTRAL)" is "Cochrane
CENTRAL". A name the rule does not know stays as written, dates removed.

A link can name the database where nothing else does: EBSCO's "db=aph", Ovid's "D=psyc16",
a Cochrane Library or Embase.com address.

A record's accession number can say more than the file does: a Web of Science platform UT
names the database searched ("BIOSIS:", "ZOOREC:", "MEDLINE:", "WOS:"), a CENTRAL accession
("CN-00778158") is Cochrane CENTRAL's, an L-number Embase's and an EID Scopus's. Those win
over a database field: an Embase.com record marked only "Medline" was still found by searching
Embase.com, and its L-number says so.

Lives in db/ because the migration that names existing records (m011) needs it too.
"""

from __future__ import annotations

import json
import re

# "ERIC <1992 to June 2024>", "APA PsycInfo <2021>", "Embase 1974 to 2024 June 11"
_DATES = re.compile(r"\s*(?:<[^>]*>|\(\s*\d{4}[^)]*\)|\b(?:1[89]|20)\d\d\b.*)\s*$")

# EBSCO's database codes (the DB tag of its RIS, "db=" in its links), lower case
EBSCO_CODES = {
    "aph": "Academic Search Premier",
    "a9h": "Academic Search Complete",
    "psyh": "APA PsycInfo",
    "pdh": "APA PsycArticles",
    "cin20": "CINAHL",
    "c8h": "CINAHL Plus",
    "rzh": "CINAHL Plus with Full Text",
    "mdc": "MEDLINE",
    "mnh": "MEDLINE",
    "cmedm": "MEDLINE",
    "eric": "ERIC",
    "buh": "Business Source Premier",
    "bth": "Business Source Complete",
    "8gh": "GreenFILE",
    "sph": "SPORTDiscus",
}

# Ovid's database codes ("D=psyc16" in its links), by prefix: the digits are the segment
OVID_CODES = (
    ("psyc", "APA PsycInfo"),
    ("emed", "Embase"),
    ("emez", "Embase"),
    ("oemez", "Embase"),
    ("cctr", "Cochrane CENTRAL"),
    ("coch", "Cochrane Database of Systematic Reviews"),
    ("medl", "MEDLINE"),
    ("mesz", "MEDLINE"),
    ("prem", "MEDLINE"),
    ("caba", "CAB Abstracts"),
    ("eric", "ERIC"),
)
_LINKS = re.compile(
    r"ebscohost\.com/\S*?[?&]db=(?P<ebsco>[A-Za-z0-9]+)"
    r"|ovid\.com/\S*?[?&]D=(?P<ovid>[A-Za-z]+)"
    r"|cochranelibrary\.com/(?P<cochrane>central|cdsr)/"
    r"|(?P<embase>embase\.com/)",
    re.IGNORECASE,
)
_COCHRANE = {"central": "Cochrane CENTRAL", "cdsr": "Cochrane Database of Systematic Reviews"}
# looked for first, as exports write them (lower case): the pattern alone takes 0.6 ms over a
# 17 kB PubMed XML record, which the migration reads for every record of a review
_LINK_HOSTS = ("ebscohost.com/", "ovid.com/", "cochranelibrary.com/", "embase.com/")

# names as platforms spell them (lower case, dates removed) -> the database's name
_ALIASES = {
    "medline": "MEDLINE",
    "pubmed": "PubMed",
    "embase": "Embase",
    "psycinfo": "APA PsycInfo",
    "apa psycinfo": "APA PsycInfo",
    "cinahl": "CINAHL",
    "eric": "ERIC",
    "scopus": "Scopus",
    "central": "Cochrane CENTRAL",
    "cochrane central register of controlled trials": "Cochrane CENTRAL",
    "cochrane central register of controlled trials (central)": "Cochrane CENTRAL",
    "ebm reviews - cochrane central register of controlled trials": "Cochrane CENTRAL",
    "ebm reviews - cochrane database of systematic reviews": (
        "Cochrane Database of Systematic Reviews"
    ),
    "cochrane library": "Cochrane Library",
}
# Ovid's product names: "Ovid MEDLINE(R) ALL", "Embase Classic+Embase"
_PREFIXES = (
    (re.compile(r"(?:ovid )?medline\b", re.IGNORECASE), "MEDLINE"),
    (re.compile(r"embase\b", re.IGNORECASE), "Embase"),
)

# accession numbers that name their database: a Web of Science platform UT prefix, else a shape
_ACCESSION = re.compile(r"([A-Za-z]+):|(CN-\d+)$|(L\d{6,})$|(2-s2\.0-\d+)$")
_UT_PREFIXES = {
    "WOS": "Web of Science",
    "BIOSIS": "BIOSIS Previews",
    "BCI": "BIOSIS Previews",
    "ZOOREC": "Zoological Record",
    "MEDLINE": "MEDLINE",
    "CCC": "Current Contents Connect",
    "CABI": "CAB Abstracts",
    "INSPEC": "Inspec",
    "SCIELO": "SciELO Citation Index",
    "KJD": "KCI-Korean Journal Database",
    "RSCI": "Russian Science Citation Index",
    "DIIDW": "Derwent Innovations Index",
}
_SHAPES = ("Cochrane CENTRAL", "Embase", "Scopus")  # the groups after the prefix, in order
L_NUMBER = re.compile(r"L\d{6,}$")
# extra's "database" value inside the records table's JSON text: parsing every record's extra
# to read one key would cost more than the rest of staging it
_EXTRA_DATABASE = re.compile(r'"database": ("(?:[^"\\]|\\.)*")')


def database_name(value: str | None) -> str | None:
    """The database's name for a name or code as an export writes it; None for nothing."""
    name = " ".join((value or "").split())
    if not name:
        return None
    undated = _DATES.sub("", name) or name
    key = undated.lower()
    if key in EBSCO_CODES:
        return EBSCO_CODES[key]
    if key in _ALIASES:
        return _ALIASES[key]
    for pattern, canonical in _PREFIXES:
        if pattern.match(undated):
            return canonical
    return undated


def accession_database(accession: str | None) -> str | None:
    """The database an accession number belongs to, when its shape says so."""
    match = _ACCESSION.match((accession or "").strip())
    if match is None:
        return None
    if match.group(1):
        return _UT_PREFIXES.get(match.group(1).upper())
    return next(name for name, part in zip(_SHAPES, match.groups()[1:], strict=True) if part)


def link_database(text: str | None) -> str | None:
    """The database the first link in the text names (a URL, or a whole raw record)."""
    if not text or not any(host in text for host in _LINK_HOSTS):
        return None
    match = _LINKS.search(text)
    if match is None:
        return None
    if code := match.group("ebsco"):
        return EBSCO_CODES.get(code.lower())
    if code := match.group("ovid"):
        return next((name for key, name in OVID_CODES if code.lower().startswith(key)), None)
    if part := match.group("cochrane"):
        return _COCHRANE[part.lower()]
    return "Embase"


def record_database(source_record_id: str | None, extra: str | None) -> str | None:
    """A stored record's database from its accession number, else its extra["database"]
    (extra as the records table holds it, JSON text); None when the record does not say."""
    found = accession_database(source_record_id)
    if found or not extra:
        return found
    match = _EXTRA_DATABASE.search(extra)
    return database_name(json.loads(match.group(1))) if match else None
