"""Reports that look like one trial: suggested, never linked without a reviewer.

Two signs, strongest first: a trial registration number both carry (ClinicalTrials.gov NCT,
ISRCTN, the Chinese registry's ChiCTR, EudraCT; also ANZCTR, CTRI, DRKS, IRCT, UMIN and
KCT), found in the abstract, the extra fields or the record as imported (PubMed puts it in
its DataBank list); or the same first author with most title words in common, as a
conference abstract and its full paper usually have.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import combinations

from sqlite_utils import Database

from db.studies import record_texts
from extraction.studies.grouping import Report, Study

REGISTRATION = re.compile(
    r"\b(NCT\d{8}|ISRCTN\d{8}|ChiCTR[-\w]*?\d{6,}|\d{4}-\d{6}-\d{2}|ACTRN\d{14}"
    r"|CTRI/\d{4}/\d{2,3}/\d{6}|DRKS\d{8}|IRCT\w*?\d+N\d+|UMIN\d{9}|KCT\d{7})\b",
    re.IGNORECASE,
)
SHORT_WORDS = 4  # title words shorter than this (of, the, with) say nothing
TITLE_SHARE = 0.6  # of the shorter title's words, to call two titles alike


@dataclass(frozen=True)
class Suggestion:
    record_ids: tuple[int, int]  # one report of each study
    labels: tuple[str, str]
    reason: str  # "NCT01234567" or "first author Zhang and title words"


def registrations(text: str) -> set[str]:
    """The trial registration numbers in a text, written one way (ChiCTR's dashes dropped)."""
    found = set()
    for match in REGISTRATION.findall(text):
        number = match.upper()
        if number.startswith("CHICTR"):
            number = "ChiCTR" + number[6:].replace("-", "")
        found.add(number)
    return found


def report_registrations(db: Database, studies: list[Study]) -> dict[int, set[str]]:
    """cluster id -> the registration numbers its report's records carry."""
    reports = [r for s in studies for r in s.reports]
    texts = record_texts(db, (m["id"] for r in reports for m in r.members))
    return {
        r.outcome.cluster_id: {n for m in r.members for n in registrations(texts.get(m["id"], ""))}
        for r in reports
    }


def suggest_links(studies: list[Study], numbers: dict[int, set[str]]) -> list[Suggestion]:
    """Pairs of reports in different studies that share a registration number (numbers:
    from report_registrations), else a first author and title words; one per pair of
    studies."""
    reports = [(s, r) for s in studies for r in s.reports]
    made: dict[tuple[str, str], Suggestion] = {}
    for (s1, r1), (s2, r2) in combinations(reports, 2):
        key = (min(s1.uuid, s2.uuid), max(s1.uuid, s2.uuid))
        if s1.uuid == s2.uuid or key in made:
            continue
        none: set[str] = set()
        shared = numbers.get(r1.outcome.cluster_id, none) & numbers.get(r2.outcome.cluster_id, none)
        reason = ", ".join(sorted(shared)) if shared else _alike(r1, r2)
        if reason:
            made[key] = Suggestion((r1.record_id, r2.record_id), (s1.label, s2.label), reason)
    return list(made.values())


def _alike(a: Report, b: Report) -> str:
    """ "first author NAME and title words" when both hold, else ""."""
    first_a, first_b = _first_author(a), _first_author(b)
    if not first_a or first_a.casefold() != first_b.casefold():
        return ""
    words_a, words_b = _title_words(a), _title_words(b)
    shorter = min(len(words_a), len(words_b))
    if shorter < 3 or len(words_a & words_b) < TITLE_SHARE * shorter:
        return ""
    return f"first author {first_a} and title words"


def _first_author(report: Report) -> str:
    authors = json.loads(report.canonical.get("authors") or "[]")
    return str(authors[0]).split(",")[0].strip() if authors else ""


def _title_words(report: Report) -> set[str]:
    words = re.findall(r"\w+", (report.canonical.get("title") or "").casefold())
    return {w for w in words if len(w) >= SHORT_WORDS}
