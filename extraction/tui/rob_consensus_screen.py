"""RobConsensusScreen: an adjudicator settling the risk-of-bias domains two reviewers judged
differently, one at a time; a thin view over RobConsensus (keys call the core, then redraw).

Each reviewer's side is shown side by side: their judgement, whether it is the algorithm's or
their own with its justification, and per signalling question their answer, support text and
quote. The adjudicator takes one side's judgement, the one the agreed answers suggest, or
writes one, always with a justification; agreed answers can be recorded where the answers
differ, and the algorithm reads them at once."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from db.errors import MetasiftError
from extraction.rob.adjudication import Disagreement, QuestionRow, RobConsensus, Side
from extraction.rob.assessment import WHOLE
from extraction.rob.form import judgement_example, page_label
from extraction.tui.rob_keys import ANSWER_KEYS

HELP = """\
# Risk-of-bias consensus

Every domain (and overall judgement) two reviewers judged differently, on studies both have
marked done. Each reviewer's side is shown side by side: their judgement, their answers to
the signalling questions, and the support text and quote of the highlighted question.
Settle each with a judgement and a justification; the consensus is saved at once as an event
of its own, and is what `rob export`, `rob plot` and `analyse --exclude-high-risk` use. If a
reviewer later changes an answer in that domain, it comes back here.

| key | does |
|---|---|
| `1` `2` ... | Take the first, second ... reviewer's judgement (then Enter; edit the why) |
| `s` | Take the suggestion: the agreed answers' (overall: the rule's, from the agreed domains) |
| `e` or `Enter` | Write the agreed judgement: `high: why` (ROBINS-I: `critical: why`) |
| `y` `Y` `N` `n` `i` `a` | Agreed answer to the highlighted question (Yes ... Not applicable) |
| `x` | Clear the agreed answer to the highlighted question |
| `j` `k` or ↓ ↑ | Next / previous question |
| `]` `[` | Next / previous domain to settle |
| `u` | Undo your last entry in this session |
| `q` | Quit (every entry is already saved) |
"""

QUEUE_COLUMNS = (("Study", 24), ("Result", 12), ("Domain", 8), ("Judgements", 0))  # 0: the rest
ANSWER_WIDTH = 8  # a reviewer's answer column, and the agreed one
NOTHING = "nothing to settle: no judgements differ on studies every reviewer has finished"


class RobConsensusScreen(Screen[None]):
    DEFAULT_CSS = """
    RobConsensusScreen #bar { height: 1; background: $panel; padding: 0 1; }
    RobConsensusScreen #queue { height: auto; max-height: 6; }
    RobConsensusScreen #title { height: auto; padding: 0 1; text-style: bold;
                                border-top: solid $panel; }
    RobConsensusScreen #questions { height: auto; max-height: 11; }
    RobConsensusScreen #sides { height: auto; padding: 0 1; border-top: solid $panel; }
    RobConsensusScreen #suggested { height: auto; padding: 0 1; }
    RobConsensusScreen #entry { display: none; }
    RobConsensusScreen #problem { height: 1; padding: 0 1; color: $warning; }
    RobConsensusScreen #status { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    RobConsensusScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    """
    BINDINGS = [
        Binding("1", "take(0)", "Take a side", key_display="1/2", id="take_first",
                tooltip="Take the first reviewer's judgement"),
        Binding("2", "take(1)", "Take 2nd", show=False, id="take_second"),
        Binding("3", "take(2)", "Take 3rd", show=False, id="take_third"),
        Binding("s", "suggested", "Suggested", id="suggested",
                tooltip="Take the judgement the agreed answers suggest"),
        Binding("e", "write", "Write", id="write", tooltip="Write the agreed judgement: high: why"),
        Binding("y", "answer('y')", "Answer", key_display="yYNnia", id="yes",
                tooltip="Agreed answer: y Yes, Y probably yes, N probably no, n No, i NI, a NA"),
        Binding("Y", "answer('Y')", "PY", show=False, id="probably_yes"),
        Binding("N", "answer('N')", "PN", show=False, id="probably_no"),
        Binding("n", "answer('n')", "No", show=False, id="no"),
        Binding("i", "answer('i')", "NI", show=False, id="no_information"),
        Binding("a", "answer('a')", "NA", show=False, id="not_applicable"),
        Binding("x", "answer('')", "Clear", show=False, id="clear"),
        Binding("j,down", "move(1)", "Question", show=False, id="next"),
        Binding("k,up", "move(-1)", "Previous question", show=False, id="previous"),
        Binding("right_square_bracket", "next(1)", "Next", key_display="]/[", id="next_domain",
                tooltip="Next domain to settle"),
        Binding("left_square_bracket", "next(-1)", "Previous", show=False, id="prev_domain"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last entry"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Every entry is already saved"),
    ]  # fmt: skip
    HELP = HELP

    def __init__(self, adjudication: RobConsensus) -> None:
        super().__init__()
        self.adjudication = adjudication
        self.items: list[Disagreement] = []
        self.at = 0
        self.rows: list[QuestionRow] = []
        self.typing = False

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        queue: DataTable[Text | str] = DataTable(cursor_type="row", id="queue")
        queue.can_focus = False  # ] and [ move it; the questions keep the focus
        yield queue
        yield Static(id="title")
        questions: DataTable[Text | str] = DataTable(cursor_type="row", id="questions")
        yield questions
        yield Static(id="sides")
        yield Static(id="suggested")
        yield Static(id="empty")
        yield Input(id="entry", select_on_focus=False)
        yield Static(id="problem")
        yield Static(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.redraw()
        if self.items:  # a tip the first time; the footer and ? keep the keys
            self.say("1/2 take a side · s the suggestion · e write · y Y N n i a agree an answer")

    def on_resize(self) -> None:
        if self.items and not self.typing:  # the columns take the new width
            self.redraw(keep_row=self.query_one("#questions", DataTable).cursor_row)

    # -- drawing ---------------------------------------------------------------------------

    def current(self) -> Disagreement | None:
        return self.items[self.at] if 0 <= self.at < len(self.items) else None

    def redraw(self, keep_row: int = 0) -> None:
        had = bool(self.items)
        self.items = self.adjudication.disagreements()
        self.at = min(self.at, max(len(self.items) - 1, 0))
        if had != bool(self.items):
            self.refresh_bindings()  # check_action's answer changed
        shown = self.current()
        for part in ("#queue", "#title", "#questions", "#sides", "#suggested"):
            self.query_one(part).display = shown is not None
        self.query_one("#empty").display = shown is None
        self.query_one("#bar", Static).update(self._bar_text())
        if shown is None:
            self.query_one("#empty", Static).update(self._empty_text())
            return
        self._fill_queue()
        self.query_one("#title", Static).update(self._title_text(shown))
        self._fill_questions(shown, keep_row)
        self.query_one("#suggested", Static).update(self._suggested_text(shown))
        self._show_sides()

    def _bar_text(self) -> Text:
        a, left = self.adjudication, len(self.items)
        said = f"{left} to settle" if left else "nothing to settle"
        blind = len(a.waiting())
        said += f" · {blind} blinded (not finished by all)" if blind else ""
        return Text.assemble(("Risk-of-bias consensus ", "bold"),
                             f"· {a.instrument.name} · ", (a.adjudicator, "bold"),
                             f" · {said}")  # fmt: skip

    def _empty_text(self) -> str:
        lines = [NOTHING]
        for label, done in self.adjudication.waiting():
            finished = ", ".join(done) if done else "nobody"
            lines.append(f"{label}: blinded, finished by {finished}")
        return "\n".join(lines + ["q quits"])

    def _rest(self, used: int, columns: int) -> int:
        """The width left for the widest column: the screen's less the others and padding."""
        return max(16, self.size.width - used - 2 * columns - 2)

    def _fill_queue(self) -> None:
        queue = self.query_one("#queue", DataTable)
        queue.clear(columns=True)
        fixed = sum(width for _, width in QUEUE_COLUMNS)
        widths = [width or self._rest(fixed, len(QUEUE_COLUMNS)) for _, width in QUEUE_COLUMNS]
        for (name, _), width in zip(QUEUE_COLUMNS, widths, strict=True):
            queue.add_column(name, width=width)
        for d in self.items:
            judged = "   ".join(f"{i}. {s.reviewer}: {self._label(s.judgement)}"
                               for i, s in enumerate(d.sides, start=1))  # fmt: skip
            domain = "Overall" if d.domain is None else d.state.domain
            cells = [Text(d.label), Text(d.state.result), Text(domain), Text(judged)]
            for cell, width in zip(cells, widths, strict=True):
                cell.truncate(width, overflow="ellipsis")
            queue.add_row(*cells)
        queue.move_cursor(row=self.at)

    def _title_text(self, d: Disagreement) -> Text:
        name = "Overall judgement" if d.domain is None else f"{d.domain.id} · {d.domain.name}"
        if d.domain is not None and d.domain.variant:
            name += f" (effect of {d.domain.variant})"
        result = f" ({d.state.result})" if d.state.result else ""
        out = Text.assemble(name, " · ", (d.label + result, "italic"),
                            f"   ({self.at + 1} of {len(self.items)})")  # fmt: skip
        if d.variants_differ:
            out.append("\n⚑ the reviewers assessed different variants of this domain", "bold")
        return out

    def _fill_questions(self, d: Disagreement, keep_row: int) -> None:
        table = self.query_one("#questions", DataTable)
        table.clear(columns=True)
        wide = self._rest(4 + ANSWER_WIDTH * (len(d.sides) + 1), len(d.sides) + 3)
        table.add_column("", width=4)
        table.add_column("Question", width=wide)
        for side in d.sides:
            table.add_column(side.reviewer[:ANSWER_WIDTH], width=ANSWER_WIDTH)
        table.add_column("Agreed", width=ANSWER_WIDTH)
        self.rows = self.adjudication.questions(d)
        for row in self.rows:
            style = "dim" if row.applies is False else ""
            mark = "≠ " if row.differs else ""
            cells = [Text(row.key, style="bold " + style), Text(row.text, style=style)]
            cells[1].truncate(wide, overflow="ellipsis")
            cells += [Text(a or "·", style=style) for a in row.answers]
            agreed = (row.agreed or "·") + (" ✎" if row.by_adjudicator else "")
            cells.append(Text(mark + agreed, style="bold" if row.differs else style))
            table.add_row(*cells)
        table.display = bool(self.rows)
        if self.rows:
            table.move_cursor(row=min(keep_row, len(self.rows) - 1))
        table.focus()

    def _suggested_text(self, d: Disagreement) -> Text:
        suggestion = self.adjudication.suggestion(d)
        if d.domain is None:
            words = "Overall by the rule, from the agreed domains: "
            wanting = "settle every domain first"
        elif d.domain.algorithmic:
            words, wanting = "The agreed answers suggest: ", "agree the answers that differ (≠)"
        else:
            return Text("No algorithm for this domain: take a side (1/2) or write one (e)")
        shown = self._label(suggestion) if suggestion else wanting
        return Text.assemble(words, (shown, "bold"), "  · s takes it" if suggestion else "")

    def _show_sides(self) -> None:
        d = self.current()
        if d is None:
            return
        row = self._row()
        grid = Table.grid(expand=True, padding=(0, 2))
        for _ in d.sides:
            grid.add_column(ratio=1)
        source = "the rule's" if d.domain is None else "the algorithm's"
        grid.add_row(*(self._side_text(i, side, row, source)
                       for i, side in enumerate(d.sides, 1)))  # fmt: skip
        self.query_one("#sides", Static).update(Group(grid))

    def _side_text(self, number: int, side: Side, row: QuestionRow | None, source: str) -> Text:
        out = Text.assemble((f"{number}. {side.reviewer}: ", "bold"),
                            (self._label(side.judgement), "bold"))  # fmt: skip
        if side.justification:
            out.append(f" (set by them: {side.justification})")
        elif side.suggestion:
            out.append(f" ({source})")
        if row is None:
            return out
        given = side.answers.get(row.key) or {}
        answer = "NA · skipped" if row.key in side.skipped else given.get("answer") or "·"
        out.append(f"\n{row.key} = {answer}")
        if given.get("support"):
            out.append(f"\nsupport: {given['support']}")
        if given.get("quote"):
            page = f"{page_label(given['page'])}: " if given.get("page") else ""
            out.append(f"\nquote: {page}“{given['quote']}”")
        return out

    def _label(self, judgement: str | None) -> str:
        return self.adjudication.instrument.label(judgement) if judgement else "not yet"

    def say(self, message: str, *, problem: bool = False) -> None:
        self.query_one("#problem" if problem else "#status", Static).update(message)
        if not problem:
            self.query_one("#problem", Static).update("")

    # -- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """With nothing to settle, the footer keeps only what still does something."""
        return bool(self.items) or action in ("undo", "quit", "help")

    def _row(self) -> QuestionRow | None:
        if not self.rows:
            return None
        return self.rows[self.query_one("#questions", DataTable).cursor_row]

    @on(DataTable.RowHighlighted, "#questions")
    def _highlighted(self) -> None:
        self._show_sides()

    @on(DataTable.RowSelected, "#questions")
    def _selected(self) -> None:
        self.action_write()

    def action_move(self, step: int) -> None:
        table = self.query_one("#questions", DataTable)
        if self.rows:
            table.move_cursor(row=max(0, min(len(self.rows) - 1, table.cursor_row + step)))

    def action_next(self, step: int) -> None:
        if self.items and not self.typing:
            self.at = (self.at + step) % len(self.items)
            self.redraw()

    def action_answer(self, key: str) -> None:
        d, row = self.current(), self._row()
        if d is None or row is None or self.typing:
            return
        given = ANSWER_KEYS[key] if key else None
        try:
            self.adjudication.answer(d, row.key, given)
        except MetasiftError as e:
            self.say(str(e), problem=True)
            return
        self.redraw(keep_row=self.query_one("#questions", DataTable).cursor_row)
        self.say(f"{row.key}: agreed {given}" if given else f"{row.key}: agreed answer cleared")

    def action_take(self, index: int) -> None:
        d = self.current()
        if d is None or index >= len(d.sides) or self.typing:
            return
        side = d.sides[index]
        if side.judgement is None:
            self.say(f"{side.reviewer} has no judgement here", problem=True)
            return
        self._open(f"{side.judgement}: as {side.reviewer}")

    def action_suggested(self) -> None:
        d = self.current()
        if d is None or self.typing:
            return
        suggestion = self.adjudication.suggestion(d)
        if suggestion is None:
            self.say("no suggestion yet: " + self._suggested_text(d).plain, problem=True)
            return
        source = "the agreed answers" if d.domain else "the rule, from the agreed domains"
        self._open(f"{suggestion}: by {source}")

    def action_write(self) -> None:
        if self.current() is not None and not self.typing:
            self._open("")

    def _open(self, text: str) -> None:
        d = self.current()
        assert d is not None
        self.typing = True
        entry = self.query_one("#entry", Input)
        entry.value = text
        what = "the overall judgement" if d.state.domain == WHOLE else d.state.domain
        example = judgement_example(self.adjudication.instrument).removesuffix("why")
        entry.placeholder = f"agreed {what}: judgement and why (e.g. {example}1.2 is N, p. 4)"
        entry.display = True
        entry.focus()
        entry.cursor_position = len(text)
        self.say(f"agreed {what}: judgement and why · Enter saves, Escape cancels")

    @on(Input.Submitted, "#entry")
    def _save(self, event: Input.Submitted) -> None:
        d = self.current()
        if d is None or not self.typing:
            return
        try:
            judgement = self.adjudication.settle(d, event.value)
        except MetasiftError as e:
            self.say(f"not saved: {e}", problem=True)
            return
        self._close()
        self.redraw()
        where = "overall" if d.state.domain == WHOLE else d.state.domain
        self.say(f"{d.label} {where}: consensus {self._label(judgement)}")

    def key_escape(self) -> None:
        if self.typing:
            self._close()
            self.say("cancelled: nothing saved")

    def _close(self) -> None:
        self.typing = False
        self.query_one("#entry", Input).display = False
        self.query_one("#questions", DataTable).focus()

    def action_undo(self) -> None:
        if self.typing:
            return
        undone = self.adjudication.undo()
        self.redraw(keep_row=self.query_one("#questions", DataTable).cursor_row)
        self.say("undone" if undone else "nothing of this session to undo")

    def action_quit(self) -> None:
        self.app.exit()
