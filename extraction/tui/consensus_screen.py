"""ConsensusScreen: the values two extractors entered differently, settled one at a time; a
thin view over extraction.values.consensus."""

from __future__ import annotations

import json
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from db.errors import MetasiftError
from extraction.values.consensus import CellState
from extraction.values.entry_text import EntryError
from extraction.values.worksheet import shown

HELP = """\
# Extraction consensus

Every value two extractors entered differently, on studies both have marked done. Settle
each: take one extractor's value, or type the agreed one. The consensus is an event of its
own; if an extractor later changes their value, the cell comes back here.

| key | does |
|---|---|
| `j` `k` or ↓ ↑ | Next / previous value |
| `1` `2` ... | Take the first, second ... extractor's value |
| `Enter` | Type the agreed value (as in `metasift extract`; Escape cancels) |
| `?` | This help |
| `q` | Quit (every consensus is already saved) |
"""

Settle = Callable[[CellState, str | None, int | None], str]  # (state, typed, pick) -> message


class ConsensusScreen(Screen[None]):
    DEFAULT_CSS = """
    ConsensusScreen #bar { height: 1; background: $panel; padding: 0 1; }
    ConsensusScreen DataTable { height: 1fr; }
    ConsensusScreen #entry { display: none; }
    ConsensusScreen #status { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("j,down", "move(1)", "Move", key_display="j/k", id="next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="previous"),
        Binding("1", "pick(0)", "First's", id="first"),
        Binding("2", "pick(1)", "Second's", id="second"),
        Binding("3", "pick(2)", "Third's", show=False, id="third"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Every consensus is already saved"),
    ]
    HELP = HELP

    def __init__(
        self, conflicts: Callable[[], list[CellState]], labels: dict[str, str], settle: Settle
    ) -> None:
        super().__init__()
        self.conflicts, self.labels, self.settle = conflicts, labels, settle
        self.rows: list[CellState] = []
        self.editing: CellState | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        table: DataTable[Text | str] = DataTable(cursor_type="row", id="cells")
        table.add_columns("Study", "Value", "Extractors' values")
        yield table
        yield Input(id="entry", placeholder="the agreed value; Enter saves, Escape cancels")
        yield Static(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self, row: int = 0) -> None:
        self.rows = self.conflicts()
        table = self.query_one("#cells", DataTable)
        table.clear()
        for state in self.rows:
            values = "   ".join(
                f"{i}. {v.reviewer}: {shown(v) or json.dumps(v.value)}"
                for i, v in enumerate(state.entered, start=1)
            )
            study = self.labels.get(state.cell.study_uuid, state.cell.study_uuid[:8])
            table.add_row(study, state.cell.label(), values)
        table.move_cursor(row=min(row, max(len(self.rows) - 1, 0)))
        left = len(self.rows)
        self.query_one("#bar", Static).update(
            f"Extraction consensus · {left} value{'s' if left != 1 else ''} to settle"
            if left
            else "Extraction consensus · nothing to settle: q quits"
        )

    def say(self, message: str) -> None:
        self.query_one("#status", Static).update(message)

    def current(self) -> CellState | None:
        row = self.query_one("#cells", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def action_move(self, step: int) -> None:
        table = self.query_one("#cells", DataTable)
        table.move_cursor(row=max(0, min(len(self.rows) - 1, table.cursor_row + step)))

    def action_pick(self, index: int) -> None:
        state = self.current()
        if state is None or index >= len(state.entered):
            return
        self._settle(state, None, index)

    @on(DataTable.RowSelected)
    def _type(self) -> None:
        state = self.current()
        if state is None:
            return
        self.editing = state
        entry = self.query_one("#entry", Input)
        entry.value = shown(state.entered[0]) if state.entered else ""
        entry.display = True
        entry.focus()

    @on(Input.Submitted, "#entry")
    def _typed(self, event: Input.Submitted) -> None:
        if self.editing is not None:
            self._settle(self.editing, event.value, None)

    def key_escape(self) -> None:
        if self.editing is not None:
            self._close()
            self.say("cancelled: nothing saved")

    def _settle(self, state: CellState, typed: str | None, pick: int | None) -> None:
        try:
            message = self.settle(state, typed, pick)
        except (EntryError, MetasiftError) as e:
            self.say(f"not saved: {e}")
            return
        row = self.query_one("#cells", DataTable).cursor_row
        self._close()
        self.redraw(row)
        self.say(message)

    def _close(self) -> None:
        self.editing = None
        self.query_one("#entry", Input).display = False
        self.query_one("#cells", DataTable).focus()

    def action_quit(self) -> None:
        self.app.exit()
