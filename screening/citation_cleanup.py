"""The normalisation every imported record gets last, whatever its format.

Each reader maps its own fields; the rules here are the ones no format should apply on its
own, so that the same paper reads the same from every database:
- titles, abstracts (and their sections), keywords and journal names without inline markup
  or entities (markup.plain_text);
- a title without the notes some databases append ("[Review] [75 refs]", "[Erratum appears
  in ...]") or its closing full stop; the notes stay in extra["title_notes"];
- authors through author_names.author_list (e-mails and placeholders out, "Surname, Given");
- pages with one kind of hyphen; every ISSN of the record hyphenated, the first in issn and
  all of them in extra["issns"] when there are several.
"""

from __future__ import annotations

import re

from screening.author_names import author_list
from screening.citation import Citation, Section
from screening.markup import plain_text
from screening.normalise import all_issns, clean, plain_hyphens

# A note a database appends to a title (Ovid MEDLINE's "[Review] [75 refs]", "[Erratum appears
# in ...]"): about the record, not part of its title. "[Erratum]"-style marks that make the
# record itself a notice are not in this list: deduplication's notice veto reads them.
_TITLE_NOTE = re.compile(
    r"\s*\[(?:review|\d+ refs?|(?:published )?erratum appears in [^\[\]]*|"
    r"retraction in [^\[\]]*|comment in [^\[\]]*|see comments?)\]\.?\s*$",
    re.IGNORECASE,
)
# a closing full stop that belongs to an abbreviation, not to the sentence
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:al|sp|spp|ssp|var|etc|vs|inc|ltd|co|jr|sr|st|no|vol)|\.[A-Za-z]|\.)\.$",
    re.IGNORECASE,
)


def tidy_citation(c: Citation) -> Citation:
    """The citation with the shared rules applied (changed in place, and returned)."""
    c.title = _tidy_title(c)
    c.abstract = _plain(c.abstract)
    c.sections = [Section(_plain(s.label), _plain(s.text) or "") for s in c.sections]
    c.keywords = [k for k in map(_plain, c.keywords) if k]
    c.journal = _plain(c.journal)
    c.authors = author_list(c.authors)
    c.pages = plain_hyphens(c.pages)
    _tidy_issns(c)
    return c


def _plain(value: str | None) -> str | None:
    """plain_text, and whitespace collapsed again where a tag stood between words."""
    if not value or ("<" not in value and "&" not in value):
        return value
    text = plain_text(value)
    if "\n" in value:  # abstracts keep their paragraphs
        return "\n\n".join(p for p in (clean(x) for x in (text or "").split("\n\n")) if p) or None
    return clean(text)


def title_and_notes(title: str | None) -> tuple[str | None, list[str]]:
    """The title without appended notes and closing full stop, and the notes, in order."""
    if not title:
        return title, []
    notes: list[str] = []
    while match := _TITLE_NOTE.search(title):
        notes.insert(0, match.group().strip().rstrip("."))
        title = title[: match.start()]
    title = title.rstrip()
    # PubMed, MEDLINE and Zoological Record end titles with a full stop, Scopus and Web of
    # Science do not: the same title from each reads the same without it
    if title.endswith(".") and not _ABBREVIATION_END.search(title):
        title = title[:-1].rstrip()
    return title or None, notes


def _tidy_title(c: Citation) -> str | None:
    title, notes = title_and_notes(_plain(c.title))
    if notes:
        c.extra["title_notes"] = notes
    return title


def _tidy_issns(c: Citation) -> None:
    """issn holds the first ISSN, hyphenated; with several, extra["issns"] lists them all.
    A value with no ISSN in it (an ISBN in the ISSN field) stays as it was."""
    found = all_issns(c.issn)
    if not found:
        return
    c.issn = found[0]
    if len(found) > 1:
        c.extra["issns"] = found
