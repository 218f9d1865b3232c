"""What the resolve screen draws for a conflict: the record without anyone's own decision
line, and the votes in force side by side, one column per reviewer."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from screening.decisions.record_view import RecordView
from screening.decisions.resolving import Ballot
from screening.tui.escaping import safe
from screening.tui.widgets.record_card import LABEL, RecordCard, verdict_text

ROWS = ("Verdict", "Note", "Tags", "Decided")


class ConflictCard(RecordCard):
    """The record as the screening screen shows it, less "Your decision": an adjudicator
    has none here, and the votes are shown beside it."""

    def _parts(self, view: RecordView | None, empty: str) -> dict[str, Text]:
        parts = super()._parts(view, empty)
        parts.pop("decision", None)
        return parts


class BallotTable(Static):
    """Every vote in force on the conflict, one column per reviewer, so that each row
    (verdict and reason, note, tags, when) compares at a glance."""

    DEFAULT_CSS = """
    BallotTable { height: auto; max-height: 16; padding: 0 1; }
    """

    def show(self, ballots: tuple[Ballot, ...], shown_record: int) -> None:
        self.update(ballot_table(ballots, shown_record))


def in_columns(ballots: tuple[Ballot, ...]) -> tuple[Ballot, ...]:
    """Reviewers in name order, so each keeps their column from one conflict to the next."""
    return tuple(sorted(ballots, key=lambda b: b.reviewer.lower()))


def ballot_table(ballots: tuple[Ballot, ...], shown_record: int) -> Table:
    ballots = in_columns(ballots)
    table = Table(box=box.ROUNDED, expand=True, show_lines=True, header_style=LABEL)
    table.add_column("", style=LABEL, width=8, no_wrap=True)
    for ballot in ballots:
        table.add_column(safe(ballot.reviewer), ratio=1)
    cells = [[safe(_cell(row, b, shown_record)) for b in ballots] for row in ROWS]
    for name, row in zip(ROWS, cells, strict=True):
        table.add_row(name, *row)
    return table


def _cell(row: str, ballot: Ballot, shown_record: int) -> Text:
    d = ballot.decision
    if row == "Verdict":
        return verdict_text(d)
    if row == "Note":
        return Text(d.note) if d.note else Text("none", "dim")
    if row == "Tags":
        return Text(", ".join(d.tags), "bold #ce93d8") if d.tags else Text("none", "dim")
    when = Text(d.created_at[:19].replace("T", " ") + " UTC")
    if d.record_id != shown_record:
        when.append(f" · on #{d.record_id}, a duplicate", "dim")
    return when
