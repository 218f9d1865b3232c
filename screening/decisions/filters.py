"""Filter: which records of a stage the screen lists: a status (all, undecided or one verdict),
one of the reviewer's tags, and a search in the query language (screening/query.py).

Pure data and the rule for one record; ScreeningSession narrows its list with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.decisions.ledger import VERDICTS, Decision
from screening.decisions.tags import has_tag
from screening.query import Node, describe, parse_query

STATUS_FILTERS = ("all", "undecided", *VERDICTS)


@dataclass(frozen=True)
class Filter:
    status: str = "all"
    tag: str | None = None
    query: str = ""
    terms: Node | None = None  # the parsed query

    @property
    def active(self) -> bool:
        return self.status != "all" or self.tag is not None or self.terms is not None

    def describe(self) -> str:
        parts = [] if self.status == "all" else [self.status]
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.terms:
            parts.append(describe(self.terms))
        return ", ".join(parts)

    def changed(self, status: str | None, tag: str | None, query: str | None) -> Filter:
        """This filter with some parts changed: None or "" leaves a part as it is, except that
        tag=None clears the tag. A query is parsed here, so a bad one changes nothing."""
        terms = self.terms if query is None else parse_query(query).node
        return Filter(
            status or self.status,
            self.tag if tag == "" else tag,
            self.query if query is None else query.strip(),
            terms,
        )

    def admits(self, decision: Decision | None, tags: tuple[str, ...]) -> bool:
        """Whether a record with this decision of the reviewer's (and these tags) is listed;
        the search terms are matched in the database, not here."""
        if self.status == "undecided" and decision is not None:
            return False
        if self.status not in ("all", "undecided") and (
            decision is None or decision.verdict != self.status
        ):
            return False
        return self.tag is None or has_tag(tags, self.tag)
