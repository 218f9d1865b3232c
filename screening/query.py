"""The search language of the screen, `metasift records --search` and `export records --search`.

cirrhosis "stem cell"          whole words and phrases in the title, abstract, authors,
                               journal, keywords or MeSH terms; all must match
cirrho*                        a word starting so (cirrhosis, cirrhotic)
rats OR mice                   either; AND is implied between terms
-rats  -(rats OR mice)         a leading minus (or NOT): must not match
(rats OR mice) -review         parentheses group
title:msc  abstract:placebo    words, prefixes or phrases in one field; also author:, journal:
type:review                    a publication type is Review (any case); type:*review ends so
mesh:"liver cirrhosis"         a MeSH heading, exactly; keyword: is the same for keywords
year:2015  year:2010-2015      the year, or a range; year:>2010 and year:<2000 too
pmid:12345  doi:10.1/x         an identifier, exactly
db:embase  source:embase       the database the record came from contains the text

Words are matched whole, case and accents aside, in the search index (db/fts.py): "rat"
finds "rat" and "Rat", not "ratio" or "migration".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from db.errors import MetasiftError
from db.query_sql import INDEX_FIELDS, All, Any_, Node, Not, Term
from screening.normalise import normalise_doi

LIST_FIELDS = ("type", "mesh", "keyword")
OTHER_FIELDS = ("source", "db", "pmid", "doi", "year")
FIELDS = tuple(f for f in INDEX_FIELDS if f) + LIST_FIELDS + OTHER_FIELDS
_YEAR = re.compile(r"^(?:(\d{4})-(\d{4})|([<>]=?)(\d{4})|(\d{4}))$")
_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<minus>-)(?=\S)|(?P<word>(?:"[^"]*"?|[^\s()"])+))')
_WORD = re.compile(r"\w")

__all__ = ["All", "Any_", "Node", "Not", "Query", "SearchError", "Term", "describe", "parse_query"]


class SearchError(MetasiftError):
    pass


@dataclass(frozen=True)
class Query:
    """A parsed search: its tree (None when empty) and its text."""

    node: Node | None
    text: str = ""

    def __bool__(self) -> bool:
        return self.node is not None


def parse_query(text: str) -> Query:
    """Parse a search; raises SearchError naming what it cannot understand."""
    tokens = _tokens(text)
    parser = _Parser(tokens, text)
    node = parser.any_of() if tokens else None
    if parser.position < len(tokens):  # only an unopened ")" stops the parser early
        raise SearchError(f"search {text!r}: a ')' closes no '('")
    return Query(node, text.strip())


def _tokens(text: str) -> list[str]:
    if text.count('"') % 2:
        raise SearchError(f"search {text!r}: No closing quotation (close the quotes)")
    tokens, at = [], 0
    while at < len(text.rstrip()):
        m = _TOKEN.match(text, at)
        if m is None:  # unreachable: every non-space character starts a token
            raise SearchError(f"search {text!r}: cannot read {text[at:]!r}")
        tokens.append(m.group(m.lastgroup or "word"))
        at = m.end()
    return tokens


class _Parser:
    """any_of := all_of (OR all_of)*; all_of := unary+ (AND optional);
    unary := - unary | NOT unary | ( any_of ) | term."""

    def __init__(self, tokens: list[str], text: str) -> None:
        self.tokens, self.text, self.position = tokens, text, 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def any_of(self) -> Node:
        children = [self.all_of()]
        while self.peek() == "OR":
            self.position += 1
            children.append(self.all_of())
        return children[0] if len(children) == 1 else Any_(tuple(children))

    def all_of(self) -> Node:
        children: list[Node] = []
        while (token := self.peek()) not in (None, ")", "OR"):
            if token == "AND":
                self.position += 1
                continue
            children.append(self.unary())
        if not children:
            raise SearchError(f"search {self.text!r}: something to look for is missing")
        return children[0] if len(children) == 1 else All(tuple(children))

    def unary(self) -> Node:
        token = self.tokens[self.position]
        self.position += 1
        if token in ("-", "NOT"):
            if self.peek() in (None, ")", "OR"):
                raise SearchError(f"search {self.text!r}: {token} needs a term after it")
            return Not(self.unary())
        if token == "(":
            node = self.any_of()
            if self.peek() != ")":
                raise SearchError(f"search {self.text!r}: a '(' is not closed")
            self.position += 1
            return node
        return term(token)


def term(token: str) -> Term:
    """One term: word, word*, "a phrase" or field:value (the value may be any of those)."""
    name, sep, value = token.partition(":")
    field: str | None = name.lower()
    near = difflib.get_close_matches(name.lower(), FIELDS, 1, 0.75) if sep else []
    if near and name.lower() not in FIELDS:
        # a misspelt field would quietly search the whole token as a word and find nothing
        raise SearchError(f"search: {name}: is not a field; did you mean {near[0]}:?")
    if not sep or field not in FIELDS or name.startswith('"'):
        field, value = None, token
    elif not value.strip('"'):
        raise SearchError(f"search: {field}: needs a value, e.g. {field}:something")
    prefix = value.endswith("*") and not value.endswith('"*')
    phrase = value.startswith('"')
    value = value.rstrip("*") if prefix else value
    value = value.replace('"', "").strip()
    if field == "year":
        return Term(field, value, year_bounds(value))
    if field == "doi":
        return Term(field, normalise_doi(value) or value)
    if (field in INDEX_FIELDS) and not _WORD.search(value):
        raise SearchError(f"search: {token!r} has no word to look for (letters or digits)")
    return Term(field, value, prefix=prefix, phrase=phrase)


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


def describe(query: Query | Node | None) -> str:
    """The search written back in the language, for the screen's header."""
    node = query.node if isinstance(query, Query) else query
    if node is None:
        return ""
    if isinstance(node, Not):
        return "-" + _grouped(node.child)
    if isinstance(node, Any_):
        return " OR ".join(_grouped(c) for c in node.children)
    if isinstance(node, All):
        return " ".join(_grouped(c) for c in node.children)
    quoted = node.phrase or " " in node.value
    value = f'"{node.value}"' if quoted else node.value
    return (f"{node.field}:" if node.field else "") + value + ("*" if node.prefix else "")


def _grouped(node: Node) -> str:
    return f"({describe(node)})" if isinstance(node, All | Any_) else describe(node)
