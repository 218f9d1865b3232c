"""Pieces shared by the readers of line-tagged exports (PubMed MEDLINE, Ovid).

Both formats put a tag of up to four characters at column 0, padded to four with spaces and
followed by "- " ("PMID- 123", "TI  - A title"), so one function splits those lines. Both also
give short author names as "Surname Initials" ("Smith JA", "Behan L."), and star the headings
(MeSH or Emtree) that are a major topic of the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from screening.normalise import clean, clean_list

# the tag padded to four characters, then "-" in column 5 and a space before any value
_TAG_LINE = re.compile(
    r"([A-Z][A-Z0-9]{3}|[A-Z][A-Z0-9]{2} |[A-Z][A-Z0-9]  )-(?: (.*))?", re.DOTALL
)


def split_tag(line: str) -> tuple[str, str] | None:
    """("TI", "A title") for "TI  - A title"; None when the line is not a tag line.

    The dash must stand in column 5, so a continuation line that happens to read
    "CT - scans ..." is never mistaken for a tag.
    """
    match = _TAG_LINE.fullmatch(line)
    if match is None:
        return None
    return match.group(1).rstrip(), match.group(2) or ""


def values_by_tag(fields: Iterable[Sequence[str]]) -> dict[str, list[str]]:
    """{tag: [value, ...]} from a record's (tag, value) fields, in file order."""
    values: dict[str, list[str]] = {}
    for tag, value in fields:
        values.setdefault(tag, []).append(value)
    return values


def starred_headings(headings: list[str]) -> tuple[list[str], list[str]]:
    """(terms, major terms): each heading without its '*' marks, and again the starred ones."""
    terms, major = [], []
    for heading in headings:
        term = clean(heading.replace("*", ""))
        if term:
            terms.append(term)
            if "*" in heading:
                major.append(term)
    return clean_list(terms), clean_list(major)
