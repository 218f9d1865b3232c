"""RIS, as Embase, Scopus, Web of Science, Ovid, EBSCO, ProQuest, Zotero and EndNote write it.

A record runs from a "TY  - " line to an "ER  - " line; every other line is a two-character
tag, two spaces, a dash and (usually) a space before the value. The dialects differ in ways the
reader has to forgive:
- Ovid numbers each record ("1." on the line before TY), writes the journal's NLM abbreviation
  ("NL  - ") on the line straight after ER, and adds "Link to the Ovid Full Text" text after
  that: number lines and text between records are skipped; tag lines directly after ER still
  belong to the record (and to its raw text);
- EndNote continues a value on untagged lines (one keyword, affiliation, ISSN or note line
  each): such a line continues the previous tag;
- tag lines need the two spaces ("AB  - "): a one-space variant was never seen in a real file,
  and accepting it would misread EndNote continuation lines such as "UK - based".

The tags become Citation fields in ris_fields, where each dialect's field choices are listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from db.errors import ParseError
from screening.citation import Citation
from screening.importers.ris_fields import citation_from_fields
from screening.importers.textfile import SourceFile

NAME = "ris"

_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*))?$")


def sniff(head: str) -> bool:
    """One of the first 50 non-blank lines starts with "TY  -"."""
    lines = [line for line in head.lstrip("\ufeff").splitlines() if line.strip()]
    return any(line.startswith("TY  -") for line in lines[:50])


@dataclass
class _Record:
    """One record's lines, and its (tag, [value line, continuation lines...]) in file order."""

    start: int
    raw: list[str] = field(default_factory=list)
    fields: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, line: str, tag: str, value: str) -> None:
        self.raw.append(line)
        self.fields.append((tag, [value]))

    def citation(self) -> Citation:
        return citation_from_fields(self.fields, raw="\n".join(self.raw), line=self.start)


class _Reader:
    """The line-by-line state: inside a record, or between ER and the next TY."""

    def __init__(self, source: SourceFile) -> None:
        self.path = source.path
        self.record: _Record | None = None  # open: TY seen, no ER yet
        self.closed: _Record | None = None  # ER seen; Ovid may still add tag lines
        self.trailing = False  # the lines since ER have all been tag lines

    def feed(self, number: int, line: str) -> Citation | None:
        match = _TAG.match(line.rstrip())
        if self.record is not None:
            self._inside(number, line, match)
            return None
        if match is None:
            self.trailing = False  # blank line, Ovid's "1." or link text: skipped
            return None
        tag, value = match.group(1), match.group(2) or ""
        if tag == "TY":
            done, self.closed = self.closed, None
            self.record = _Record(number)
            self.record.add(line, tag, value)
            return done.citation() if done else None
        if self.closed is not None and self.trailing and tag != "ER":
            self.closed.add(line, tag, value)
            return None
        where = "before the first TY line" if self.closed is None else "between ER and TY"
        raise ParseError(
            self.path,
            f"{tag!r} tag line {where}: every RIS record starts with 'TY  - '",
            line=number,
        )

    def _inside(self, number: int, line: str, match: re.Match[str] | None) -> None:
        record = self.record
        assert record is not None
        if match is None:
            record.raw.append(line)
            if line.strip():  # EndNote: an untagged line continues the previous tag
                record.fields[-1][1].append(line.strip())
            return
        tag = match.group(1)
        if tag == "TY":
            raise ParseError(
                self.path,
                f"record starting at line {record.start} has no ER line "
                f"(a new record starts at line {number})",
                line=record.start,
            )
        record.add(line, tag, match.group(2) or "")
        if tag == "ER":
            self.record, self.closed, self.trailing = None, record, True

    def finish(self) -> Citation:
        if self.record is not None:
            start = self.record.start
            raise ParseError(
                self.path, f"record starting at line {start} has no ER line", line=start
            )
        if self.closed is None:
            raise ParseError(self.path, "no RIS record in this file (no 'TY  - ' line)", line=1)
        return self.closed.citation()


def read(source: SourceFile, **options: Any) -> Iterator[Citation]:
    """Stream the records; ParseError for a record without ER or a tag line outside a record."""
    reader = _Reader(source)
    for number, line in source.lines():
        if number == 1:
            line = line.lstrip("\ufeff")
        done = reader.feed(number, line)
        if done is not None:
            yield done
    yield reader.finish()
