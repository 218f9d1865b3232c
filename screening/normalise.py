"""Small normalisers shared by every importer, so all formats agree on what a field looks like."""

from __future__ import annotations

import re
from collections.abc import Iterable

from screening.citation import Section

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_PMCID = re.compile(r"PMC\d+", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"(\d+)-(\d+)")
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
        part = clean(part)
        if part:
            key = part.lower()
            names.append(_LANGUAGES.get(key) or (part.capitalize() if part.islower() else part))
    return "; ".join(dict.fromkeys(names)) or None


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
