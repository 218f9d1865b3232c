"""Which pooled studies a sheet flags: the metafor sheet's "illustrative" column (a value
made up, not from a report) and "sd_imputed" column, read back by the line each pooled study
came from, so `metasift analyse` (the sheet in memory) and `metasift pool` (the sheet as CSV)
name the same studies.

Example:
    >>> rows = {2: {"illustrative": "yes"}, 3: {"illustrative": "no"}}
    >>> flagged_studies(rows, ("Ash 2015", "Li 2022"), (2, 3), ILLUSTRATIVE_COLUMN)
    ['Ash 2015']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ILLUSTRATIVE_COLUMN = "illustrative"
IMPUTED_COLUMN = "sd_imputed"


def flagged_studies(
    rows: Mapping[int, Mapping[str, str]],
    names: Sequence[str],
    lines: Sequence[int],
    column: str,
) -> list[str]:
    """The studies (names, with the line of each) whose row says yes in column; a sheet
    without the column flags none."""
    found = {
        name
        for name, line in zip(names, lines, strict=True)
        if (rows.get(line, {}).get(column) or "").strip().lower() == "yes"
    }
    return sorted(found)
