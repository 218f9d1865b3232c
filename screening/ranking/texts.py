"""What the model reads of a record: its title, abstract, keywords and MeSH headings.

Title and abstract are free text; keywords and MeSH headings are controlled terms, kept whole
(one feature per heading) so "Proton Pump Inhibitors" counts as one signal, not three words
shared with every other abstract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RankingText:
    """One record as the model sees it."""

    title: str = ""
    abstract: str = ""
    terms: tuple[str, ...] = field(default=())  # keywords and MeSH headings

    @property
    def words(self) -> str:
        return f"{self.title}\n{self.abstract}"


def ranking_text(
    title: str | None,
    abstract: str | None,
    keywords: Iterable[str] = (),
    mesh_terms: Iterable[str] = (),
) -> RankingText:
    """A record's text, with headings normalised (case, the '*' of a major MeSH topic, and
    the '/subheading' part, which MEDLINE exports attach in varying ways)."""
    terms = {_heading(t) for t in (*keywords, *mesh_terms)}
    return RankingText(title or "", abstract or "", tuple(sorted(t for t in terms if t)))


def _heading(term: str) -> str:
    return term.split("/")[0].strip().strip("*").strip().lower()
