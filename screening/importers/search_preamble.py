"""The search an Embase.com export writes above its column names (CSV and XLSX alike).

    "SEARCH QUERY","dinosaur:ti"
    -------------------------------------

    "Title","Original Title","Author Names",...

The query row, the dashed rule and blank rows are not records and not the header: readers
skip them, and the import keeps the query as the source's search (sources.query), which
PRISMA-S asks a review to report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

_QUERY = "SEARCH QUERY"
_Row = tuple[int, list[str]]  # (line or row number, cells)


def is_query_row(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lstrip("\ufeff").upper() == _QUERY


def query_of(cells: list[str]) -> str | None:
    """The query in a "SEARCH QUERY" row, else None."""
    if not is_query_row(cells) or len(cells) < 2:
        return None
    return " ".join(cells[1].split()) or None


def _is_rule(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c and c.strip()]
    return len(filled) == 1 and set(filled[0]) == {"-"}


def skip_preamble(rows: Iterable[_Row]) -> Iterator[_Row]:
    """The rows from the header on: a leading query row and the rules after it dropped."""
    in_preamble = False
    for row in rows:
        cells = row[1]
        if not in_preamble and is_query_row(cells):
            in_preamble = True
            continue
        if in_preamble and (_is_rule(cells) or not any(c.strip() for c in cells)):
            continue
        in_preamble = False
        yield row


def header_line(head: str) -> str:
    """The first line of a text export that is neither part of a search preamble nor blank."""
    lines = head.lstrip("\ufeff").split("\n")
    if not lines[0].strip().strip('"').upper().startswith(_QUERY):
        return lines[0].rstrip("\r")
    rest = (line.rstrip("\r") for line in lines[1:])
    return next((line for line in rest if line.strip() and set(line.strip()) != {"-"}), "")
