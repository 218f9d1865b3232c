"""Author names as every importer gives them: "Surname, Given", whole lists, in order.

Databases write names in several ways, and some add things that are not names:
- "Surname Initials" without a comma ("Liu R.", "Lim SM", "Smith J A", Scopus' "Casas Á.",
  "HUTTO R.L.", "Ma Ch.L.", old BIOSIS "BREININGER D R") turns round to "Surname, Initials";
- Web of Science platform files append the author's e-mail ("Tingley, Morgan W.
  (morgan.tingley@uconn.edu)"), which is dropped;
- Scopus writes "[No author name available]" where a record has none: no author at all.
An author list is kept whole and in order: two authors may share a name, so repeats stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Capital and small letters beyond ASCII (Latin, Greek, Cyrillic), for initials like "Á."
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x530)) if c.isupper())
_LOWER = "a-z" + "".join(c for c in map(chr, range(0xC0, 0x530)) if c.islower())
# Initials: capitals with optional dots and hyphens ("R.", "D.G.", "SM", "J.-P.", "Á."), and a
# capital with one small letter before a dot ("Ch.L.", as Scopus abbreviates Chinese names)
_INITIALS = re.compile(rf"[{_UPPER}](?:[{_UPPER}]|[{_LOWER}]?\.-?|-)*\.?")
# words in front of a surname ("van", "de la") that belong to it
_PARTICLES = re.compile(r"[a-z][a-z']*")
_SURNAME_PARTICLES = frozenset(
    "van von vom de der den del della di da das do dos du la le ter ten bin ibn al el y".split()
)
_EMAIL = re.compile(r"\s*\(?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*\)?")
_PLACEHOLDERS = frozenset({"[no author name available]", "[anonymous]"})


def is_initials(token: str) -> bool:
    return (
        len(token) <= 8 and token not in ("Jr.", "Sr.") and _INITIALS.fullmatch(token) is not None
    )


def surname_first(name: str, *, given_first: bool = False) -> str:
    """A display name as "Surname, Given".

    "Liu R.", "Lim SM" and "Smith J A" (surname, then initials) always turn round. With
    given_first (BibTeX, where "First von Last" is the defined order) so does "Jane van Dyke"
    -> "van Dyke, Jane". Names with a comma and one-word names are already right.
    """
    name = " ".join(name.split())
    tokens = name.split(" ")
    if "," in name or len(tokens) < 2:
        return name
    cut = _initials_start(tokens)
    if cut is not None:
        return f"{' '.join(tokens[:cut])}, {' '.join(tokens[cut:])}"
    if not given_first:
        return name
    start = len(tokens) - 1  # the surname begins at its first lower-case particle
    while start > 1 and _PARTICLES.fullmatch(tokens[start - 1]):
        start -= 1
    return f"{' '.join(tokens[start:])}, {' '.join(tokens[:start])}"


def _initials_start(tokens: list[str]) -> int | None:
    """Where the trailing initials of "Surname Initials" begin, or None if the name is not so.

    Initials have at most three letters each. A surname in capitals ("HUTTO R.L.", "DICKSON
    J G") looks like initials itself; it counts as a surname when it has three letters or more
    and no dots, and every initial after it is dotted or at most two letters.
    """
    cut = len(tokens)
    while cut > 1 and is_initials(tokens[cut - 1]) and _short(tokens[cut - 1], 3):
        cut -= 1
    if cut == len(tokens) or not _surname_like(tokens[:cut]):
        return None
    last_of_surname = tokens[cut - 1]
    if not is_initials(last_of_surname):
        return cut
    plain_capitals = "." not in last_of_surname and len(last_of_surname) >= 3
    if plain_capitals and all("." in t or _short(t, 2) for t in tokens[cut:]):
        return cut
    return None


def _surname_like(words: list[str]) -> bool:
    """Up to three words, small ones only particles: not a group's name ("Writing Committee
    of the WHO", which must not become "Writing Committee of the, WHO")."""
    return len(words) <= 3 and all(w[0].isupper() or w in _SURNAME_PARTICLES for w in words)


def _short(token: str, letters: int) -> bool:
    """At most this many letters ("J.-P." has two)."""
    return sum(c.isalpha() for c in token) <= letters


def author_name(name: str | None) -> str | None:
    """One author as "Surname, Given": whitespace collapsed, an e-mail address dropped; None
    for an empty name or a database's placeholder for a missing one."""
    if not name:
        return None
    if "@" in name:
        name = _EMAIL.sub(" ", name)
    name = " ".join(name.split())
    if not name or name.lower() in _PLACEHOLDERS:
        return None
    return surname_first(name)


def author_list(names: Iterable[str | None]) -> list[str]:
    """Each name through author_name, empties dropped, repeats and order kept."""
    return [a for a in map(author_name, names) if a]


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
    return author_list(names)


def _paired(parts: list[str]) -> list[str] | None:
    if len(parts) % 2:
        return None
    surnames, givens = parts[0::2], parts[1::2]
    given_like = all(" " not in g or all(is_initials(t) for t in g.split()) for g in givens)
    surname_like = not any(is_initials(s.split()[-1]) for s in surnames if " " in s)
    if given_like and surname_like:
        return [f"{s}, {g}" for s, g in zip(surnames, givens, strict=True)]
    return None
