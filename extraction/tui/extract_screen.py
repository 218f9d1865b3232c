"""ExtractScreen: one reviewer extracting the included studies, a thin view over Worksheet
(keys call the core, then redraw)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from db.errors import MetasiftError
from extraction.cli.context import IncludedStudy
from extraction.values.entry_text import EntryError
from extraction.values.worksheet import Line, Worksheet

HELP = """\
# Extraction

One study at a time: its fields, its arms, then every outcome at every time point for every
arm. Move to a line and press Enter to type its value; the line under the input says at once
what is wrong with it, and Enter saves it (an event of its own: nothing is overwritten).

| key | does |
|---|---|
| `j` `k` or ↓ ↑ | Next / previous line |
| `Enter` | Type the line's value (Escape cancels; an empty value clears it) |
| `n` `p` | Next / previous study |
| `d` | Mark the study done (or reopen it): with two extractors, blinding lifts once both are done |
| `u` | Undo your last change in this session |
| `?` | This help |
| `q` | Quit (every value is already saved) |

How to type an outcome (names and numbers in any order):

    mean 31.2 sd 4.1 n 20              median 30 q1 28 q3 35 n 20
    mean 3.1 se 0.2 n 20 unit g/dL     median 30 min 12 max 61 n 12
    ci 30.1 34.7 n 25                  events 3/20
    change mean -1.2 sd 0.8 n 20       mean 12 sd 4 n 30 from "Smith 2019" (an imputed SD)
    ... note "Table 2"                 where in the paper

An arm: `label; type; n` (e.g. `BM-MSC; MSC; 20`). A choice: its name or number.
Values convert to the outcome's unit with the factor shown; a unit that cannot be converted
is refused.
"""


class ExtractScreen(Screen[None]):
    DEFAULT_CSS = """
    ExtractScreen #bar { height: 1; background: $panel; padding: 0 1; }
    ExtractScreen DataTable { height: 1fr; }
    ExtractScreen #entry { display: none; }
    ExtractScreen #problem { height: 1; padding: 0 1; color: $warning; }
    ExtractScreen #status { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    ExtractScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    """
    BINDINGS = [
        Binding("j,down", "move(1)", "Move", key_display="j/k", id="next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="previous"),
        Binding("enter", "edit", "Type", id="edit", tooltip="Type this line's value"),
        Binding("n", "study(1)", "Next study", id="next_study"),
        Binding("p", "study(-1)", "Previous study", id="previous_study"),
        Binding("d", "done", "Done", id="done", tooltip="Mark the study done, or reopen it"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last change"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Every value is already saved"),
    ]
    HELP = HELP

    def __init__(self, sheets: Sequence[tuple[IncludedStudy, Worksheet]], first: int = 0) -> None:
        super().__init__()
        self.sheets = list(sheets)
        self.at = first
        self.lines: list[Line] = []
        self.editing: Line | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=True, id="lines")
        table.add_columns("", "Item", "Value", "Pooling uses", "Where")
        yield table
        yield Static(id="empty")
        yield Input(id="entry", placeholder="type the value; Enter saves, Escape cancels")
        yield Static(id="problem")
        yield Static(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        empty = not self.sheets
        self.query_one("#lines").display = not empty
        self.query_one("#empty").display = empty
        if empty:
            self.query_one("#empty", Static).update(
                "No study to extract: no report is included at full text yet. q quits."
            )
        self.redraw()
        self.say("Enter types a value · n/p change study · d done · ? help")

    # -- drawing ---------------------------------------------------------------------------

    def redraw(self, keep_row: int | None = None) -> None:
        bar = self.query_one("#bar", Static)
        if not self.sheets:
            bar.update("metasift · extraction · nothing to extract")
            return
        study, sheet = self.sheets[self.at]
        done = "done ✓" if sheet.done else "in progress"
        look = sheet.second_look()
        flagged = ("  ⚑ dedup changed its reports: check (status line)", "bold $warning")
        bar.update(
            Text.assemble(
                ("Extraction ", "bold"),
                f"· {study.label} (study {self.at + 1} of {len(self.sheets)}) · ",
                (sheet.reviewer, "bold"),
                f" · {done}",
                flagged if study.flags or look else "",
            )
        )
        if study.flags or look:
            self.say("⚑ " + "; ".join((*study.flags, *([look] if look else []))))
        table = self.query_one("#lines", DataTable)
        table.clear()
        self.lines = sheet.lines()
        section = None
        for line in self.lines:
            head = _shortened(line.section) if line.section != section else ""
            section = line.section
            label = Text(line.label, style="dim" if not line.in_form else "")
            table.add_row(Text(head, style="bold"), label, line.shown, line.derived, line.note)
        if keep_row is not None:
            table.move_cursor(row=min(keep_row, len(self.lines) - 1))

    def say(self, message: str, *, problem: bool = False) -> None:
        self.query_one("#problem" if problem else "#status", Static).update(message)

    # -- keys ------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        table = self.query_one("#lines", DataTable)
        table.move_cursor(row=max(0, min(len(self.lines) - 1, table.cursor_row + step)))

    def action_study(self, step: int) -> None:
        if self.sheets:
            self.at = (self.at + step) % len(self.sheets)
            self.redraw(keep_row=0)

    def action_edit(self) -> None:
        if not self.lines:
            return
        line = self.lines[self.query_one("#lines", DataTable).cursor_row]
        self.editing = line
        entry = self.query_one("#entry", Input)
        entry.value = line.shown
        entry.display = True
        entry.focus()
        self.say(f"{line.section} · {line.label}: Enter saves, Escape cancels")

    @on(DataTable.RowHighlighted)
    def _row_shown(self, event: DataTable.RowHighlighted) -> None:
        if self.editing is None and 0 <= event.cursor_row < len(self.lines):
            line = self.lines[event.cursor_row]
            self.say(line.method or "Enter types a value · n/p change study · d done · ? help")

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_edit()

    @on(Input.Changed, "#entry")
    def _typed(self, event: Input.Changed) -> None:
        if self.editing is not None:
            sheet = self.sheets[self.at][1]
            self.say(sheet.check(self.editing.cell, event.value) or "", problem=True)

    @on(Input.Submitted, "#entry")
    def _save(self, event: Input.Submitted) -> None:
        if self.editing is None:
            return
        sheet = self.sheets[self.at][1]
        try:
            message = sheet.enter(self.editing.cell, event.value)
        except (EntryError, MetasiftError) as e:
            self.say(f"not saved: {e}", problem=True)
            return
        saved = self.editing.cell
        self._close_entry()
        self.redraw()
        # on to the line after the one just typed (a new arm moves "+ add an arm" down)
        cells = [line.cell for line in self.lines]
        after = cells.index(saved) + 1 if saved in cells else 0
        self.query_one("#lines", DataTable).move_cursor(row=min(after, len(cells) - 1))
        self.say(message)

    def key_escape(self) -> None:
        if self.editing is not None:
            self._close_entry()
            self.say("cancelled: nothing saved")

    def _close_entry(self) -> None:
        self.editing = None
        entry = self.query_one("#entry", Input)
        entry.display = False
        self.say("", problem=True)
        self.query_one("#lines", DataTable).focus()

    def action_done(self) -> None:
        if self.sheets:
            done = self.sheets[self.at][1].toggle_done()
            self.redraw(keep_row=self.query_one("#lines", DataTable).cursor_row)
            self.say("marked done" if done else "reopened: not done")

    def action_undo(self) -> None:
        if self.sheets:
            said = self.sheets[self.at][1].undo()
            self.redraw(keep_row=self.query_one("#lines", DataTable).cursor_row)
            self.say(said or "nothing of this session to undo")

    def action_quit(self) -> None:
        self.app.exit()


# An outcome's name can run to 80 characters ("Inflammatory lesions, % reduction from baseline
# (...)"): at its full width the section column pushed the values off a 120-column terminal
SECTION_WIDTH = 30


def _shortened(section: str) -> str:
    return section if len(section) <= SECTION_WIDTH else section[: SECTION_WIDTH - 1] + "…"
