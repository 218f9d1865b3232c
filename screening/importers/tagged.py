"""Pieces shared by the readers of line-tagged exports (PubMed MEDLINE, Ovid).

Neither format has an end marker, so a file cut short mostly reads as a shorter whole file.
What shows is a last record that does not end the way the others do: every record of an
export ends with the same field (PubMed's MEDLINE always with SO; an Ovid export with the
last field of its field selection). whole_records leaves such a last record out and warns
with the line where the file was cut.

Both formats put a tag of up to four characters at column 0, padded to four with spaces and
followed by "- " ("PMID- 123", "TI  - A title"), so one function splits those lines. Both also
give short author names as "Surname Initials" ("Smith JA", "Behan L."), and star the headings
(MeSH or Emtree) that are a major topic of the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

from screening.importers.textfile import SourceFile
from screening.normalise import clean, clean_list

# the tag padded to four characters, then "-" in column 5 and a space before any value
_TAG_LINE = re.compile(
    r"([A-Z][A-Z0-9]{3}|[A-Z][A-Z0-9]{2} |[A-Z][A-Z0-9]  )-(?: (.*))?", re.DOTALL
)


def split_tag(line: str) -> tuple[str, str] | None:
    """("TI", "A title") for "TI  - A title"; None when the line is not a tag line.

    The dash must stand in column 5, so a continuation line that happens to read
    "CT - scans ..." is never mistaken for a tag.
    """
    match = _TAG_LINE.fullmatch(line)
    if match is None:
        return None
    return match.group(1).rstrip(), match.group(2) or ""


def values_by_tag(fields: Iterable[Sequence[str]]) -> dict[str, list[str]]:
    """{tag: [value, ...]} from a record's (tag, value) fields, in file order."""
    values: dict[str, list[str]] = {}
    for tag, value in fields:
        values.setdefault(tag, []).append(value)
    return values


def starred_headings(headings: list[str]) -> tuple[list[str], list[str]]:
    """(terms, major terms): each heading without its '*' marks, and again the starred ones."""
    terms, major = [], []
    for heading in headings:
        term = clean(heading.replace("*", ""))
        if term:
            terms.append(term)
            if "*" in heading:
                major.append(term)
    return clean_list(terms), clean_list(major)


class TaggedRecord(Protocol):
    start: int
    fields: list[list[str]]

    def raw(self) -> str: ...


_R = TypeVar("_R", bound=TaggedRecord)


def whole_records(records: Iterable[_R], source: SourceFile) -> Iterator[_R]:
    """The records, the last one only if it ends with the tag every record before it ended
    with (a lone record is taken as whole) and has a field at all."""
    last: _R | None = None
    endings: set[str] = set()
    for record in records:
        if last is not None:
            endings.add(last.fields[-1][0] if last.fields else "")
            yield last
        last = record
    if last is None:
        return
    expected = next(iter(endings)) if len(endings) == 1 else None
    ending = last.fields[-1][0] if last.fields else None
    if ending is not None and (expected is None or ending == expected):
        yield last
        return
    why = f"its last field is {ending}, not {expected}" if ending else "it has no fields"
    source.warn(
        f"the file ends in the middle of the record that starts on line {last.start} ({why}):"
        " the export was cut short; that record was left out",
        line=last.start + last.raw().count("\n"),
    )
