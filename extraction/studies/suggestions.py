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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, combinations

from sqlite_utils import Database

from db.studies import record_texts
from extraction.studies.grouping import Report, Study

REGISTRATION = re.compile(
    r"\b(NCT\d{8}|ISRCTN\d{8}|ChiCTR[-\w]*?\d{6,}|\d{4}-\d{6}-\d{2}|ACTRN\d{14}"
    r"|CTRI/\d{4}/\d{2,3}/\d{6}|DRKS\d{8}|IRCT\w*?\d+N\d+|UMIN\d{9}|KCT\d{7})\b",
    re.IGNORECASE,
)
SHORT_WORDS = 4  # title words shorter than this (of, the, with) say nothing
# Dice's 2|A and B| / (|A| + |B|) over title words: on reflib_blue-light.nbib's records of one
# first author, 0.6 keeps the home-use blue-light trials together and leaves out that
# author's other topics (0.4-0.5)
TITLE_SHARE = 0.6


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
    studies. Only reports sharing a number or a first author are compared, so hundreds of
    reports take no time."""
    made: dict[tuple[str, str], Suggestion] = {}
    for (s1, r1), (s2, r2), reason in chain(
        _sharing_numbers(studies, numbers), _sharing_author(studies)
    ):
        key = (min(s1.uuid, s2.uuid), max(s1.uuid, s2.uuid))
        if s1.uuid != s2.uuid and key not in made:
            made[key] = Suggestion((r1.record_id, r2.record_id), (s1.label, s2.label), reason)
    return sorted(made.values(), key=lambda s: s.record_ids)


Placed = tuple[Study, Report]
Pair = tuple[Placed, Placed, str]


def _buckets(studies: list[Study], keys: Callable[[Report], Iterable[str]]) -> list[list[Placed]]:
    """The reports grouped by each key they have, in key order."""
    found: dict[str, list[Placed]] = defaultdict(list)
    for study in studies:
        for report in study.reports:
            for key in keys(report):
                found[key].append((study, report))
    return [found[key] for key in sorted(found)]


def _sharing_numbers(studies: list[Study], numbers: dict[int, set[str]]) -> Iterator[Pair]:
    for held in _buckets(studies, lambda r: numbers.get(r.outcome.cluster_id, set())):
        for a, b in combinations(held, 2):
            shared = numbers[a[1].outcome.cluster_id] & numbers[b[1].outcome.cluster_id]
            yield a, b, ", ".join(sorted(shared))


def _sharing_author(studies: list[Study]) -> Iterator[Pair]:
    for held in _buckets(
        studies, lambda r: [_first_author(r).casefold()] if _first_author(r) else []
    ):
        for a, b in combinations(held, 2):
            if _titles_alike(a[1], b[1]):
                yield a, b, f"first author {_first_author(a[1])} and title words"


def _titles_alike(a: Report, b: Report) -> bool:
    """At least three title words in common and a Dice coefficient of TITLE_SHARE."""
    words_a, words_b = _title_words(a), _title_words(b)
    shared = len(words_a & words_b)
    return shared >= 3 and 2 * shared >= TITLE_SHARE * (len(words_a) + len(words_b))


def _first_author(report: Report) -> str:
    authors = json.loads(report.canonical.get("authors") or "[]")
    return str(authors[0]).split(",")[0].strip() if authors else ""


def _title_words(report: Report) -> set[str]:
    words = re.findall(r"\w+", (report.canonical.get("title") or "").casefold())
    return {w for w in words if len(w) >= SHORT_WORDS}
