"""Writing citations as BibTeX that LaTeX tools read and that our own reader reads back.

One entry per citation, ``@type{key,`` then ``  name = {value},`` lines and ``}``:
- the entry type comes from record_type (article -> article, book chapter -> incollection,
  conference paper -> inproceedings, thesis -> phdthesis, report -> techreport; misc
  otherwise); for a chapter or conference paper the journal is written as booktitle;
- the key is surname + year + first title word ("li2020soil"), ASCII only, made unique in the
  file with a letter ("li2020soilb", "li2020soilc" ...);
- author (and editor) names are joined with " and ", each "Surname, Given";
- standard fields: title, journal, year, volume, number, pages (with "--"), doi, issn,
  publisher, isbn, url, abstract, keywords, language; and fields BibTeX styles ignore but
  that keep what we know: shortjournal (biblatex's journal abbreviation), pmid, pmcid,
  mesh (MeSH terms), document_type (publication types), urls (any URLs after the first,
  space-separated) and source (the database, as Scopus writes it);
- lists (keywords, mesh, document_type) are joined with "; ";
- text is escaped by screening.importers.latex.latex_escape (braces, \\ & % $ # _ ~ ^ and
  "--"); non-ASCII letters are written as UTF-8, which biber and bibtex8 read. The abstract
  keeps its sections as "LABEL: text" paragraphs separated by a blank line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import TextIO

from screening.citation import Citation
from screening.importers.latex import latex_escape
from screening.normalise import abstract_text

_ENTRY_TYPES = {
    "article": "article",
    "book": "book",
    "book chapter": "incollection",
    "conference paper": "inproceedings",
    "conference abstract": "inproceedings",
    "conference proceedings": "proceedings",
    "thesis": "phdthesis",
    "report": "techreport",
    "unpublished": "unpublished",
    "web page": "online",
}
_CONTAINED = {"incollection", "inproceedings"}
_AND = re.compile(r"\sand\s", re.IGNORECASE)
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "and", "for", "to", "with", "at", "by"}


def write_bibtex(citations: Iterable[Citation], out: TextIO) -> int:
    """Write the citations as BibTeX entries; return how many were written."""
    keys: set[str] = set()
    count = 0
    for citation in citations:
        if count:
            out.write("\n")
        kind = _ENTRY_TYPES.get((citation.record_type or "").lower(), "misc")
        key = unique_key(citation_key(citation), keys)
        out.write(f"@{kind}{{{key},\n")
        out.writelines(f"  {name} = {{{value}}},\n" for name, value in bibtex_fields(citation))
        out.write("}\n")
        count += 1
    return count


def bibtex_fields(c: Citation) -> Iterator[tuple[str, str]]:
    """(field name, escaped value) pairs for one entry."""
    kind = _ENTRY_TYPES.get((c.record_type or "").lower(), "misc")
    yield from _names("author", c.authors)
    yield from _names("editor", c.extra.get("editors") or [])
    yield from _text("title", c.title)
    yield from _text("booktitle" if kind in _CONTAINED else "journal", c.journal)
    yield from _text("shortjournal", c.journal_abbrev)
    yield from _text("year", str(c.year) if c.year else None)
    yield from _text("volume", c.volume)
    yield from _text("number", c.issue)
    if c.pages and c.pages.strip():  # "--" is BibTeX's range dash; our reader reads "-" back
        yield "pages", "--".join(latex_escape(part) for part in c.pages.split("-"))
    yield from _verbatim("doi", c.doi)
    yield from _text("pmid", c.pmid)
    yield from _text("pmcid", c.pmcid)
    yield from _text("issn", c.issn)
    yield from _text("isbn", c.extra.get("isbn"))
    yield from _text("publisher", c.extra.get("publisher"))
    yield from _text("language", c.language)
    yield from _text("document_type", "; ".join(c.publication_types))
    yield from _text("keywords", "; ".join(c.keywords))
    yield from _text("mesh", "; ".join(c.mesh_terms))
    yield from _verbatim("url", c.urls[0] if c.urls else None)
    yield from _verbatim("urls", " ".join(c.urls[1:]))
    yield from _text("abstract", c.abstract or abstract_text(c.sections))
    yield from _text("source", c.extra.get("database"))


def citation_key(c: Citation) -> str:
    """surname + year + first significant title word, lower-case ASCII: "li2020soil"."""
    surname = c.authors[0].split(",")[0] if c.authors else "anon"
    words = [w for w in _ascii(c.title or "").split() if w not in _STOPWORDS]
    word = words[0] if words else ""
    return (_ascii(surname).replace(" ", "") or "anon") + (str(c.year) if c.year else "") + word


def unique_key(key: str, taken: set[str]) -> str:
    """key, or key + b, c, ... z, then key + 27, 28 ... if it is taken; remembered in taken."""
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        suffix = chr(ord("a") + n - 1) if n <= 26 else str(n)
        candidate = key + suffix
    taken.add(candidate)
    return candidate


def _ascii(text: str) -> str:
    """Lower-case ASCII letters, digits and spaces: "Müller-Wolf" -> "mullerwolf"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9 ]", "", folded.lower())


def _names(field: str, names: list[str]) -> Iterator[tuple[str, str]]:
    if names:
        yield field, " and ".join(_name(n) for n in names)


def _name(name: str) -> str:
    """A name as BibTeX reads it: "Surname, Given"; "Surname, Given, Jr" -> "Surname, Jr, Given".

    A name without a comma (a group: "WHO Study Group") is braced, so BibTeX does not take
    its last word for a surname; so is a part with " and " in it.
    """
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 3:
        parts = [parts[0], parts[2], parts[1]]
    escaped = [latex_escape(p) for p in parts]
    if len(parts) == 1 or len(parts) > 3:
        return "{" + latex_escape(name) + "}"
    return ", ".join("{" + p + "}" if _AND.search(p) else p for p in escaped)


def _text(name: str, value: str | list[str] | None) -> Iterator[tuple[str, str]]:
    """A field from a value; several values (PubMed books give every ISBN) joined by "; "."""
    if isinstance(value, list):
        value = "; ".join(v for v in value if v and v.strip())
    if value and value.strip():
        yield name, latex_escape(value)


def _verbatim(name: str, value: str | None) -> Iterator[tuple[str, str]]:
    """URLs and DOIs as they are; only braces need escaping."""
    if value and value.strip():
        yield name, re.sub(r"([{}])", r"\\\1", value)
