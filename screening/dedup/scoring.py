"""Comparing two records: similarity scores, vetoes and the rules that decide a pair.

Three outcomes: duplicate (merged without asking), doubtful (a person decides) and distinct.
A false merge silently drops a study from the review, so every automatic merge needs agreeing
evidence beyond the title, and anything that smells of a different document (another DOI,
Part II, an erratum, a conference abstract next to the paper) is vetoed or sent to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from screening.dedup.keys import Keys

DUPLICATE, DOUBTFUL, DISTINCT = "duplicate", "doubtful", "distinct"
TITLE_FLOOR = 0.80  # below this two titles are different papers unless an identifier says so
MIN_APPENDED = 40  # characters: shorter titles are too generic to be found inside another


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: str
    rule: str  # the rule or veto that decided, e.g. "doi", "title-authors-venue", "part-number"
    score: float  # title similarity, 0..1


def title_similarity(a: Keys, b: Keys) -> float:
    """The better of plain and word-order-free similarity, 0..1."""
    if not a.title or not b.title:
        return 0.0
    score = max(fuzz.ratio(a.title, b.title), fuzz.ratio(a.title_sorted, b.title_sorted)) / 100
    return _appended(a.title, b.title, score)


def _appended(a: str, b: str, score: float) -> float:
    """A translation or subtitle appended to one title: the shorter title is how the longer
    one starts or ends ("Crowdwork: Applying a relational inequality theory [Arbeiten ...]")."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if score < TITLE_FLOOR and len(long) > 1.7 * len(short) and len(short) >= MIN_APPENDED:
        ends = max(fuzz.ratio(short, long[: len(short)]), fuzz.ratio(short, long[-len(short) :]))
        score = max(score, ends / 100 - 0.02)
    return score


def title_similarities(
    keys: Sequence[Keys], pairs: Sequence[tuple[int, int]], workers: int = 1
) -> list[float]:
    """title_similarity for many pairs at once (rapidfuzz compares them in C; workers=-1
    uses a thread per core)."""
    if not pairs:
        return []
    firsts = [keys[i] for i, _ in pairs]
    seconds = [keys[j] for _, j in pairs]
    plain = process.cpdist(
        [k.title for k in firsts], [k.title for k in seconds], scorer=fuzz.ratio, workers=workers
    )
    ordered = process.cpdist(
        [k.title_sorted for k in firsts],
        [k.title_sorted for k in seconds],
        scorer=fuzz.ratio,
        workers=workers,
    )
    scores = plain.clip(min=ordered) / 100
    la = np.array([len(k.title) for k in firsts])
    lb = np.array([len(k.title) for k in seconds])
    longer, shorter = np.maximum(la, lb), np.minimum(la, lb)
    scores[shorter == 0] = 0.0
    appended = (scores < TITLE_FLOOR) & (longer > 1.7 * shorter) & (shorter >= MIN_APPENDED)
    for n in np.flatnonzero(appended).tolist():
        scores[n] = _appended(firsts[n].title, seconds[n].title, float(scores[n]))
    return scores.tolist()


def worth_comparing(a: Keys, b: Keys, title: float) -> bool:
    """False for the many candidate pairs that can only be distinct (cheap to check)."""
    if title >= TITLE_FLOOR:
        return True
    if (a.pmid and a.pmid == b.pmid) or (a.doi and a.doi == b.doi):
        return True
    return title >= 0.3 and same_locator(a, b)


def author_similarity(a: Keys, b: Keys) -> float | None:
    a.detail(), b.detail()
    if not a.authors or not b.authors:
        return None
    return fuzz.token_set_ratio(a.authors, b.authors) / 100


def abbreviates(short: str, word: str) -> bool:
    """'natl' abbreviates 'national': same first letter, the rest in order."""
    if short[0] != word[0] or len(short) > len(word):
        return False
    pos = 0
    for ch in short:
        pos = word.find(ch, pos) + 1
        if pos == 0:
            return False
    return True


def journal_similarity(a: Keys, b: Keys) -> float | None:
    """1.0 for the same journal spelt out, abbreviated ('N Engl J Med') or translated."""
    a.detail(), b.detail()
    if not a.journal or not b.journal:
        return None
    return max(_name_similarity(x, y) for x in a.journal for y in b.journal)


def _name_similarity(x: tuple[str, ...], y: tuple[str, ...]) -> float:
    if x == y:
        return 1.0
    if len(x) == len(y) and all(
        abbreviates(p, q) or abbreviates(q, p) for p, q in zip(x, y, strict=True)
    ):
        return 1.0
    if "".join(x) == "".join(y):  # "PLoS One" and "PLOSONE"
        return 1.0
    return fuzz.token_set_ratio(" ".join(x), " ".join(y)) / 100


def _conflict(x: object, y: object) -> bool:
    return bool(x and y and x != y)


def _numbers_conflict(a: Keys, b: Keys) -> bool:
    """Part I and Part II: each title has a number the other lacks."""
    na, nb = a.title_numbers, b.title_numbers
    return na != nb and bool(na - nb) and bool(nb - na)


def same_locator(a: Keys, b: Keys) -> bool:
    """Same volume and first page: one article, whatever the journal is called."""
    return bool(a.volume and a.volume == b.volume and a.first_page and a.first_page == b.first_page)


def _near_year(a: Keys, b: Keys, gap: int = 1) -> bool:
    return a.year is None or b.year is None or abs(a.year - b.year) <= gap


def _published(k: Keys) -> bool:
    """Has the volume or pages of a printed issue (not ahead of print)."""
    return bool(k.volume or k.first_page)


def veto(a: Keys, b: Keys) -> str | None:
    """The reason two records with similar titles are different documents, or None."""
    a.detail(), b.detail()
    if _conflict(a.pmid, b.pmid):
        return "different-pmid"
    if _conflict(a.doi, b.doi):
        return "different-doi"
    if a.notice != b.notice:
        return "notice"
    if _numbers_conflict(a, b):
        return "part-number"
    if not _near_year(a, b) and _published(a) and _published(b):
        return "year-gap"
    if _conflict(a.volume, b.volume) and _conflict(a.first_page, b.first_page):
        return "volume-pages"
    if (a.generic or b.generic) and not _same_issue(a, b):
        return "generic-title"
    return None


def _same_issue(a: Keys, b: Keys) -> bool:
    """For recurring titles: the same volume and year, nothing that disagrees, and the same
    issue, page or authors."""
    if not a.volume or a.volume != b.volume or a.year != b.year:
        return False
    if _conflict(a.issue, b.issue) or _conflict(a.first_page, b.first_page):
        return False
    if (a.issue and a.issue == b.issue) or (a.first_page and a.first_page == b.first_page):
        return True
    authors = author_similarity(a, b)
    return authors is not None and authors >= 0.9


def compare(a: Keys, b: Keys, title: float | None = None) -> Verdict:
    """Decide one pair (title: its title_similarity, if already known); the first rule that
    fires wins."""
    if a.pmid and a.pmid == b.pmid:
        return Verdict(DUPLICATE, "pmid", 1.0)
    if title is None:
        title = title_similarity(a, b)
    a.detail()
    b.detail()
    if a.doi and a.doi == b.doi:
        return _same_doi(a, b, title)
    if title < TITLE_FLOOR:
        return _different_titles(a, b, title)
    reason = veto(a, b)
    authors = author_similarity(a, b)
    if reason is not None:
        if reason == "different-doi" and _wrong_doi(a, b, title, authors):
            return Verdict(DOUBTFUL, reason, title)
        return Verdict(DISTINCT, reason, title)
    return _decide(a, b, title, authors, journal_similarity(a, b))


def _same_doi(a: Keys, b: Keys, title: float) -> Verdict:
    if title >= TITLE_FLOOR and a.notice == b.notice and not _numbers_conflict(a, b):
        return Verdict(DUPLICATE, "doi", title)
    authors = author_similarity(a, b)
    if title >= 0.5 or same_locator(a, b) or (authors is not None and authors >= 0.8):
        return Verdict(DOUBTFUL, "doi-title-differs", title)
    return Verdict(DISTINCT, "doi-title-differs", title)  # a DOI given to a whole supplement


def _different_titles(a: Keys, b: Keys, title: float) -> Verdict:
    """A translated title: the same article by its locator and authors."""
    full_range = a.last_page is not None and a.last_page == b.last_page
    if title >= 0.3 and full_range and same_locator(a, b) and a.year == b.year:
        authors = author_similarity(a, b)
        journal = journal_similarity(a, b)
        same_kind = a.notice == b.notice
        if authors is not None and authors >= 0.9 and (journal or 1.0) >= 0.8 and same_kind:
            return Verdict(DOUBTFUL, "translated-title", title)
    return Verdict(DISTINCT, "title", title)


def _wrong_doi(a: Keys, b: Keys, title: float, authors: float | None) -> bool:
    """Different DOIs on what looks like one article: one DOI may be wrong (Embase)."""
    return (
        title >= 0.95
        and authors is not None
        and authors >= 0.9
        and a.notice == b.notice
        and not _numbers_conflict(a, b)
        and not (a.generic or b.generic)
        and a.year == b.year
        and bool(a.first_page and a.first_page == b.first_page)
    )


def _decide(
    a: Keys, b: Keys, title: float, authors: float | None, journal: float | None
) -> Verdict:
    near = _near_year(a, b)
    pages_same = bool(a.first_page and a.first_page == b.first_page)
    clash = _conflict(a.first_page, b.first_page) or _conflict(a.volume, b.volume)
    if near and same_locator(a, b):
        if (title >= 0.9 and (authors is None or authors >= 0.5)) or (authors or 0) >= 0.8:
            return Verdict(DUPLICATE, "title-locator", title)
    if a.accession and b.accession and a.database == b.database and a.accession != b.accession:
        return Verdict(DOUBTFUL, "same-database", title)
    if title >= 0.95 and (authors is None or authors >= 0.8) and near and (journal or 0) >= 0.8:
        if pages_same:  # the volume is often garbled in supplements; the page is not
            return Verdict(DUPLICATE, "title-journal-page", title)
        if not clash and not _conflict(a.issue, b.issue):
            return Verdict(DUPLICATE, "title-authors-journal", title)
    if journal is not None and journal < 0.6 and clash:
        return Verdict(DISTINCT, "venue-differs", title)  # conference abstract and the paper
    if title >= 0.9 and (authors is None or authors >= 0.6):
        return Verdict(DOUBTFUL, "similar", title)
    return Verdict(DISTINCT, "similar", title)


def forget_shared_dois(keys: list[Keys], min_records: int = 3) -> int:
    """Drop DOIs given to a whole supplement or issue (several records, unrelated titles).

    Such a DOI identifies nothing: it would merge unrelated abstracts, or veto a real pair
    when one record carries the abstract's own DOI. Returns how many DOIs were dropped.
    """
    groups: dict[str, list[Keys]] = {}
    for k in keys:
        if k.doi:
            groups.setdefault(k.doi, []).append(k)
    dropped = 0
    for group in groups.values():
        if len(group) < min_records:
            continue
        if any(title_similarity(group[0], k) < 0.5 for k in group[1:]):
            for k in group:
                k.doi = None
            dropped += 1
    return dropped
