"""Web of Science tab-delimited export (Windows or Mac, UTF-8 or UTF-16).

The first line names the columns by their WoS tags (PT, AU, ..., UT); then one record per
line, cells separated by tabs, with no quoting. Multi-valued cells use "; ". WoS ends every
data row with a tab the header does not have, so empty cells past the header are dropped.
The tags mean what they mean in the plain-text export; wos.citation_from_tags maps both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from db.errors import ParseError
from screening.citation import Citation
from screening.importers.textfile import SourceFile
from screening.importers.wos import citation_from_tags

NAME = "wos-tab"

_TAG = re.compile(r"[A-Z][A-Z0-9]")


def sniff(head: str) -> bool:
    """A header of WoS tags: starts with PT, or has both TI and UT columns."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if first.startswith("PT\t"):
        return True
    columns = first.split("\t")
    return "TI" in columns and "UT" in columns


def read(source: SourceFile, **options: object) -> Iterator[Citation]:
    """Stream one Citation per row; ParseError for a row whose cells do not fit the header."""
    header: list[str] | None = None
    for number, line in source.lines():
        if header is None:
            header = _header(source, number, line.lstrip("\ufeff"))
            continue
        if not line.strip():
            continue
        cells = _cells(source, number, line, len(header))
        tags = {tag: [cell] for tag, cell in zip(header, cells, strict=True) if cell.strip()}
        yield citation_from_tags(tags, raw=line, line=number)


def _header(source: SourceFile, number: int, line: str) -> list[str]:
    columns = line.rstrip("\t ").split("\t")
    bad = [c for c in columns if not _TAG.fullmatch(c)]
    if bad:
        raise ParseError(
            source.path,
            f"the header should name WoS field tags (PT, AU, TI, ...); found {bad[0][:40]!r}",
            line=number,
        )
    return columns


def _cells(source: SourceFile, number: int, line: str, width: int) -> list[str]:
    cells = line.split("\t")
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        del cells[width:]
    if len(cells) != width:
        raise ParseError(
            source.path,
            f"this row has {len(cells)} tab-separated cells but the header has {width} columns "
            "(a line break or tab inside a field?)",
            line=number,
        )
    return cells
