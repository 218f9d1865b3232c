"""`metasift extract`: the extraction commands (extraction.values): compare."""

from __future__ import annotations

import json

import click

from extraction.cli.context import VIEWER, ReviewOpener
from extraction.values.consensus import CONFLICT, CellState, blinded, cell_states


def build(opener: ReviewOpener) -> click.Group:
    @click.group()
    def extract() -> None:
        """Extract data from the included studies, compare two extractors' values, and settle
        them.

        Example:

        \b
            metasift extract compare --reviewer cy
        """

    @extract.command()
    @click.option(
        "--review",
        "review_path",
        type=click.Path(),
        default=None,
        help="The review: its review.db, or the folder holding it.",
    )
    @click.option(
        "--reviewer", envvar="METASIFT_REVIEWER", help="Who is asking (or METASIFT_REVIEWER)."
    )
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
            states = cell_states(review.db, review.form)
            open_ = {
                s.study_uuid for s in states if not blinded(review.db, review.form, s.study_uuid)
            }
            found = [s for c, s in states.items() if s.state == CONFLICT and c.study_uuid in open_]
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
        click.echo(f"{len(found)} value{'s' if len(found) != 1 else ''} to settle")

    return extract


def _as_json(state: CellState) -> dict[str, object]:
    cell = state.cell
    return {
        "study": cell.study_uuid, "cell": cell.label(), **cell._asdict(),
        "values": [{"reviewer": v.reviewer, "value": v.value, "unit": v.unit, "note": v.note,
                    "uuid": v.uuid} for v in state.entered],
    }  # fmt: skip


def register(group: click.Group, opener: ReviewOpener) -> None:
    group.add_command(build(opener))
