"""Extraction sheets: the spreadsheets a review team hands round, and loading them back.

- ``safety``: safe_cell, the rule that keeps a spreadsheet from running a text cell as a
  formula (every CSV and XLSX cell metasift writes goes through it);
- ``tables``: Sheet, the rows of one sheet, and the column names of each layout;
- ``shown``: which value each cell shows (the agreed one, or one reviewer's) and its status;
- ``layout``: the extraction sheet: studies, arms, outcome values;
- ``analysis``: the same values as metafor's long table and RevMan's data-entry blocks;
- ``files``: writing and reading CSV and XLSX;
- ``load``: a sheet read back into a reviewer's values, checked as the form checks them.
"""

from extraction.sheets.safety import safe_cell

__all__ = ["safe_cell"]
