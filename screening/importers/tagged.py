"""Pieces shared by the readers of line-tagged exports (PubMed MEDLINE, Ovid).

Both formats put a tag of up to four characters at column 0, padded to four with spaces and
followed by "- " ("PMID- 123", "TI  - A title"), so one function splits those lines. Both also
give short author names as "Surname Initials" ("Smith JA", "Behan L."), which
``surname_first`` turns into the "Surname, Initials" form the Citation asks for.
"""

from __future__ import annotations

import re

# the tag padded to four characters, then "-" in column 5 and a space before any value
_TAG_LINE = re.compile(
    r"([A-Z][A-Z0-9]{3}|[A-Z][A-Z0-9]{2} |[A-Z][A-Z0-9]  )-(?: (.*))?", re.DOTALL
)
# Initials: capitals, optionally with dots and hyphens ("JA", "J.S.", "J.-P.", "L.")
_SHORT_END = re.compile(r"(\d+)-(\d+)")


def split_tag(line: str) -> tuple[str, str] | None:
    """("TI", "A title") for "TI  - A title"; None when the line is not a tag line.

    The dash must stand in column 5, so a continuation line that happens to read
    "CT - scans ..." is never mistaken for a tag.
    """
    match = _TAG_LINE.fullmatch(line)
    if match is None:
        return None
    return match.group(1).rstrip(), match.group(2) or ""


def expand_pages(pages: str | None) -> str | None:
    """MEDLINE shortens page ranges ('463-8'); write them out ('463-468') so sources agree."""
    if not pages:
        return pages
    match = _SHORT_END.fullmatch(pages)
    if match is None:
        return pages
    start, end = match.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{start}-{end}"
