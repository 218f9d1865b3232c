"""A record as the duplicate finder sees it: folded, tokenised fields and the features vetoes use.

Everything here is pure string work on one record, done once per record, so that comparing
pairs afterwards only looks things up. It runs on every record of a review at each dedup run,
so it is written for speed: one split of the title serves every title feature, and the fields
that repeat across records (journal names, author names, volumes) are cached.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from screening.citation_cleanup import title_and_notes
from screening.dedup.title_marks import without_marks
from screening.dedup.tuning import on
from screening.normalise import normalise_doi

_TAGS = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,10}(?:\s[^<>]{0,60})?/?>")  # <sup>, </i>, <br/>
_NON_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# letters NFKD does not decompose
_LATIN = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th"})

# "[Article in German]", "[Chinese]", "[Abstract]", "[published erratum appears in ...]"
_BRACKET_TAG = re.compile(
    r"\s*[\[(](?:article in |in )?(?:english|chinese|german|french|spanish|italian|japanese|"
    r"russian|portuguese|polish|dutch|turkish|korean|czech|hungarian|danish|swedish|norwegian|"
    r"finnish|greek|hebrew|persian|croatian|serbian|slovak|romanian|abstract|"
    r"(?:published )?erratum appears[^\])]*|author'?s? transl[^\])]*)[\])]\.?",
    re.IGNORECASE,
)
_RETRACTED_MARK = re.compile(
    r"^\s*(?:retracted(?: article)?|withdrawn)\s*[:.-]\s*"
    r"|\s*[\[(](?:retracted|withdrawn)[^\])]*[\])]",
    re.IGNORECASE,
)
# A notice about another paper; in only one of two titles it means two different documents.
# At the start it must look like a heading ("Erratum", "Correction: ...", "Reply to ..."), so
# that "Correction of post-stroke impairments" or "Response of tumours to ..." are not notices.
_NOTICE_START = re.compile(
    r"^\W*(?:notice of retraction|expression of concern|erratum|errata|corrigendum|correction|"
    r"retraction|in reply|authors?\W{0,2}s? reply|reply|response|comment|commentary|letter)\b"
    r"(?:\s*(?:[:.\-\u2013\u2014]|to\b|on\b|of\s*[\"\u201c'])|\s*$)",
    re.IGNORECASE,
)
_NOTICE_ANYWHERE = re.compile(
    r"\b(?:erratum|errata|corrigendum|correction to|retraction of|retraction note|retraction "
    r"notice|reply to|comment on|commentary on|letter to the editor|in response to|authors reply|"
    r"author s reply|study protocol)\b"
)
_NOTICE_WORDS = frozenset(
    "erratum errata corrigendum correction retraction reply comment commentary letter "
    "response authors author study".split()
)
_ROMAN = {"ii": 2, "iii": 3, "iv": 4, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "xi": 11, "xii": 12}
_NUMBERED = frozenset("part phase type stage grade class study trial series".split())
_LETTER_NUMBERS = {"i": 1, "v": 5, "x": 10}
_ROMAN_OR_LETTER = frozenset([*_ROMAN, *_LETTER_NUMBERS])
_DIGITS = re.compile(r"\d+")
_GENERIC = {
    "editorial", "editor s comments", "editors comments", "from the editor", "book review",
    "book reviews", "reply", "in reply", "correction", "erratum", "corrigendum", "introduction",
    "preface", "foreword", "commentary", "letter", "letters", "news", "abstracts", "index",
    "contents", "table of contents", "editor s note", "guest editorial", "errata",
}  # fmt: skip
# words of the columns a journal prints in every issue under the same title
_COLUMN_WORDS = frozenset(
    "editor editors editorial comments introduction preface foreword reviewers issue "
    "acknowledgement acknowledgements acknowledgment acknowledgments erratum errata obituary "
    "news papers".split()
)
_TITLE_STOP = frozenset("a an the of in on and for to with by at from".split())
_JOURNAL_STOP = frozenset("the of and for in on de la der und fur a".split())
_CONFERENCE = re.compile(r"\.\s*Conference\b")  # "J Thromb Haemost.Conference: 23rd Congress..."
_SPACED_CONFERENCE = re.compile(r"\. Conference")
_LEADING_INT = re.compile(r"\s*(\d+)")
_PAGE = re.compile(r"[a-z]?(\d+)", re.IGNORECASE)
# "Nagashima M.Watanabe T.": authors run together where the commas were stripped
_AUTHOR_SPLIT = re.compile(r"\x1f|(?<=\.)(?=[A-Z][a-z])")
_ASCII_DROP = str.maketrans("", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum()))
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_GROUP = re.compile(
    r"\b(?:group|consortium|investigators|collaborat\w*|committee|society|association|"
    r"network|team|trialists|anonymous|et al)\b",
    re.IGNORECASE,
)
MAX_AUTHORS = 10
_PARTICLES = frozenset("le la les de del della der den di da das do dos du van von ten ter".split())


def fold(text: str | None) -> str:
    """Lower-case words separated by single spaces: tags, accents and punctuation gone.

    >>> fold("Neittaanmäki <i>&amp;</i> Søren's: Part-II")
    'neittaanmaki soren s part ii'
    """
    if not text:
        return ""
    if "<" in text:
        text = _TAGS.sub("", text)  # inline markup: "Ca<sup>2+</sup>" reads "Ca2+"
    if "&" in text:
        text = html.unescape(text)
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_LATIN)))
    return _NON_WORD.sub(" ", text).strip()


@dataclass(slots=True)
class Keys:
    """The comparable form of one record; index is its position in the run's list.

    Blocking and title similarity need only the first group of fields, so those are made for
    every record; the rest (all authors, journal names, title features for the vetoes) are
    made by detail() for the few records whose title resembles another's.
    """

    index: int
    record_id: int
    title: str
    title_sorted: str  # the title's words in alphabetical order (token-sort similarity)
    head: str  # first and last four content words of the title (blocking keys)
    tail: str
    first_author: str  # surname
    year: int | None
    volume: str | None
    issue: str | None
    first_page: str | None
    last_page: str | None
    doi: str | None
    pmid: str | None
    database: str
    accession: str | None
    authors_json: str | None
    journal_raw: str | None
    title_raw: str | None
    # made by detail()
    detailed: bool = False
    authors: str = ""  # "surname i surname i ..." for the first MAX_AUTHORS
    journal: tuple[tuple[str, ...], ...] = ()  # every name the journal goes by, as words
    title_numbers: frozenset[int] = frozenset()
    notice: bool = False
    generic: bool = False

    def detail(self) -> Keys:
        if not self.detailed:
            words = self.title.split()
            self.authors = " ".join(author_keys(self.authors_json))
            self.journal = journal_names(self.journal_raw)
            self.title_numbers = title_numbers(self.title, words)
            self.notice = is_notice(self.title_raw, self.title, set(words))
            self.generic = is_generic(self.title, words)
            self.detailed = True
        return self


def clean_title(title: str | None) -> str:
    """The title without language tags, brackets round a translation or retraction marks."""
    if not title:
        return ""
    t = title.strip().strip('"').strip()
    if on("title-marks"):
        t = without_marks(t)[0]
    if "etract" in t or "ithdraw" in t or "ETRACT" in t or "ITHDRAW" in t:
        t = _RETRACTED_MARK.sub(" ", t)
    if "[" in t or "(" in t:
        t = title_and_notes(t)[0] or ""  # as imports now store titles ("[Review] [75 refs]")
        t = _BRACKET_TAG.sub(" ", t).strip()
        if t.startswith("[") and (t.endswith("]") or t.endswith("].")):
            t = t.lstrip("[").rstrip(".").rstrip("]")
    return fold(t)


def title_numbers(title: str, words: list[str] | None = None) -> frozenset[int]:
    """Numbers that tell papers apart: digit runs, roman numerals, "part i"-style letters."""
    words = title.split() if words is None else words
    found = {int(d) for d in _DIGITS.findall(title)}
    if _ROMAN_OR_LETTER.isdisjoint(words):
        return frozenset(found)
    for i, word in enumerate(words):
        if word in _ROMAN:
            found.add(_ROMAN[word])
        elif word in _LETTER_NUMBERS and i and words[i - 1] in _NUMBERED:
            found.add(_LETTER_NUMBERS[word])
    return frozenset(found)


def is_notice(raw_title: str | None, title: str, words: set[str]) -> bool:
    """An erratum, retraction, reply, comment or letter about another paper."""
    if raw_title and on("title-marks") and without_marks(raw_title)[1]:
        return True  # an erratum naming the article it corrects
    if words.isdisjoint(_NOTICE_WORDS):
        return False
    return bool(_NOTICE_START.match(raw_title or "") or _NOTICE_ANYWHERE.search(title))


def is_generic(title: str, words: list[str]) -> bool:
    """A title that recurs for different documents: "Editorial", "Editor's comments: ..."."""
    if len(words) < 4 or title in _GENERIC:
        return True
    return len(words) <= 10 and not _COLUMN_WORDS.isdisjoint(words)


@lru_cache(maxsize=1 << 16)
def author_key(name: str) -> str | None:
    """'Neubauer, Marcus A.' / 'Neubauer M. A.' / 'M. A. Neubauer' -> 'neubauer m'."""
    if "," in name:
        surname, _, given = name.partition(",")
        if given.strip().lower() == "null":
            given = ""
        if on("surname-particle"):
            surname, given = _without_particle(surname, given)
    elif _GROUP.search(name):
        return None
    else:
        surname, given = _surname_given(name.split())
    surname = _squeeze(surname)
    if not surname:
        return None
    initial = _squeeze(given)[:1]
    return f"{surname} {initial}" if initial else surname


def _without_particle(surname: str, given: str) -> tuple[str, str]:
    """'Le Quintrec', 'Quintrec' and 'Le, Quintrec M.' are one surname: a leading particle
    goes, and a lone particle before the comma takes the next word as the surname."""
    words = surname.split()
    if len(words) == 1 and words[0].lower() in _PARTICLES:
        rest = given.split()
        if len(rest) >= 2 and len(rest[0].strip(".")) > 1:  # "Le, Quintrec M."
            return rest[0], " ".join(rest[1:])
        return surname, given
    while len(words) > 1 and words[0].lower() in _PARTICLES:
        words.pop(0)
    return " ".join(words), given


def _surname_given(words: list[str]) -> tuple[str, str]:
    if not words:
        return "", ""
    cut = len(words)
    while cut > 1 and _INITIALS.match(words[cut - 1]):
        cut -= 1
    if cut < len(words):  # "Neubauer M. A."
        return " ".join(words[:cut]), " ".join(words[cut:])
    lead = 0
    while lead < len(words) - 1 and _INITIALS.match(words[lead]):
        lead += 1
    if lead:  # "M. A. Neubauer"
        return " ".join(words[lead:]), " ".join(words[:lead])
    return words[-1], " ".join(words[:-1])  # "Marcus Neubauer"


def _squeeze(text: str) -> str:
    """Folded letters and digits only: "Kim-Kaneyama" -> "kimkaneyama"."""
    if text.isascii():
        return text.lower().translate(_ASCII_DROP)
    return fold(text).replace(" ", "")


def author_keys(authors_json: str | None) -> list[str]:
    """The first authors as 'surname initial', undoing names run together in one string."""
    if not authors_json or authors_json == "[]":
        return []
    names = json.loads(authors_json)
    joined = "\x1f".join(names[: MAX_AUTHORS * 2])
    parts = _AUTHOR_SPLIT.split(joined) if "." in joined else names
    keys = []
    for part in parts:
        key = author_key(part.strip()) if part.strip() else None
        if key:
            keys.append(key)
            if len(keys) == MAX_AUTHORS:
                break
    return keys


@lru_cache(maxsize=1 << 16)
def journal_names(journal: str | None) -> tuple[tuple[str, ...], ...]:
    """Each name a journal goes by (a translation after '=' or in brackets), as words.

    'Zhongguo fei ai za zhi = Chinese journal of lung cancer' gives both names, without
    article words or a conference tail ('Circulation. Conference: AHA' is Circulation).
    """
    if not journal:
        return ()
    names: list[tuple[str, ...]] = []
    conference = _CONFERENCE if on("conference-journal") else _SPACED_CONFERENCE
    for part in re.split(r"\s(?:=|/)\s|\[|\]|\(|\)", conference.split(journal, 1)[0]):
        words = tuple(w for w in fold(part).split() if w not in _JOURNAL_STOP and not w.isdigit())
        if words and words not in names:
            names.append(words)
    return tuple(names)


@lru_cache(maxsize=1 << 16)
def leading_int(value: str | None) -> str | None:
    """'150 (Suppl 1)' -> '150'; junk left over from a stripped field ('1)') -> None."""
    if not value:
        return None
    m = _LEADING_INT.match(value)
    if m is None or value[m.end() : m.end() + 1] == ")":
        return None
    return m.group(1).lstrip("0") or "0"


@lru_cache(maxsize=1 << 16)
def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """'S231-S232' -> ('231', '232'); 'e0123' -> ('123', None); '2649-59' -> ('2649', '2659');
    '233-8, 230-5, 246-51' -> ('230', '251')."""
    if not pages:
        return None, None
    if (
        ("," in pages or "+" in pages)
        and on("page-lists")
        and len(found := _PAGE.findall(pages, 0, 80)) > 2
    ):
        ranges = [page_range(part) for part in re.split(r"[,+]", pages)]
        firsts = [int(f) for f, _ in ranges if f]
        lasts = [int(x or f) for f, x in ranges if f]  # in any order, as the lowest to highest
        return (str(min(firsts)), str(max(lasts))) if firsts else (None, None)
    found = _PAGE.findall(pages, 0, 40)[:2]
    if not found:
        return None, None
    first = found[0].lstrip("0") or "0"
    if len(found) < 2:
        return first, None
    last = found[1].lstrip("0") or "0"
    if len(last) < len(first) and int(last) < int(first):
        last = first[: len(first) - len(last)] + last  # 2649-59
    return first, last


def clear_caches() -> None:
    """Forget the cached keys (after tuning.leave_out changed the rules)."""
    for cached in (author_key, journal_names, leading_int, page_range):
        cached.cache_clear()


def doi_key(value: str | None) -> str | None:
    """normalise_doi, also undoing URL escapes ('10.1016/S0025-7753%2817%2930624-3')."""
    if value and "%" in value:
        value = unquote(value)
    return normalise_doi(value)


def first_author(authors_json: str | None) -> str:
    """The first author's surname, read without parsing the whole list."""
    if not authors_json or not authors_json.startswith('["'):
        return ""
    end = authors_json.find('"', 2)
    if end < 0 or authors_json[end - 1] == "\\":
        names = json.loads(authors_json)
        name = names[0] if names else ""
    else:
        name = authors_json[2:end]
    if "." in name:
        name = _AUTHOR_SPLIT.split(name, maxsplit=1)[0]
    key = author_key(name.strip())
    return key.partition(" ")[0] if key else ""


def key_values(index: int, row: dict[str, Any]) -> tuple[Any, ...]:
    """Keys' computed fields for a records row (joined with its source's database name), up
    to accession: a plain tuple, cheap to send from a worker process."""
    title = clean_title(row["title"])
    words = title.split()
    content = [w for w in words if w not in _TITLE_STOP]
    blockable = len(content) >= 2
    return (
        index,
        row["id"],
        title,
        " ".join(sorted(words)),
        " ".join(content[:4]) if blockable else "",
        " ".join(content[-4:]) if blockable else "",
        first_author(row["authors"]),
        row["year"],
        leading_int(row["volume"]),
        leading_int(row["issue"]),
        *page_range(row["pages"]),
        doi_key(row["doi"]),
        row["pmid"] or None,
        row.get("database") or "",
        row.get("accession"),
    )


def record_keys(index: int, row: dict[str, Any]) -> Keys:
    """Keys for a records row (joined with its source's database name)."""
    return Keys(*key_values(index, row) + (row["authors"], row["journal"], row["title"]))
