"""PICOS keywords of review.toml found in a text, as spans the screen colours.

Keywords match whole words, case-insensitively, and a trailing * matches any ending
("cirrho*" finds cirrhosis and cirrhotic). A hyphenated compound counts as one word, so
"randomized" is not found inside "non-randomized": that would mark an exclusion as an
inclusion. Words of a multi-word keyword may be separated by spaces or hyphens.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from screening.protocol import PICOS_ELEMENTS, Criterion

KINDS = ("include", "exclude")
_LEFT = r"(?<!\w)(?<!\w-)"
_RIGHT = r"(?!\w)(?!-\w)"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    element: str  # population, intervention, ...
    kind: str  # include or exclude


@dataclass
class Summary:
    """Per PICOS element and kind, how often each keyword (as written in the text) was found."""

    found: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)

    def add(self, element: str, kind: str, word: str) -> None:
        self.found.setdefault((element, kind), Counter())[word.lower()] += 1

    def words(self, element: str, kind: str) -> Counter[str]:
        return self.found.get((element, kind), Counter())


def keyword_pattern(keyword: str) -> str:
    """The regular expression (without its word boundaries) for one keyword."""
    star = keyword.endswith("*")
    words = keyword.rstrip("*").split()
    body = r"[\s\-]+".join(re.escape(word) for word in words)
    return body + (r"\w*(?:-\w+)*" if star else "")


class Highlighter:
    """Finds the protocol's PICOS keywords; one compiled pattern per element and kind."""

    def __init__(self, picos: Mapping[str, Criterion]) -> None:
        self.patterns: list[tuple[str, str, re.Pattern[str]]] = []
        for element in sorted(picos, key=_element_order):
            criterion = picos[element]
            for kind in KINDS:
                keywords = [k for k in getattr(criterion, kind) if k.rstrip("*").strip()]
                if keywords:
                    # longest first, so "liver cirrhosis" wins over "liver"
                    alternatives = sorted(map(keyword_pattern, keywords), key=len, reverse=True)
                    pattern = _LEFT + "(?:" + "|".join(alternatives) + ")" + _RIGHT
                    self.patterns.append((element, kind, re.compile(pattern, re.IGNORECASE)))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def spans(self, text: str | None) -> list[Span]:
        """Non-overlapping matches in text order; where two overlap the longer one wins."""
        if not text or not self.patterns:
            return []
        found = [
            Span(m.start(), m.end(), element, kind)
            for element, kind, pattern in self.patterns
            for m in pattern.finditer(text)
        ]
        found.sort(key=lambda s: (s.start, s.start - s.end))
        kept: list[Span] = []
        for span in found:
            if not kept or span.start >= kept[-1].end:
                kept.append(span)
        return kept

    def summarise(
        self,
        texts: Iterable[str | None],
        spans: Callable[[str | None], list[Span]] | None = None,
    ) -> Summary:
        """What was found across the texts (title, abstract, keywords, MeSH), for the legend;
        spans, if given, is a cache of this highlighter's own spans()."""
        find = spans or self.spans
        summary = Summary()
        for text in texts:
            if text is None:
                continue
            for span in find(text):
                summary.add(span.element, span.kind, text[span.start : span.end])
        return summary


def _element_order(element: str) -> int:
    return PICOS_ELEMENTS.index(element) if element in PICOS_ELEMENTS else len(PICOS_ELEMENTS)
