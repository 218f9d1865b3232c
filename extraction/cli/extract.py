"""`metasift extract`: the extraction commands (extraction.values): compare."""

from __future__ import annotations

import json

import click

from db.errors import MetasiftError
from db.plurals import counted
from extraction.cli.context import ADJUDICATOR, EXTRACTOR, VIEWER, IncludedStudy, ReviewOpener
from extraction.cli.reviews import review_option, reviewer_option
from extraction.values.consensus import CellState, open_conflicts, settle_conflict

NO_TERMINAL = (
    "metasift extract needs a terminal: its input or output is a pipe or a file. Run it from "
    "a terminal window; `metasift export sheet` and `metasift extract load` work without one."
)


def build(opener: ReviewOpener) -> click.Group:
    @click.group(invoke_without_command=True)
    @review_option
    @reviewer_option
    @click.option("--study", help="Open on this study (its label or the start of its UUID).")
    @click.pass_context
    def extract(
        ctx: click.Context, review_path: str | None, reviewer: str | None, study: str | None
    ) -> None:
        """Extract data from the included studies in the terminal: the form's study fields,
        the arms, then every outcome per arm and time point, typed as the paper reports it
        (mean/SD, median/IQR or range, SE, CI, events/total) and converted to the outcome's
        unit; every value saved at once as an event of its own. `d` marks a study done; with
        two extractors, each sees only their own values until both are done.

        The studies are the reports included at full text. `extract compare` lists what two
        extractors entered differently.

        Example:

        \b
            metasift extract --reviewer ana
            metasift extract --reviewer ana --study "Mohamadnejad 2013"
            metasift extract compare --reviewer cy
        """  # fmt: skip
        if ctx.invoked_subcommand is not None:
            return
        _open_screen(opener, review_path, reviewer, study)

    @extract.command()
    @review_option
    @reviewer_option
    @click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one per value.")
    def compare(review_path: str | None, reviewer: str | None, as_json: bool) -> None:
        """List every value two extractors entered differently, for consensus.

        Only studies every required extractor has marked done are compared: until then the
        extractions are blind to each other. A consensus that still matches the values it
        settled takes the cell off the list; an extractor who changes a value puts it back.

        JSON: a list of objects with keys study, cell, item, field, arm, outcome,
        timepoint and values (reviewer, value, unit, note, uuid).

        Example:

        \b
            metasift extract compare --json | jq 'length'
        """
        with opener(review_path, reviewer, VIEWER) as review:
            found = open_conflicts(review.db, review.form)
        if as_json:
            click.echo(json.dumps([_as_json(s) for s in found], indent=2, ensure_ascii=False))
            return
        if not found:
            click.echo("no values differ on the studies both extractors have finished")
            return
        for state in found:
            click.echo(f"study {state.cell.study_uuid[:8]}  {state.cell.label()}")
            for v in state.entered:
                unit = f" {v.unit}" if v.unit else ""
                note = f"  ({v.note})" if v.note else ""
                click.echo(
                    f"    {v.reviewer:<12} {json.dumps(v.value, ensure_ascii=False)}{unit}{note}"
                )
        click.echo(f"{counted(len(found), 'value')} to settle")

    @extract.command()
    @review_option
    @reviewer_option
    def consensus(review_path: str | None, reviewer: str | None) -> None:
        """Settle the values two extractors entered differently, one at a time, in the
        terminal: take one extractor's value (1, 2) or type the agreed one (Enter). Each
        consensus is saved at once as an event, and an extractor who changes their value
        later brings the cell back.

        Example:

        \b
            metasift extract consensus --reviewer cy
        """
        _need_terminal()
        from extraction.tui.consensus_screen import ConsensusScreen

        with opener(review_path, reviewer, ADJUDICATOR) as review:
            db, form, who = review.db, review.form, review.reviewer or ""
            labels = {s.uuid: s.label for s in review.included_studies()}
            screen = ConsensusScreen(
                lambda: open_conflicts(db, form),
                labels,
                lambda state, typed, pick: settle_conflict(db, form, who, state, typed, pick),
            )
            review.run_screen(lambda: screen, "metasift · extraction consensus")

    from extraction.cli.sheet import build_load  # `extract load`: extraction sheets, sheet.py

    extract.add_command(build_load(opener))
    return extract


def _need_terminal() -> None:
    import sys

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.ClickException(NO_TERMINAL)


def _open_screen(
    opener: ReviewOpener, review_path: str | None, reviewer: str | None, study: str | None
) -> None:
    _need_terminal()
    from extraction.tui.extract_screen import ExtractScreen
    from extraction.values.worksheet import Worksheet

    with opener(review_path, reviewer, EXTRACTOR) as review:
        assert review.reviewer is not None  # an extractor always has a name
        studies = review.included_studies()
        sheets = [(s, Worksheet(review.db, review.form, review.reviewer, s.uuid)) for s in studies]
        first = _find(studies, study) if study else 0
        title = "metasift · extraction"
        review.run_screen(lambda: ExtractScreen(sheets, first), title)


def _find(studies: list[IncludedStudy], wanted: str) -> int:
    for i, s in enumerate(studies):
        if s.label.lower() == wanted.lower() or s.uuid.startswith(wanted.lower()):
            return i
    names = ", ".join(s.label for s in studies[:10]) or "none yet"
    raise MetasiftError(f"no included study {wanted!r} (included: {names})")


def _as_json(state: CellState) -> dict[str, object]:
    cell = state.cell
    return {
        "study": cell.study_uuid, "cell": cell.label(), **cell._asdict(),
        "values": [{"reviewer": v.reviewer, "value": v.value, "unit": v.unit, "note": v.note,
                    "uuid": v.uuid} for v in state.entered],
    }  # fmt: skip


def register(group: click.Group, opener: ReviewOpener) -> None:
    group.add_command(build(opener))
