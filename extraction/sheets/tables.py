"""A sheet as rows of cells, and the columns of the extraction sheet's layouts.

The column names are the contract between `metasift export sheet` and `metasift extract
load`: load finds each column by its name, so a team may reorder columns or add their own
(load ignores what it does not know).

Example:
    >>> Sheet("arms", [list(ARM_COLUMNS)]).header[:3]
    ('study', 'study id', 'arm')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STUDIES, ARMS, OUTCOMES = "studies", "arms", "outcomes"
NOT_IN_FORM = "not in the form"

STUDY, STUDY_ID, STATUS, NOTE = "study", "study id", "status", "note"
STUDY_COLUMNS = (STUDY, STUDY_ID)  # then one column per form field, then status

ARM_KEYS = {"label": "arm label", "type": "arm type", "n": "n randomised",
            "description": "description"}  # fmt: skip
ARM_COLUMNS = (STUDY, STUDY_ID, "arm", *ARM_KEYS.values(), STATUS)

# the reported layouts' numbers (extraction.values.reported), in the order a paper gives them;
# "SD source" is the mean-imputed-sd layout's only (where an imputed SD comes from), blank for
# the others: an SD made up rather than reported says so in the illustrative column
REPORTED_KEYS = {
    "mean": "mean", "sd": "SD", "se": "SE", "ci_low": "CI low", "ci_high": "CI high",
    "level": "CI level", "median": "median", "q1": "Q1", "q3": "Q3", "min": "min",
    "max": "max", "n": "n", "events": "events", "total": "total", "sd_source": "SD source",
    "illustrative": "illustrative (made up, not from a report)",
}  # fmt: skip
DERIVED_COLUMNS = ("derived mean", "derived SD", "derived n", "derived events", "derived total")
OUTCOME_COLUMNS = (
    STUDY, STUDY_ID, "arm", "arm label", "arm type", "outcome", "outcome name", "time point",
    "measure", "reported as", *REPORTED_KEYS.values(), "unit", "factor", *DERIVED_COLUMNS,
    "outcome unit", "method", "imputed SD", NOTE, STATUS,
)  # fmt: skip


@dataclass
class Sheet:
    """One sheet: its name and rows (the first `frozen` rows are headings)."""

    name: str
    rows: list[list[Any]] = field(default_factory=list)
    frozen: int = 1

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(str(c) if c is not None else "" for c in self.rows[0]) if self.rows else ()


def column_letter(index: int) -> str:
    """A spreadsheet's name for the 0-based column index (0 -> A, 26 -> AA).

    Example:
        >>> column_letter(0), column_letter(27)
        ('A', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
