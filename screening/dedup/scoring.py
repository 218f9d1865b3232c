"""Comparing two records: similarity scores, vetoes and the rules that decide a pair.

Three outcomes: duplicate (merged without asking), doubtful (a person decides) and distinct.
A false merge silently drops a study from the review, so every automatic merge needs agreeing
evidence beyond the title, and anything that smells of a different document (another DOI,
Part II, an erratum, a conference abstract next to the paper) is vetoed or sent to a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from screening.dedup.keys import Keys, journal_names
from screening.dedup.tuning import on

DUPLICATE, DOUBTFUL, DISTINCT = "duplicate", "doubtful", "distinct"
TITLE_FLOOR = 0.80  # below this two titles are different papers unless an identifier says so
_ELSEVIER_CODE = re.compile(r"10\.1016/j\.([a-z]+)\.")  # the journal's code: j.appet, j.regpep
MIN_APPENDED = 40  # characters: shorter titles are too generic to be found inside another
# A title this much longer than another may be it with something appended: up to 1.7 times a
# subtitle or a pasted citation (the pair then needs its locator to agree), beyond it a
# translation
APPENDED, TRANSLATED = 1.25, 1.7


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
    if score >= TITLE_FLOOR or len(short) < MIN_APPENDED or len(long) <= APPENDED * len(short):
        return score
    if len(long) > TRANSLATED * len(short):
        most = 1.0
    elif on("appended-subtitle"):
        most = 0.9  # no more than "similar": the pair's locator must agree as well
    else:
        return score
    ends = max(fuzz.ratio(short, long[: len(short)]), fuzz.ratio(short, long[-len(short) :]))
    return max(score, min(ends / 100 - 0.02, most))


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
    ratio = APPENDED if on("appended-subtitle") else TRANSLATED
    appended = (scores < TITLE_FLOOR) & (longer > ratio * shorter) & (shorter >= MIN_APPENDED)
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
    return bool(a.volume and a.volume == b.volume and pages_agree(a, b))


def pages_agree(a: Keys, b: Keys) -> bool:
    """The same first page, or the same pages written with a slip: with the same last page,
    a first page one digit off ('2141-2147', '2142-2147') or a range that is not one
    ('2297-2108' for 2097-2108)."""
    if not a.first_page or not b.first_page:
        return False
    if a.first_page == b.first_page:
        return True
    if not a.last_page or a.last_page != b.last_page or not on("page-slips"):
        return False
    if len(a.first_page) == len(b.first_page):
        if sum(x != y for x, y in zip(a.first_page, b.first_page, strict=True)) == 1:
            return True
    return not (clean_range(a) and clean_range(b))


def clean_range(k: Keys) -> bool:
    """Pages from a first to a later last page: not missing, a single page, an electronic
    locator ('e3') or a broken range."""
    return bool(k.first_page and k.last_page and int(k.last_page) > int(k.first_page))


def pages_conflict(a: Keys, b: Keys) -> bool:
    return bool(a.first_page and b.first_page and not pages_agree(a, b))


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
    if _conflict(a.volume, b.volume) and pages_conflict(a, b):
        return "volume-pages"
    if (a.generic or b.generic) and not _same_issue(a, b):
        return "generic-title"
    return None


def _same_issue(a: Keys, b: Keys) -> bool:
    """For recurring titles: the same volume and year, nothing that disagrees, and the same
    issue, page or authors."""
    if not a.volume or a.volume != b.volume or _conflict(a.issue, b.issue):
        return False
    if pages_conflict(a, b):
        return False
    issue_and_page = bool(a.issue and a.issue == b.issue and pages_agree(a, b))
    if a.year != b.year:  # a volume across two years ("Nephron" 2011, "Nephron Clin Pract" 2010)
        return issue_and_page and _near_year(a, b) and on("volume-across-years")
    if (a.issue and a.issue == b.issue) or pages_agree(a, b):
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
            if on("subtitle-dropped") and _subtitle_dropped(a.title, b.title):
                return Verdict(DUPLICATE, "subtitle-dropped", title)
            return Verdict(DOUBTFUL, "translated-title", title)
    return Verdict(DISTINCT, "title", title)


def _subtitle_dropped(a: str, b: str) -> bool:
    """One title is the other's first words: "Unilateral neglect in stroke" and "Unilateral
    neglect in stroke: A comparative study" (folded, so the colon is gone)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short.split()) >= 3 and long.startswith(short + " ")


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
    pages_same = pages_agree(a, b)
    clash = pages_conflict(a, b) or _conflict(a.volume, b.volume)
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
    if _outweighs_pages(a, b, title, authors, journal):
        return Verdict(DUPLICATE, "title-authors-volume", title)
    if title >= 0.9 and (authors is None or authors >= 0.6):
        return Verdict(DOUBTFUL, "similar", title)
    return Verdict(DISTINCT, "similar", title)


def _outweighs_pages(
    a: Keys, b: Keys, title: float, authors: float | None, journal: float | None
) -> bool:
    """The same title, authors, year, journal and volume outweigh pages that disagree when
    one side's are not a clean range (a single page, an electronic locator, a range a
    database mangled). Not across two issues (a one-page erratum or congress abstract in
    another issue of the volume), nor without pages on both sides (a recurring column,
    "Editor's Comments", has the same title, editor, volume and year in every issue)."""
    return bool(
        on("pages-outweighed")
        and pages_conflict(a, b)
        and not _conflict(a.issue, b.issue)
        and title >= 0.97
        and authors is not None
        and authors >= 0.9
        and (journal or 0) >= 0.8
        and a.year == b.year
        and a.volume
        and a.volume == b.volume
        and not (clean_range(a) and clean_range(b))
    )


def forget_misfiled_dois(keys: list[Keys]) -> int:
    """Drop an Elsevier DOI naming another journal than its record's, where a record with the
    same title carries one naming the record's journal: two 'Appetite' abstracts, one with
    '10.1016/j.appet...', one with '10.1016/j.regpep...' (Regulatory Peptides, from Embase).
    The wrong one would veto the pair and split its cluster. Returns how many were dropped."""
    by_title: dict[str, list[Keys]] = {}
    for k in keys if on("misfiled-doi") else ():
        if k.title and _ELSEVIER_CODE.match(k.doi or ""):
            by_title.setdefault(k.title, []).append(k)
    dropped = 0
    for group in by_title.values():
        if len({k.doi for k in group}) < 2:
            continue
        fits = [_doi_fits_journal(k) for k in group]
        if any(fits):
            for k, fit in zip(group, fits, strict=True):
                if not fit:
                    k.doi = None
                    dropped += 1
    return dropped


def _doi_fits_journal(k: Keys) -> bool:
    """The Elsevier DOI's journal code abbreviates one of the record's journal names."""
    code = _ELSEVIER_CODE.match(k.doi or "")
    names = journal_names(k.journal_raw)
    return bool(code and any(abbreviates(code[1], "".join(n)) for n in names))


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
