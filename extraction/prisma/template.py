"""The counts as the PRISMA2020 R package's data template (its inst/extdata/PRISMA.csv,
shipped here as template.csv under its MIT licence, template_LICENSE.md): every row and
column kept as the package wrote them, only the n column filled in, so the file feeds
`PRISMA_data(read.csv(...))` and the package's Shiny app.

The package splits a list cell ("Reason, n; Reason, n") at semicolons and reads a name up to
its first comma, so commas and semicolons inside a name become " / ". Boxes metasift has no
figures for yet get 0 (registers, other methods, a previous version: the template's 0, and
"0" for its "Register 1, xxx" placeholders), and the meta-analysis boxes NA, which the package
reads as "leave the box out".
"""

from __future__ import annotations

import csv
import io
import re
from importlib.resources import files

from extraction.prisma.counts import PrismaCounts, package_figures
from extraction.sheets.safety import safe_cell

COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")
_SEPARATORS = re.compile(r"\s*[,;]\s*")


def template_rows() -> list[dict[str, str]]:
    text = files("extraction.prisma").joinpath("template.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def listed(pairs: tuple[tuple[str, int], ...]) -> str:
    """ "Name, n; Name, n" as the package reads it; "0" for an empty list."""
    if not pairs:
        return "0"
    return "; ".join(f"{_SEPARATORS.sub(' / ', name.strip())}, {n}" for name, n in pairs)


def template_values(c: PrismaCounts) -> dict[str, str]:
    """The n of each data row metasift knows."""
    figures = package_figures(c)
    figures["total_studies"] = c.new_studies  # a new review: all its studies are new
    figures["total_reports"] = c.new_reports
    values = {key: str(n) for key, n in figures.items()}
    values["database_specific_results"] = listed(c.databases)
    values["dbr_excluded"] = listed(c.reasons)
    values["total_studies_ma"] = values["total_reports_ma"] = "NA"
    values["register_specific_results"] = values["other_excluded"] = "0"  # not "xxx"
    return values


def template_csv(c: PrismaCounts) -> str:
    """The filled-in template, as CSV text."""
    values = template_values(c)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in template_rows():
        row["n"] = safe_cell(values.get(row["data"], row["n"]))  # a name a sheet would run
        writer.writerow(row)
    return out.getvalue()
