"""The screen's search language: words, "phrases" and field:value terms, all of which must match.

cirrhosis "stem cell"          title, abstract, authors, journal, keywords or MeSH contain both
type:review                    a publication type is Review (any case); type:*review ends so
mesh:"liver cirrhosis"         a MeSH heading, exactly; keyword: is the same for keywords
title:msc  abstract:placebo    one field contains the text; also author:, journal:
year:2015  year:2010-2015      the year, or a range; year:>2010 and year:<2000 too
pmid:12345  doi:10.1/x         an identifier, exactly
source:embase                  the database a record came from contains the text
-type:review  -rats            a leading minus: must not match
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from db.errors import MetasiftError
from screening.normalise import normalise_doi

TEXT_FIELDS = ("title", "abstract", "author", "journal", "source")
LIST_FIELDS = ("type", "mesh", "keyword")
EXACT_FIELDS = ("pmid", "doi", "year")
FIELDS = TEXT_FIELDS + LIST_FIELDS + EXACT_FIELDS
_YEAR = re.compile(r"^(?:(\d{4})-(\d{4})|([<>]=?)(\d{4})|(\d{4}))$")


class SearchError(MetasiftError):
    pass


@dataclass(frozen=True)
class Term:
    field: str | None  # None: any text field
    value: str
    negated: bool = False
    bounds: tuple[int, int] | None = None  # year: the inclusive range


def parse_query(text: str) -> list[Term]:
    """Split a query into terms; raises SearchError naming what it cannot understand."""
    try:
        tokens = shlex.split(text)
    except ValueError as e:
        raise SearchError(f"search {text!r}: {e} (close the quotes)") from None
    return [_term(token) for token in tokens if token.strip("-")]


def _term(token: str) -> Term:
    negated = token.startswith("-")
    token = token[1:] if negated else token
    name, sep, value = token.partition(":")
    if not sep or name.lower() not in FIELDS:
        return Term(None, token, negated)
    name = name.lower()
    if not value:
        raise SearchError(f"search: {name}: needs a value, e.g. {name}:something")
    if name == "year":
        return Term(name, value, negated, year_bounds(value))
    if name == "doi":
        value = normalise_doi(value) or value
    return Term(name, value, negated)


def year_bounds(value: str) -> tuple[int, int]:
    """year:VALUE as an inclusive (low, high) range."""
    m = _YEAR.match(value)
    if m is None:
        raise SearchError(f"search: year:{value} is not a year, a range 2010-2015, >2010 or <2000")
    low, high, op, bound, exact = m.groups()
    if exact:
        return int(exact), int(exact)
    if low:
        return int(low), int(high)
    year = int(bound)
    strict = 0 if op.endswith("=") else 1
    return (year + strict, 9999) if op.startswith(">") else (0, year - strict)


def describe(terms: list[Term]) -> str:
    """The terms written back as a query, for the screen's header."""
    parts = []
    for term in terms:
        value = f'"{term.value}"' if " " in term.value else term.value
        parts.append(
            ("-" if term.negated else "") + (f"{term.field}:" if term.field else "") + value
        )
    return " ".join(parts)
