"""What databases append to a title, read for deduplication's keys only (stored titles keep it).

Imports already set aside the notes they can parse whole (screening/citation_cleanup.py); these
are the ones they leave, measured on the labelled sets:
- a note cut off by the database's field length or holding brackets of its own
  ("...syndrome.[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487 Note: Philipp,
  Thomas [added]]", "...[Erratum appears in J Pediatr. 2003 Jun"): the record is the article,
  the erratum is elsewhere, so the note goes and says nothing about the record;
- the original-language title after the translated one (" <ORIGINAL> ...", "] TO: ...");
- a citation pasted after the title ("... N Engl J Med. 2009 Jan 29;360(5):544-6");
- an erratum's reference to the article it corrects ("(vol 360, pg 542, 2009)" from Web of
  Science, "(New England Journal of Medicine (2009) 360 (542-544))" from Embase): it goes from
  the title, and it marks the record as a notice for the erratum veto.
"""

from __future__ import annotations

import re

_NOTE_TO_END = re.compile(
    r"\s*[\[(](?:published )?(?:erratum|errata|corrigendum|comment|retraction|update)s? "
    r"(?:appears? |published )?in\b.*$",
    re.IGNORECASE | re.DOTALL,
)
_ORIGINAL_TITLE = re.compile(r"\s*(?:<ORIGINAL>|(?<=\])\s*TO:\s).*$", re.DOTALL)
_PASTED_CITATION = re.compile(r"\.{2,}\s*[A-Z][\w .]{1,60}\.\s*(?:19|20)\d\d\b[^;]{0,20};.*$")
_CORRECTED_ARTICLE = re.compile(
    r"\s*\((?:vol\.? \d+[^()]{0,12}, pg\.? \w+, (?:19|20)\d\d|"
    r"[A-Z][^()]{2,120} \((?:19|20)\d\d\) \d+[^()]{0,12} \([\w\- ]+\))\)\.?\s*$",
    re.IGNORECASE,
)


def without_marks(title: str) -> tuple[str, bool]:
    """The title without appended notes, original-language titles and pasted citations, and
    whether it names an article it corrects (an erratum)."""
    if "[" in title or "(" in title:
        title = _NOTE_TO_END.sub("", title)
    if "<" in title or "TO:" in title:
        title = _ORIGINAL_TITLE.sub("", title)
    if ".." in title:
        title = _PASTED_CITATION.sub("", title)
    corrects = False
    if title.endswith(")") or title.endswith(")."):
        cut = _CORRECTED_ARTICLE.sub("", title)
        corrects = cut != title
        title = cut
    return title, corrects
