"""`metasift export sheet`: the extraction sheet a team hands round, or the values as RevMan
and metafor take them (extraction.sheets)."""

from __future__ import annotations

from pathlib import Path

import click

from db.errors import MetasiftError
from extraction.cli.context import EXTRACTOR, VIEWER, ExtractionReview, ReviewOpener
from extraction.cli.output_files import writable_file
from extraction.sheets.analysis import metafor_sheet, revman_sheet
from extraction.sheets.files import read_sheets, write_sheets
from extraction.sheets.layout import extraction_sheets, study_labels
from extraction.sheets.load import Loaded, SheetRefused, load_sheets, main_sheets
from extraction.sheets.shown import (
    extractors,
    reviewer_view,
    studies_with_values,
    team_view,
    visibility,
)
from extraction.sheets.tables import Sheet


def build(opener: ReviewOpener) -> click.Command:
    @click.command(name="sheet")
    @click.option("--review", "review_path", type=click.Path(), default=None,
                  help="The review: its review.db, or the folder holding it.")  # fmt: skip
    @click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default=None,
                  help="The file format.  [default: from FILE's suffix]")  # fmt: skip
    @click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
                  callback=writable_file,
                  help="The file to write (CSV: one file per sheet, see below).")  # fmt: skip
    @click.option("--reviewer", envvar="METASIFT_REVIEWER",
                  help="Who is asking (or METASIFT_REVIEWER).")  # fmt: skip
    @click.option("--mine", is_flag=True, help="Your own values, not the agreed ones: the "
                  "sheet to edit and `metasift extract load`.")  # fmt: skip
    @click.option("--per-reviewer", is_flag=True,
                  help="Add each reviewer's values, three sheets per reviewer.")  # fmt: skip
    @click.option("--for", "target", type=click.Choice(["revman", "metafor"]), default=None,
                  help="RevMan's data-entry blocks or metafor's long table.")  # fmt: skip
    def sheet(
        review_path: str | None, fmt: str | None, output: str, reviewer: str | None,
        mine: bool, per_reviewer: bool, target: str | None,
    ) -> None:  # fmt: skip
        """Export the extracted data as a spreadsheet.

        Sheets: studies (one row per included study, one column per form field, headed
        "Label [key]"), arms, and outcomes (one long sheet: study, arm, arm type, outcome,
        time point, final value or change, the statistics as reported with unit and factor,
        the mean, SD and n or events and total derived in the outcome's unit, the method,
        the imputed-SD flag, the note). Each cell shows the agreed value; cells not yet
        agreed are listed with their status (pending, conflict, blinded) and no value, and
        values for fields or time points the form no longer has are marked "not in the
        form". CSV writes one file per sheet: FILE's stem plus the sheet name
        (sheet.csv -> sheet-studies.csv, sheet-arms.csv, sheet-outcomes.csv).

        --for revman: a block per comparison, outcome, time point and measure (study, mean,
        SD, total for experimental then control; or events and total). --for metafor: one
        long table (outcome, timepoint, measure, comparison, study, the choice fields as
        subgroup columns, then m1i, sd1i, n1i, m2i, sd2i, n2i, or ai, n1i, ci, n2i). Group 1
        is the comparison's intervention; several arms of one side (multi-arm trials) are
        combined into one group (Cochrane Handbook 23.3.4) and the sheet says so. Only
        included studies are analysed; the extraction sheet also lists studies no longer
        included that hold values.

        Blinding holds: while a study of a dual extraction lacks both done marks, others'
        values on it are shown only to an adjudicator. Text a spreadsheet would run as a
        formula gets a leading "'"; numbers stay numbers.

        Example:

        \b
            metasift export sheet -o extraction.xlsx
            metasift export sheet --reviewer ana --mine -o ana.xlsx   # edit, then load
            metasift export sheet --for metafor -o albumin.csv
        """
        path = Path(output)
        fmt = _format(fmt, path, per_reviewer, target)
        with opener(review_path, reviewer, VIEWER) as review:
            if mine and review.reviewer is None:
                raise click.UsageError("--mine needs --reviewer NAME (or METASIFT_REVIEWER)")
            sheets = _sheets(review, review.reviewer if mine else None, per_reviewer, target)
        for written in write_sheets(path, sheets, fmt):
            click.echo(f"wrote {click.format_filename(str(written))}", err=True)

    return sheet


def _format(fmt: str | None, path: Path, per_reviewer: bool, target: str | None) -> str:
    suffix = path.suffix.lower().lstrip(".")
    fmt = fmt or suffix
    if fmt not in ("xlsx", "csv"):
        raise click.UsageError("give --format xlsx or csv (FILE's suffix is neither)")
    if suffix in ("xlsx", "csv") and suffix != fmt:  # a .xlsx name on CSV text misleads
        raise click.UsageError(f"--format {fmt} with a .{suffix} file: name it .{fmt}")
    if target and per_reviewer:
        raise click.UsageError("--per-reviewer adds extraction sheets; not with --for")
    return fmt


def _sheets(
    review: ExtractionReview, reviewer: str | None, per_reviewer: bool, target: str | None
) -> list[Sheet]:
    db, form = review.db, review.form
    visible = visibility(db, form, review.reviewer, review.adjudicators)
    if reviewer:
        shown = reviewer_view(db, reviewer, review.reviewer, visible)
    else:
        shown = team_view(db, form, visible)
    included = {s.uuid: s.label for s in review.included_studies()}
    if target:  # analyses take the included studies only; the sheet lists every one
        return [(metafor_sheet if target == "metafor" else revman_sheet)(form, included, shown)]
    sheets = extraction_sheets(form, study_labels(included, shown), shown)
    for name in extractors(db) if per_reviewer else ():
        theirs = reviewer_view(db, name, review.reviewer, visible)
        sheets += extraction_sheets(form, study_labels(included, theirs), theirs, f" ({name})")
    return sheets


def build_load(opener: ReviewOpener) -> click.Command:
    @click.command(name="load")
    @click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
    @click.option("--review", "review_path", type=click.Path(), default=None,
                  help="The review: its review.db, or the folder holding it.")  # fmt: skip
    @click.option("--reviewer", envvar="METASIFT_REVIEWER",
                  help="Whose values these are (or METASIFT_REVIEWER).")  # fmt: skip
    def load(files: tuple[str, ...], review_path: str | None, reviewer: str | None) -> None:
        """Load an extraction sheet (`metasift export sheet`'s layout, edited in a
        spreadsheet) as the reviewer's values.

        FILES: an .xlsx workbook (its studies, arms and outcomes sheets) or the CSV files
        of those sheets. Rows are matched by study id, arm, outcome, time point and measure;
        the factor (it follows from the unit), derived, status and label columns are not
        read, nor are outcome rows with no statistics. Only values that differ from the
        reviewer's values in force are added, so loading a sheet twice adds nothing. An
        empty cell is not a clearing: it leaves the value entered (in the screen or an
        earlier load) as it is; clear a value in the extraction screen. Every value is
        checked as the form checks it; every problem is listed with its sheet, row and
        column, and then nothing is loaded (exit 1).

        Example:

        \b
            metasift export sheet --reviewer ana --mine -o ana.xlsx
            metasift extract load ana.xlsx --reviewer ana
        """
        read = main_sheets([s for name in files for s in read_sheets(Path(name))])
        with opener(review_path, reviewer, EXTRACTOR) as review:
            loaded = _load(review, read)
        if not loaded.sheets:
            raise MetasiftError(f"{', '.join(files)}: no studies, arms or outcomes sheet")
        click.echo(
            f"{loaded.added} value{'s' if loaded.added != 1 else ''} added, "
            f"{loaded.unchanged} unchanged ({', '.join(loaded.sheets)})"
        )

    return load


def _load(review: ExtractionReview, sheets: list[Sheet]) -> Loaded:
    if review.reviewer is None:
        raise MetasiftError("who is loading? Pass --reviewer NAME")
    known = {s.uuid for s in review.included_studies()} | studies_with_values(review.db)
    try:
        return load_sheets(review.db, review.form, review.reviewer, sheets, known)
    except SheetRefused as refused:
        for problem in refused.problems:  # each on its line; the summary follows as the error
            click.echo(problem, err=True)
        raise


def register(group: click.Group, opener: ReviewOpener) -> None:
    """Add `sheet` to the `export` group screening registered (or make the group)."""
    export = group.commands.get("export")
    if not isinstance(export, click.Group):
        export = click.Group("export", help="Write the review's data to files.")
        group.add_command(export)
    export.add_command(build(opener))
