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
from extraction.tui.fitted_table import fill_table
from extraction.values.cells import Cell
from extraction.values.entry_text import EntryError
from extraction.values.worksheet import Line, Worksheet

HELP = """\
# Extraction

One study at a time: its fields, its arms, then every outcome at every time point for every
arm. Move to a line and press Enter to type its value; the line under the input says at once
what is wrong with it, and Enter saves it (an event of its own: nothing is overwritten).
Under the list, the highlighted line is shown whole: its value, what pooling uses and how,
and where in the paper it comes from (the list cuts what does not fit).

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


class LineTable(DataTable[Text]):
    """The lines; the one under the cursor stays in view when the table shrinks (the entry
    box, a problem or a long detail opening under it)."""

    def on_resize(self) -> None:
        self.call_after_refresh(self.move_cursor, row=self.cursor_row)


class ExtractScreen(Screen[None]):
    DEFAULT_CSS = """
    ExtractScreen #bar { height: 1; background: $panel; padding: 0 1; }
    ExtractScreen DataTable { height: 1fr; }
    ExtractScreen #detail { height: auto; max-height: 50%; padding: 0 1;
                            border-top: solid $panel; }
    ExtractScreen #entry { display: none; }
    ExtractScreen #problem { display: none; height: auto; padding: 0 1; color: $warning; }
    ExtractScreen #status { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
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
        # the line the cursor was on when a key's message was said: the message stays until
        # the cursor leaves it (a redraw highlights the row again, which is not a move)
        self.said_at: Cell | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        yield LineTable(cursor_type="row", zebra_stripes=True, id="lines")
        yield Static(id="detail")
        yield Static(id="empty")
        yield Input(id="entry", placeholder="type the value; Enter saves, Escape cancels")
        yield Static(id="problem")
        yield Static(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        empty = not self.sheets
        for part in ("#lines", "#detail"):
            self.query_one(part).display = not empty
        self.query_one("#empty").display = empty
        if empty:
            self.query_one("#empty", Static).update(
                "No study to extract: no report is included at full text yet. q quits."
            )
        self.redraw()
        self.say(self._resting())

    def on_resize(self) -> None:
        if self.lines:  # the columns take the new width
            self.redraw(keep_row=self.query_one("#lines", DataTable).cursor_row)

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
        self.lines = sheet.lines()
        self._fill_table(keep_row)
        self._show_detail()

    def _fill_table(self, keep_row: int | None) -> None:
        """The lines, each column cut to a width that fits the screen (the value's first):
        what a column cuts, the detail under the table shows for the highlighted line."""
        table = self.query_one("#lines", DataTable)
        heads, section = [], None
        for line in self.lines:
            heads.append(_shortened(line.section) if line.section != section else "")
            section = line.section
        rows = [
            [Text(head, style="bold"), Text(line.label, style="" if line.in_form else "dim"),
             Text(line.shown), Text(line.derived), Text(line.note)]
            for head, line in zip(heads, self.lines, strict=True)
        ]  # fmt: skip
        natural = [
            max([len(name), *(cells[i].cell_len for cells in rows)])
            for i, name in enumerate(COLUMNS)
        ]
        widths = fit_widths(self.size.width, natural)
        fill_table(table, COLUMNS, rows, widths)
        if keep_row is not None and self.lines:
            table.move_cursor(row=min(keep_row, len(self.lines) - 1))

    def _show_detail(self) -> None:
        """The highlighted line whole: its section, item, value, what pooling uses and how,
        and where in the paper, wrapped to the screen's width."""
        row = self.query_one("#lines", DataTable).cursor_row
        if not 0 <= row < len(self.lines):
            self.query_one("#detail", Static).update("")
            return
        line = self.lines[row]
        out = Text.assemble((f"{line.section} · {line.label}", "bold"), "\n")
        if not line.in_form:
            out.append("no longer in the form; the value is kept\n", style="italic")
        out.append_text(Text.assemble(("Value ", "bold"), line.shown or "none yet: Enter types it"))
        if line.derived:
            how = f", {line.method}" if line.method else ""
            out.append_text(Text.assemble("\n", ("Pooling uses ", "bold"), line.derived + how))
        if line.note:
            out.append_text(Text.assemble("\n", ("Where ", "bold"), line.note))
        self.query_one("#detail", Static).update(out)

    def say(self, message: str, *, problem: bool = False) -> None:
        shown = self.query_one("#problem" if problem else "#status", Static)
        shown.update(message)
        if problem:  # no blank line while nothing is wrong
            shown.display = bool(message)

    def tell(self, message: str) -> None:
        """A key's message in the status line, kept until the cursor moves to another line."""
        self.say(message)
        self.said_at = self._cursor_cell()

    def _resting(self) -> str:
        """The status line when no key has just spoken: what dedup flagged on the study, or the
        keys."""
        if self.sheets:
            study, sheet = self.sheets[self.at]
            look = sheet.second_look()
            if study.flags or look:
                return "⚑ " + "; ".join((*study.flags, *([look] if look else [])))
        return "Enter types a value · n/p change study · d done · ? help"

    def _cursor_cell(self) -> Cell | None:
        row = self.query_one("#lines", DataTable).cursor_row
        return self.lines[row].cell if 0 <= row < len(self.lines) else None

    # -- keys ------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        table = self.query_one("#lines", DataTable)
        table.move_cursor(row=max(0, min(len(self.lines) - 1, table.cursor_row + step)))

    def action_study(self, step: int) -> None:
        if self.sheets:
            self.at = (self.at + step) % len(self.sheets)
            self.redraw(keep_row=0)
            self.said_at = None
            self.say(self._resting())

    def action_edit(self) -> None:
        if not self.lines:
            return
        line = self.lines[self.query_one("#lines", DataTable).cursor_row]
        self.editing = line
        entry = self.query_one("#entry", Input)
        entry.value = line.shown
        entry.display = True
        entry.focus()
        self.say(f"{line.label}: Enter saves, Escape cancels")

    @on(DataTable.RowHighlighted)
    def _row_shown(self) -> None:
        # the cursor as it is now, not the event's row: a redraw's highlights arrive after it
        self._show_detail()
        if self.editing is None and self._cursor_cell() != self.said_at:
            self.said_at = None
            self.say(self._resting())

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
        self.tell(message)

    def key_escape(self) -> None:
        if self.editing is not None:
            self._close_entry()
            self.tell("cancelled: nothing saved")

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
            self.tell("marked done" if done else "reopened: not done")

    def action_undo(self) -> None:
        if self.sheets:
            said = self.sheets[self.at][1].undo()
            self.redraw(keep_row=self.query_one("#lines", DataTable).cursor_row)
            self.tell(said or "nothing of this session to undo")

    def action_quit(self) -> None:
        self.app.exit()


# An outcome's name can run to 80 characters ("Inflammatory lesions, % reduction from baseline
# (...)"): at its full width the section column pushed the values off a 120-column terminal
SECTION_WIDTH = 30

COLUMNS = ("", "Item", "Value", "Pooling uses", "Where")
WHERE = COLUMNS.index("Where")
WHERE_WIDTH = 40  # a note can run to a paragraph: the detail under the table shows it whole
# Per column: the narrowest it gets, then the widths it grows to, tier by tier, in GROWTH
# order (never past its content). The value grows first, so a long note or item never
# pushes it off the screen; then the item, which tells the arms apart. A wide screen shows
# the other columns whole before the rest of a long value.
FLOORS = (8, 12, 16, 8, 5)
READABLE = (12, 16, 30, 20, 10)
ROOMY = (30, 34, 60, 40, 24)
GROWTH = (2, 1, 3, 0, 4)


def fit_widths(width: int, natural: Sequence[int]) -> list[int]:
    """Each column's width on a screen this wide, given its content's width (natural); 0
    leaves the Where column out when the others would not be readable beside it."""
    natural = [*natural[:WHERE], min(natural[WHERE], WHERE_WIDTH)]
    shown = list(range(len(COLUMNS)))
    if width - 2 * len(COLUMNS) - 2 < sum(READABLE):
        shown.remove(WHERE)
    room = width - 2 * len(shown) - 2  # each column's padding, and the scrollbar
    widths = [min(natural[i], FLOORS[i]) if i in shown else 0 for i in range(len(COLUMNS))]
    for limits in (READABLE, ROOMY, natural):
        for i in (i for i in GROWTH if i in shown):
            spare = room - sum(widths)
            widths[i] += max(0, min(spare, min(limits[i], natural[i]) - widths[i]))
    return widths


def _shortened(section: str) -> str:
    return section if len(section) <= SECTION_WIDTH else section[: SECTION_WIDTH - 1] + "…"
