"""Field normalisers the BibTeX and CSV readers share: names, keyword lists, ISSNs, abstracts.

Both formats carry values other readers get ready-made: several authors in one string,
keywords in one cell, an abstract whose paragraphs are only blank lines, an ISSN with or
without its hyphen. These functions turn them into what Citation asks for.
"""

from __future__ import annotations

import re

from screening.citation import Section
from screening.normalise import abstract_text, clean, clean_list, split_sections

# Initials: capitals with optional dots and hyphens ("R.", "D.G.", "SM", "J.-P.")
_INITIALS = re.compile(r"[A-Z](?:[A-Z]|\.-?|-)*\.?")
_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")
_PARAGRAPHS = re.compile(r"\n\s*\n")
_PARAGRAPH_LABEL = re.compile(r"([A-Z][A-Za-z]*(?:[ /&-][A-Za-z]+){0,4}):\s+(\S.*)", re.DOTALL)
# words in front of a surname ("van", "de la") that belong to it
_PARTICLES = re.compile(r"[a-z][a-z']*")

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


def is_initials(token: str) -> bool:
    return len(token) <= 8 and _INITIALS.fullmatch(token) is not None


def surname_first(name: str, *, given_first: bool = False) -> str:
    """A display name as "Surname, Given".

    "Liu R." and "Lim SM" (surname, then initials) always turn round. With given_first
    (BibTeX, where "First von Last" is the defined order) so does "Jane van Dyke" ->
    "van Dyke, Jane". Names with a comma and one-word names are already right.
    """
    name = " ".join(name.split())
    tokens = name.split(" ")
    if "," in name or len(tokens) < 2:
        return name
    if is_initials(tokens[-1]) and not is_initials(tokens[0]):
        return f"{' '.join(tokens[:-1])}, {tokens[-1]}"
    if not given_first:
        return name
    start = len(tokens) - 1  # the surname begins at its first lower-case particle
    while start > 1 and _PARTICLES.fullmatch(tokens[start - 1]):
        start -= 1
    return f"{' '.join(tokens[start:])}, {' '.join(tokens[:start])}"


def split_authors(cell: str | None) -> list[str]:
    """The authors of one spreadsheet cell, each as "Surname, Given".

    "Smith, J.; Doe, A." splits on semicolons. Without semicolons, commas separate authors
    ("Liu R., Adler D.G.", PubMed's "Lim SM, Xu L"), unless the parts pair up as surname
    and given name ("Smith, John, Doe, Jane").
    """
    if not cell or not cell.strip():
        return []
    if ";" in cell:
        names = cell.split(";")
    else:
        parts = [p.strip() for p in cell.split(",") if p.strip()]
        names = _paired(parts) or parts
    return clean_list(surname_first(n) for n in names if n.strip())


def _paired(parts: list[str]) -> list[str] | None:
    if len(parts) % 2:
        return None
    surnames, givens = parts[0::2], parts[1::2]
    given_like = all(" " not in g or all(is_initials(t) for t in g.split()) for g in givens)
    surname_like = not any(is_initials(s.split()[-1]) for s in surnames if " " in s)
    if given_like and surname_like:
        return [f"{s}, {g}" for s, g in zip(surnames, givens, strict=True)]
    return None


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
    if not value:
        return None
    match = _ISSN.search(value)
    return f"{match.group(1)}-{match.group(2).upper()}" if match else None


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
    if not paragraphs:
        return None, []
    if len(paragraphs) == 1:
        sections = split_sections(paragraphs[0])
        return (abstract_text(sections) if sections else paragraphs[0]), sections
    sections = []
    for paragraph in paragraphs:
        match = _PARAGRAPH_LABEL.fullmatch(paragraph)
        sections.append(Section(*match.groups()) if match else Section(None, paragraph))
    if any(s.label for s in sections):
        return abstract_text(sections), sections
    return "\n\n".join(paragraphs), []
