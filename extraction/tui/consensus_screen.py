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
from extraction.tui.fitted_table import fill_table
from extraction.values.cells import Cell, StoredValue
from extraction.values.consensus import CellState, Settled
from extraction.values.entry_text import EntryError
from extraction.values.worksheet import shown

HELP = """\
# Extraction consensus

Every value two extractors entered differently, on studies both have marked done. Settle
each: take one extractor's value, or type the agreed one. The consensus is an event of its
own; if an extractor later changes their value, the cell comes back here. Under the list,
each extractor's value of the highlighted cell is shown whole, with where it comes from.

| key | does |
|---|---|
| `j` `k` or ↓ ↑ | Next / previous value |
| `1` `2` ... | Take the first, second ... extractor's value |
| `Enter` | Type the agreed value (as in `metasift extract`; Escape cancels) |
| `u` | Undo your last consensus in this session: the cell comes back to settle |
| `?` | This help |
| `q` | Quit (every consensus is already saved) |
"""

Settle = Callable[[CellState, str | None, int | None], Settled]  # (state, typed, pick)

STUDY_WIDTH = 20  # a study's label ("Papageorgiou 2000"); the detail shows it whole
CELL_WIDTH = 44  # "inflammatory_lesions at 12 weeks, arm a1": the arm must stay in view
VALUE_WIDTH = 16  # narrower, the values are left out of the list: the detail shows them


class ConsensusScreen(Screen[None]):
    DEFAULT_CSS = """
    ConsensusScreen #bar { height: 1; background: $panel; padding: 0 1; }
    ConsensusScreen DataTable { height: 1fr; }
    ConsensusScreen #values { height: auto; max-height: 60%; padding: 0 1;
                              border-top: solid $panel; }
    ConsensusScreen #entry { display: none; }
    ConsensusScreen #status { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("j,down", "move(1)", "Move", key_display="j/k", id="next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="previous"),
        Binding("1", "pick(0)", "First's", id="first"),
        Binding("2", "pick(1)", "Second's", id="second"),
        Binding("3", "pick(2)", "Third's", show=False, id="third"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last consensus"),
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
        self.undoable: list[Settled] = []  # this session's consensus events, newest last

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        yield DataTable(cursor_type="row", id="cells")
        yield Static(id="values")
        yield Input(id="entry", placeholder="the agreed value; Enter saves, Escape cancels")
        yield Static(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.redraw()
        if self.rows:
            self.say("1/2 take a value · Enter types the agreed one · u undoes · ? help")

    def on_resize(self) -> None:
        self.redraw(self.query_one("#cells", DataTable).cursor_row)

    # -- drawing ---------------------------------------------------------------------------

    def redraw(self, row: int = 0, *, on: Cell | None = None) -> None:
        """The list again, the cursor on the row (or on the cell, when it is listed)."""
        self.rows = self.conflicts()
        listed = [state.cell for state in self.rows]
        row = listed.index(on) if on in listed else row
        sides = max((len(state.entered) for state in self.rows), default=2)
        rows = [
            [Text(self._study(state.cell)), Text(state.cell.label()),
             *(Text(f"{v.reviewer}: {_typed(v)}") for v in state.entered),
             *(Text() for _ in range(sides - len(state.entered)))]
            for state in self.rows
        ]  # fmt: skip
        names = ["Study", "Value", *(f"Extractor {i}" for i in range(1, sides + 1))]
        widths = self._widths(rows, sides)
        table = self.query_one("#cells", DataTable)
        fill_table(table, names, rows, widths)
        table.move_cursor(row=min(row, max(len(self.rows) - 1, 0)))
        left = len(self.rows)
        self.query_one("#bar", Static).update(
            f"Extraction consensus · {left} value{'s' if left != 1 else ''} to settle"
            if left
            else "Extraction consensus · nothing to settle: q quits"
        )
        self._show_values()

    def _widths(self, rows: list[list[Text]], sides: int) -> list[int]:
        """Study and cell first (they name the row), then the extractors' values side by side
        in what is left, or left out (0) when too little is: the detail under the table
        shows them whole."""
        natural = [max([len(name), *(r[i].cell_len for r in rows)])
                   for i, name in enumerate(("Study", "Value"))]  # fmt: skip
        study, cell = min(natural[0], STUDY_WIDTH), min(natural[1], CELL_WIDTH)
        room = self.size.width - 2 * (2 + sides) - 2  # each column's padding, the scrollbar
        each = (room - study - cell) // sides
        return [study, cell, *[each if each >= VALUE_WIDTH else 0] * sides]

    def _study(self, cell: Cell) -> str:
        return self.labels.get(cell.study_uuid, cell.study_uuid[:8])

    def _show_values(self) -> None:
        """Each extractor's value of the highlighted cell, whole and wrapped, with its note."""
        state = self.current()
        box = self.query_one("#values", Static)
        box.display = state is not None
        if state is None:
            return
        out = Text(f"{self._study(state.cell)} · {state.cell.label()}", style="bold")
        notes = {value.note for value in state.entered}
        shared = notes.pop() if len(notes) == 1 else None  # said once, not per extractor
        for i, value in enumerate(state.entered, start=1):
            out.append_text(Text.assemble("\n", (f"{i}. {value.reviewer}: ", "bold")))
            out.append(_typed(value))
            if value.note and not shared:
                out.append(f"\n   where: {value.note}", style="italic")
        if shared:
            out.append(f"\nwhere (the same for each): {shared}", style="italic")
        box.update(out)

    def say(self, message: str) -> None:
        self.query_one("#status", Static).update(message)

    def current(self) -> CellState | None:
        row = self.query_one("#cells", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # -- keys ------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_values()

    def action_move(self, step: int) -> None:
        table = self.query_one("#cells", DataTable)
        table.move_cursor(row=max(0, min(len(self.rows) - 1, table.cursor_row + step)))

    def action_pick(self, index: int) -> None:
        state = self.current()
        if state is None or self.editing is not None:
            return
        if index >= len(state.entered):
            self.say(f"there is no extractor {index + 1} on this value: nothing saved")
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
        self.say(f"the agreed {state.cell.label()}: Enter saves, Escape cancels")

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
            settled = self.settle(state, typed, pick)
        except (EntryError, MetasiftError) as e:
            self.say(f"not saved: {e}")
            return
        self.undoable.append(settled)
        value = _typed(state.entered[pick]) if pick is not None else (typed or "").strip()
        row = self.query_one("#cells", DataTable).cursor_row
        self._close()
        self.redraw(row)
        self.say(f"{self._study(state.cell)}: {settled.message}: {value} · u undoes")

    def _close(self) -> None:
        self.editing = None
        self.query_one("#entry", Input).display = False
        self.query_one("#cells", DataTable).focus()

    def action_undo(self) -> None:
        if self.editing is not None:
            return
        if not self.undoable:
            self.say("nothing of this session to undo")
            return
        undone = self.undoable.pop()
        undone.undo()
        self.redraw(on=undone.cell)
        self.say(f"undone: {self._study(undone.cell)}, {undone.cell.label()} is back to settle")

    def action_quit(self) -> None:
        self.app.exit()


def _typed(value: StoredValue) -> str:
    """A value as one would type it (a value no layout describes: its JSON)."""
    return shown(value) or json.dumps(value.value, ensure_ascii=False)
