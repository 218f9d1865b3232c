"""The inside of one BibTeX entry: ``key, name = value # value, ...`` into raw LaTeX strings.

Values stay LaTeX here (the reader converts them after ``#`` joins the pieces and macros
are expanded, since a macro can hold half an accent). Field names are lower-cased and keep
inner spaces, because Scopus writes names such as "funding_text 1". A field given twice
keeps every value, in order. An undefined macro reads as its own name, as BibTeX warns but
goes on; an unparseable piece raises ParseError at its line.

Hand-written rather than bibtexparser's splitter, which was 4x slower, leaves "#"
concatenations as written and passes a missing "," or a "}" too many without an error
(measured reasons in screening.importers.bibtex).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from db.errors import ParseError

MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}

# fail(message, offset in the body) -> the error to raise
Fail = Callable[[str, int], ParseError]

_NAME = re.compile(r'([^\s=,{}"#()%][^=,{}"#()%]*?)\s*=\s*')
_NUMBER = re.compile(r"\d+")
_MACRO = re.compile(r"[A-Za-z_][\w\-.:+/']*")
_SPACE = re.compile(r"[\s,]*")
_WHITE = re.compile(r"\s*")
_BRACE = re.compile(r"[\\{}]")
# a {value} with up to two levels of inner braces, matched in one step (the common case)
_INNER = r"(?:[^{}\\]++|\\.)*+"
_GROUPED = r"\{(%s(?:\{%s(?:\{%s\}%s)*+\}%s)*+)\}" % ((_INNER,) * 5)
_GROUP = re.compile(_GROUPED, re.DOTALL)
# the common field, name = {value} and its comma, in one step
_SIMPLE_FIELD = re.compile(r"[\s,]*" + _NAME.pattern + _GROUPED + r"\s*(?:,|\Z)", re.DOTALL)
_QUOTED = re.compile(r'[\\{}"]')


@dataclass
class ParsedEntry:
    key: str | None
    fields: dict[str, list[str]]

    def fields_first(self) -> dict[str, str]:
        return {name: values[0] for name, values in self.fields.items()}


def parse_entry(body: str, kind: str, macros: dict[str, str], fail: Fail) -> ParsedEntry:
    """The key and fields of an entry body (the text between its braces)."""
    parser = _Parser(body, macros, fail)
    key = None if kind == "string" else parser.key()
    return ParsedEntry(key, parser.fields())


class _Parser:
    def __init__(self, body: str, macros: dict[str, str], fail: Fail) -> None:
        self.body = body
        self.pos = 0
        self.macros = macros
        self.fail = fail

    def key(self) -> str | None:
        """The citation key, or None when the entry starts straight with a field."""
        comma = self.body.find(",")
        candidate = self.body if comma < 0 else self.body[:comma]
        if any(ch in candidate for ch in '={}"'):
            return None
        self.pos = len(self.body) if comma < 0 else comma + 1
        return candidate.strip() or None

    def fields(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        body = self.body
        while True:
            simple = _SIMPLE_FIELD.match(body, self.pos)
            if simple:
                name = " ".join(simple.group(1).lower().split())
                fields.setdefault(name, []).append(simple.group(2))
                self.pos = simple.end()
                continue
            self.pos = _end_of(_SPACE, body, self.pos)
            if self.pos >= len(body):
                return fields
            match = _NAME.match(body, self.pos)
            if match is None:
                found = body[self.pos :].split("\n", 1)[0][:30]
                raise self.fail(f"expected 'name = value', found {found!r}", self.pos)
            name = " ".join(match.group(1).lower().split())
            self.pos = match.end()
            fields.setdefault(name, []).append(self.value(name))
            self.skip_space()
            if self.pos < len(body) and body[self.pos] != ",":
                found = body[self.pos :].split("\n", 1)[0][:30]
                raise self.fail(
                    f"expected ',' after the value of {name!r}, found {found!r}", self.pos
                )

    def value(self, name: str) -> str:
        pieces = []
        while True:
            self.skip_space()
            pieces.append(self.piece(name))
            self.skip_space()
            if not self.body.startswith("#", self.pos):
                return "".join(pieces)
            self.pos += 1

    def piece(self, name: str) -> str:
        body, start = self.body, self.pos
        ch = body[start] if start < len(body) else ""
        if ch == "{" and (group := _GROUP.match(body, start)):
            self.pos = group.end()
            return group.group(1)
        if ch in ("{", '"'):
            end = self.closing(start, ch, name)
            self.pos = end + 1
            return body[start + 1 : end]
        for pattern in (_NUMBER, _MACRO):
            match = pattern.match(body, start)
            if match:
                self.pos = match.end()
                word = match.group(0)
                return word if pattern is _NUMBER else self.macros.get(word.lower(), word)
        raise self.fail(f"the value of {name!r} is missing or starts with {ch!r}", start)

    def closing(self, start: int, opener: str, name: str) -> int:
        """The index of the brace or quote that closes the value opened at start."""
        depth = 0
        pattern = _BRACE if opener == "{" else _QUOTED
        pos = start + 1
        while match := pattern.search(self.body, pos):
            token = match.group(0)
            pos = match.end()
            if token == "\\":
                pos += 1  # an escaped character: \{ does not open a group
            elif token == "{":
                depth += 1
            elif token == "}":
                if depth == 0 and opener == "{":
                    return match.start()
                depth -= 1
            elif token == '"' and depth == 0:
                return match.start()
        raise self.fail(f"the value of {name!r} is not closed (unbalanced braces)", start)

    def skip_space(self) -> None:
        self.pos = _end_of(_WHITE, self.body, self.pos)


def _end_of(run: re.Pattern[str], text: str, pos: int) -> int:
    """Where the run of run's characters from pos ends (run matches the empty string too)."""
    match = run.match(text, pos)
    assert match is not None  # a pattern that accepts "" always matches
    return match.end()
