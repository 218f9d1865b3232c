"""Normalisers shared by every importer, so all formats agree on what a field looks like.

The first half is what every format needs (text, identifiers, years, pages, languages,
abstract sections). The second half turns values that BibTeX, CSV and the tagged formats
carry as one string into what Citation asks for: keywords in one cell, ISSNs with or
without their hyphen, an abstract whose paragraphs are only blank lines. Author names live
in author_names.py (re-exported here, where the importers look for them); markup and
entities in markup.py; the rules applied to every citation at the end in citation_cleanup.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from screening.author_names import (  # noqa: F401 (importers take them from here)
    author_list,
    is_initials,
    split_authors,
    surname_first,
)
from screening.citation import Section

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_PMCID = re.compile(r"PMC\d+", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"(\d+)-(\d+)")
# hyphens and dashes (U+2010 to U+2015), the minus sign, small and full-width hyphen-minus
_DASH_CHARACTERS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_DASHES = str.maketrans(dict.fromkeys(_DASH_CHARACTERS, "-"))
# A structured-abstract label: upper-case words followed by a colon ("BACKGROUND: ...").
# Where it may stand (start, after a sentence, after a newline) is checked in Python: a
# lookbehind here made the search ten times slower.
_LABEL = re.compile(r"([A-Z][A-Z /&,-]{2,40}[A-Z]):\s")


def clean(value: str | None) -> str | None:
    """Collapse whitespace; empty becomes None."""
    if value is None:
        return None
    return " ".join(value.split()) or None  # str.split is 5x faster than a regex here


def clean_list(values: Iterable[str | None]) -> list[str]:
    """Clean each value, drop empties and repeats, keep order."""
    seen: dict[str, None] = {}
    for v in values:
        c = clean(v)
        if c is not None:
            seen.setdefault(c, None)
    return list(seen)


def normalise_doi(value: str | None) -> str | None:
    """'https://doi.org/10.1000/ABC' -> '10.1000/abc'; None when there is no DOI in it."""
    if not value:
        return None
    value = _DOI_PREFIX.sub("", value.strip())
    match = _DOI.search(value)
    if match is None:
        return None
    return match.group(0).rstrip(".,;").lower()


def normalise_pmid(value: str | None) -> str | None:
    if not value:
        return None
    digits = re.match(r"\s*(\d+)", value)
    return digits.group(1) if digits else None


def normalise_pmcid(value: str | None) -> str | None:
    if not value:
        return None
    match = _PMCID.search(value)
    return match.group(0).upper() if match else None


def parse_year(value: str | None) -> int | None:
    """The first plausible year in a date string: '2019 Mar 5' -> 2019, '2019/03//' -> 2019."""
    if not value:
        return None
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def expand_pages(pages: str | None) -> str | None:
    """MEDLINE shortens page ranges ('463-8', in PubMed XML's MedlinePgn too); write them out
    ('463-468') so every source gives the same pages."""
    if not pages:
        return pages
    match = _PAGE_RANGE.fullmatch(pages)
    if match is None:
        return pages
    start, end = match.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{start}-{end}"


# MEDLINE's language codes (ISO 639-2/B, as PubMed XML and .nbib give them) and ISO 639-1
# codes, by the names Embase, Scopus, Web of Science and RIS exports use, so a filter or a
# count by language sees one value per language.
_LANGUAGES = {
    "afr": "Afrikaans", "ara": "Arabic", "bul": "Bulgarian", "cat": "Catalan",
    "chi": "Chinese", "cze": "Czech", "dan": "Danish", "dut": "Dutch", "eng": "English",
    "est": "Estonian", "fin": "Finnish", "fre": "French", "ger": "German", "gre": "Greek",
    "heb": "Hebrew", "hin": "Hindi", "hrv": "Croatian", "hun": "Hungarian", "ice": "Icelandic",
    "ind": "Indonesian", "ita": "Italian", "jpn": "Japanese", "kor": "Korean", "lat": "Latin",
    "lav": "Latvian", "lit": "Lithuanian", "nor": "Norwegian", "per": "Persian",
    "pol": "Polish", "por": "Portuguese", "rum": "Romanian", "rus": "Russian",
    "slo": "Slovak", "slv": "Slovenian", "spa": "Spanish", "srp": "Serbian", "swe": "Swedish",
    "tha": "Thai", "tur": "Turkish", "ukr": "Ukrainian", "vie": "Vietnamese",
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "ja": "Japanese", "zh": "Chinese", "ru": "Russian", "pt": "Portuguese", "nl": "Dutch",
    "pl": "Polish", "ko": "Korean",
}  # fmt: skip


def normalise_language(value: str | None) -> str | None:
    """Language names, "; " between several: "eng" and "english" become "English";
    anything unknown stays as it was written."""
    if not value:
        return None
    names = []
    for part in value.replace(",", ";").split(";"):
        name = clean(part)
        if name:
            key = name.lower()
            names.append(_LANGUAGES.get(key) or (name.capitalize() if name.islower() else name))
    return "; ".join(dict.fromkeys(names)) or None


def plain_hyphens(pages: str | None) -> str | None:
    """Pages with one kind of hyphen: U+2010 to U+2015, the minus sign and the full-width
    hyphen, which some exports write ("1279\u20101297"), become "-"."""
    return pages.translate(_DASHES) if pages else pages


def join_pages(start: str | None, end: str | None) -> str | None:
    start, end = clean(start), clean(end)
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end


def split_sections(abstract: str | None) -> list[Section]:
    """Find the labelled parts of a structured abstract given as one paragraph.

    Returns [] when the text has fewer than two labels (an ordinary abstract).
    """
    if not abstract:
        return []
    matches = [m for m in _LABEL.finditer(abstract) if _starts_sentence(abstract, m.start())]
    if len(matches) < 2:
        return []
    sections = []
    head = abstract[: matches[0].start()].strip()
    if head:
        sections.append(Section(None, head))
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        end = nxt.start() if nxt else len(abstract)
        sections.append(Section(m.group(1).strip(), abstract[m.end() : end].strip()))
    return sections


def _starts_sentence(text: str, at: int) -> bool:
    return (
        at == 0
        or text[at - 1] == "\n"
        or (at >= 2 and text[at - 1] == " " and text[at - 2] in ".!?")
    )


def abstract_text(sections: list[Section]) -> str | None:
    """The plain abstract for a list of sections: 'LABEL: text' paragraphs."""
    parts = [f"{s.label}: {s.text}" if s.label else s.text for s in sections if s.text]
    return "\n\n".join(parts) or None


_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")
_PARAGRAPHS = re.compile(r"\n\s*\n")
_PARAGRAPH_LABEL = re.compile(r"([A-Z][A-Za-z]*(?:[ /&-][A-Za-z]+){0,4}):\s+(\S.*)", re.DOTALL)

_RECORD_TYPES = {
    "article": "article",
    "review": "article",
    "letter": "article",
    "editorial": "article",
    "note": "article",
    "erratum": "article",
    "short survey": "article",
    "journal article": "article",
    "article in press": "article",
    "data paper": "article",
    "conference paper": "conference paper",
    "proceedings paper": "conference paper",
    "conference review": "conference paper",
    "conference abstract": "conference abstract",
    "meeting abstract": "conference abstract",
    "book chapter": "book chapter",
    "chapter": "book chapter",
    "book": "book",
    "thesis": "thesis",
    "dissertation": "thesis",
    "report": "report",
    "preprint": "preprint",
}


def split_keywords(value: str | None) -> list[str]:
    """Keywords from one string: on ";" when it has any, else on commas outside brackets.

    Embase writes "cyst (diagnosis, surgery), colonoscopy": the comma inside the brackets
    qualifies a term and does not end it.
    """
    if not value:
        return []
    if ";" in value:
        return clean_list(value.split(";"))
    return clean_list(re.split(r",(?![^()]*\))", value))


def normalise_issn(value: str | None) -> str | None:
    """The first ISSN in a value, hyphenated: "20964129" -> "2096-4129"."""
    found = all_issns(value)
    return found[0] if found else None


def all_issns(value: str | None) -> list[str]:
    """Every ISSN in a value, hyphenated, without repeats: "0001-6454; 1734-8471" gives both,
    "0196-2094(print)" gives "0196-2094"."""
    if not value:
        return []
    found = (f"{m.group(1)}-{m.group(2).upper()}" for m in _ISSN.finditer(value))
    return list(dict.fromkeys(found))


def record_type(publication_types: list[str]) -> str | None:
    """Our record type for a database's document types ("Conference Paper" -> ...)."""
    for kind in publication_types:
        found = _RECORD_TYPES.get(kind.strip().lower())
        if found:
            return found
    return None


def abstract_parts(text: str | None) -> tuple[str | None, list[Section]]:
    """The abstract and its labelled sections.

    One paragraph: labels in capitals inside it ("BACKGROUND: ... METHODS: ...").
    Several paragraphs (blank lines between them): a paragraph opening with "Label: "
    is a section; unlabelled paragraphs stay paragraphs of the plain abstract.
    """
    paragraphs = [p for p in (clean(x) for x in _PARAGRAPHS.split(text or "")) if p]
    return paragraphs_abstract(paragraphs, _labelled_paragraphs)


def _labelled_paragraphs(paragraphs: list[str]) -> list[Section]:
    sections = []
    for paragraph in paragraphs:
        match = _PARAGRAPH_LABEL.fullmatch(paragraph)
        sections.append(Section(*match.groups()) if match else Section(None, paragraph))
    return sections


def paragraphs_abstract(
    paragraphs: list[str], sections_of: Callable[[list[str]], list[Section]]
) -> tuple[str | None, list[Section]]:
    """The abstract and its sections from its cleaned, non-empty paragraphs.

    One paragraph: labels in capitals inside it ("BACKGROUND: ... METHODS: ..."). Several:
    the sections that sections_of (each format's own label rule) finds in them, when one has
    a label; else the paragraphs joined by blank lines, without sections.
    """
    if not paragraphs:
        return None, []
    if len(paragraphs) == 1:
        sections = split_sections(paragraphs[0])
        return (abstract_text(sections) if sections else paragraphs[0]), sections
    sections = sections_of(paragraphs)
    if any(s.label for s in sections):
        return abstract_text(sections), sections
    return "\n\n".join(paragraphs), []
