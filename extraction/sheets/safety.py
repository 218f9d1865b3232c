"""Cells for CSV and XLSX sheets that a spreadsheet shows as text, never runs as a formula.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before looking) is read as a formula by Excel, LibreOffice and Google
Sheets, so a title such as ``=HYPERLINK("http://evil", "click")`` in an export would run when
the sheet is opened (OWASP, "CSV Injection"). The fix OWASP gives is a leading single quote,
which the spreadsheet shows as nothing and treats as "this is text". Plain numbers ("-1.5",
"+3", "2e-5") stay as they are: they cannot run anything, and quoting them would turn a
column of effect sizes into text.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value with a leading "'" if it is a str a spreadsheet would run; else unchanged.

    >>> safe_cell("=1+1"), safe_cell("-1.5"), safe_cell(-2), safe_cell("Smith, J")
    ("'=1+1", '-1.5', -2, 'Smith, J')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value
