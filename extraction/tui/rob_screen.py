"""RobScreen: one reviewer's risk-of-bias form, a thin view over RobForm (keys call the core,
then redraw): the whole domain at a time, or one question at a time (`t`), the algorithm's
suggestion live, and a traffic-light grid of every study underneath."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from db.errors import MetasiftError
from extraction.rob.assessment import WHOLE
from extraction.rob.consensus import CONFLICT, DomainState
from extraction.rob.form import Line, RobForm
from extraction.rob.plots import GLYPHS, PALETTES, level
from extraction.tui.rob_question import QuestionCard

ANSWER_KEYS = {"y": "Y", "Y": "PY", "N": "PN", "n": "N", "i": "NI", "a": "NA"}

HELP = """\
# Risk of bias

The whole domain at a time, or one question at a time (`t` switches): answer each signalling
question with a key; questions that do not apply given your earlier answers are skipped (NA).
The algorithm's suggested judgement is shown as you answer; `o` overrides it with a judgement
and why. Every entry is saved at once as an event of its own. With two reviewers, each sees
only their own answers until both mark the study done (`d`); then the other's judgements show,
and an adjudicator settles what differs with `metasift rob consensus`.

| key | does |
|---|---|
| `y` `Y` `N` `n` `i` `a` | Yes, Probably yes, Probably no, No, No information, Not applicable |
| `j` `k` or ↓ ↑ | Next / previous question (skipped ones are passed over) |
| `t` | One question at a time, or the whole domain |
| `s` or `Enter` | Support text for the answer (on Preliminary: the item's text) |
| `c` | Quote, as `PAGE \\| quoted text` |
| `]` `[` | Next / previous domain |
| `>` `<` | Next / previous study |
| `o` | Override the domain's judgement: `high: why` (empty withdraws it) |
| `O` | Override the overall judgement: `some: why` |
| `d` | Mark the study done (or reopen it) |
| `u` | Undo your last entry in this session |
| `q` | Quit (every entry is already saved) |
"""

COLUMNS = (("", 5), ("Question", 60), ("Answer", 12), ("Support", 16), ("Quote", 12))
PROMPTS = {
    "support": "support text for {key}: Enter saves, Escape cancels",
    "quote": "quote for {key} as PAGE | text: Enter saves, Escape cancels",
    "override": "{key} judgement and why (e.g. high: not concealed); empty withdraws",
}


class RobScreen(Screen[None]):
    DEFAULT_CSS = """
    RobScreen #bar { height: 1; background: $panel; padding: 0 1; }
    RobScreen #domain { height: auto; padding: 0 1; text-style: bold; }
    RobScreen DataTable { height: auto; max-height: 12; }
    RobScreen #detail { height: auto; max-height: 5; padding: 0 1; color: $text-muted; }
    RobScreen #judgement { height: auto; padding: 0 1; border-top: solid $panel; }
    RobScreen #entry { display: none; }
    RobScreen #problem { height: 1; padding: 0 1; color: $warning; }
    RobScreen #status { height: 1; padding: 0 1; color: $text-muted; }
    RobScreen #grid { height: 1fr; padding: 0 1; border-top: solid $panel; }
    RobScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    RobScreen #card { display: none; }
    """
    BINDINGS = [
        Binding("y", "answer('y')", "Yes", id="yes", tooltip="Answer Yes"),
        Binding("Y", "answer('Y')", "PY", id="probably_yes", tooltip="Answer Probably yes"),
        Binding("N", "answer('N')", "PN", id="probably_no", tooltip="Answer Probably no"),
        Binding("n", "answer('n')", "No", id="no", tooltip="Answer No"),
        Binding("i", "answer('i')", "NI", id="no_information", tooltip="No information"),
        Binding("a", "answer('a')", "NA", id="not_applicable", tooltip="Not applicable"),
        Binding("j,down", "move(1)", "Move", key_display="j/k", show=False, id="next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="previous"),
        Binding("s,enter", "type('support')", "Support", key_display="s", id="support"),
        Binding("c", "type('quote')", "Quote", id="quote", tooltip="Quote: PAGE | text"),
        Binding("right_square_bracket", "page(1)", "Domain", key_display="]/[", id="next_domain"),
        Binding("left_square_bracket", "page(-1)", "Prev domain", show=False, id="prev_domain"),
        Binding("greater_than_sign", "study(1)", "Study", key_display=">/<", id="next_study"),
        Binding("less_than_sign", "study(-1)", "Prev study", show=False, id="prev_study"),
        Binding("o", "type('override')", "Override", key_display="o/O", id="override",
                tooltip="The domain's judgement (O: the overall one): judgement: why"),
        Binding("O", "type('override', 'overall')", "Overall", show=False, id="overall"),
        Binding("t", "one_at_a_time", "One/all", id="one_at_a_time",
                tooltip="One question at a time, or the whole domain"),
        Binding("d", "done", "Done", id="done", tooltip="Mark the study done, or reopen it"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last entry"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Every entry is already saved"),
    ]  # fmt: skip
    HELP = HELP

    def __init__(self, form: RobForm) -> None:
        super().__init__()
        self.form = form
        self.lines: list[Line] = []
        self.typing: tuple[str, str] | None = None  # (what, key) while the input is open
        self.one_at_a_time = False

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        yield Static(id="domain")
        table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=True, id="lines")
        for name, width in COLUMNS:
            table.add_column(name, width=width)
        yield table
        yield QuestionCard(id="card")
        yield Static(id="detail")
        yield Static(id="empty")
        yield Static(id="judgement")
        yield Input(id="entry")
        yield Static(id="problem")
        yield Static(id="status")
        yield Static(id="grid")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        empty = not self.form.studies
        self.query_one("#lines").display = not empty
        self.query_one("#empty").display = empty
        if empty:
            self.query_one("#empty", Static).update(
                "No study to assess: no report is included at full text yet. q quits."
            )
            self.query_one("#bar", Static).update("metasift · risk of bias · nothing to assess")
            return
        self.redraw(keep_row=0)
        self.say("answer with y Y N n i a · s support · ] next domain · ? help")

    # -- drawing ---------------------------------------------------------------------------

    def redraw(self, keep_row: int | None = None) -> None:
        if not self.form.studies:
            return
        form = self.form
        assessment = form.assessment()
        state = "done ✓" if assessment.done else "in progress"
        result = f" · {form.result}" if form.result else ""
        bar = Text.assemble(("Risk of bias ", "bold"), f"· {form.instrument.name} · ",
                            f"{form.study.label} (study {form.at + 1} of {len(form.studies)})",
                            result, " · ", (form.reviewer, "bold"), f" · {state}")  # fmt: skip
        look = form.second_look()
        if look:
            bar.append(f"  ⚑ look again: {look}", "bold")
        bar.append(" · one question at a time" if self.one_at_a_time else "")
        self.query_one("#bar", Static).update(bar)
        pages = form.pages()
        domain = form.domain()
        title = domain.name if domain else "Preliminary considerations"
        if domain is not None and domain.variant:
            title += f" (effect of {domain.variant})"
        name = pages[form.page]
        self.query_one("#domain", Static).update(
            f"{name} · {title}   ({form.page + 1} of {len(pages)}: {' '.join(pages)})"
        )
        self._fill_table(keep_row)
        self.query_one("#judgement", Static).update(self._judgement_text())
        self.query_one("#grid", Static).update(self._grid_text())

    def _fill_table(self, keep_row: int | None) -> None:
        table = self.query_one("#lines", DataTable)
        row = table.cursor_row if keep_row is None else keep_row
        table.clear()
        self.lines = self.form.lines()
        for line in self.lines:
            skipped = line.applies is False
            style = "dim" if skipped else ""
            answer = "NA · skipped" if skipped else line.answer or "·"
            cells = [
                Text(line.key, style="bold " + style),
                Text(line.text, style=style),
                Text(answer, style=style),
                Text(line.support),
                Text(line.quote),
            ]
            for cell, (_, width) in zip(cells, COLUMNS, strict=True):
                cell.truncate(width, overflow="ellipsis")
            table.add_row(*cells)  # fmt: skip
        if self.lines:
            table.move_cursor(row=min(max(row, 0), len(self.lines) - 1))
        self._show_card()

    def _show_card(self) -> None:
        """The one-question view: the highlighted question, or the next one that applies."""
        card = self.query_one("#card", QuestionCard)
        table = self.query_one("#lines", DataTable)
        card.display = self.one_at_a_time and bool(self.form.studies)
        table.display = not card.display and bool(self.form.studies)
        self.query_one("#detail").display = not card.display
        if not card.display or not self.lines:
            return
        for step in (1, -1):  # a skipped question is never the one shown
            if self.lines[table.cursor_row].applies is False:
                self.action_move(step)
        card.show(self.form.instrument, self.form.domain(), self.lines, table.cursor_row,
                  ANSWER_KEYS)  # fmt: skip

    def _judgement_text(self) -> Text:
        form, assessment, domain = self.form, self.form.assessment(), self.form.domain()
        out = Text()
        if domain is not None:
            suggested = assessment.suggestion(domain)
            override = assessment.judgements.get(domain.id)
            if domain.algorithmic:
                shown = self._label(suggested) if suggested else "answer the questions"
                out.append(f"{domain.id} suggested: {shown}")
            else:
                out.append(f"{domain.id}: your judgement, not an algorithm's (o sets it)")
            if override:
                out.append(f" · set by you: {self._label(override['answer'])}", "bold")
                out.append(f" ({override['support'] or 'no justification'})")
            out.append("\n")
        overall = assessment.judgements.get(WHOLE)
        out.append(f"Overall: {self._label(assessment.overall())}", "bold")
        out.append(f" (set by you: {overall['support']})" if overall else " (the rule's)")
        states = form.states()
        if states:
            out.append("\n" + self._others_text(states, domain.id if domain else WHOLE))
        elif len(form.studies):
            out.append("  · others' answers hidden until both reviewers are done")
        return out

    def _others_text(self, states: dict[str, DomainState], domain_id: str) -> str:
        state = states.get(domain_id) or states[WHOLE]
        others = ", ".join(f"{who}: {self._label(j)}" for who, j in state.judgements.items())
        agreed = f" → {self._label(state.value)}" if state.value else ""
        settle = " (metasift rob consensus settles it)" if state.state == CONFLICT else ""
        return f"{state.domain}: {others} · {state.state}{agreed}{settle}"

    def _label(self, judgement: str | None) -> str:
        return self.form.instrument.label(judgement) if judgement else "not yet"

    def _grid_text(self) -> Text:
        instrument = self.form.instrument
        colours = PALETTES["cochrane"]
        ids = instrument.domain_ids()
        out = Text(f"{'Study':<24}" + "".join(f"{d:^5}" for d in ids) + " Overall\n", "bold")
        for i, (label, judged, whole) in enumerate(self.form.grid()):
            marker = "▸ " if i == self.form.at else "  "
            out.append(f"{marker}{label[:21]:<22}")
            for judgement in [*judged, whole]:
                if judgement is None:
                    out.append("  ·  ", "dim")
                    continue
                lvl = level(instrument, judgement)
                out.append(f" {GLYPHS[lvl] or ' ':^3} ", f"bold black on {colours[lvl]}")
            out.append("\n")
        return out

    def say(self, message: str, *, problem: bool = False) -> None:
        self.query_one("#problem" if problem else "#status", Static).update(message)
        if not problem:
            self.query_one("#problem", Static).update("")

    # -- keys ------------------------------------------------------------------------------

    def _current(self) -> Line | None:
        if not self.lines:
            return None
        return self.lines[self.query_one("#lines", DataTable).cursor_row]

    def action_move(self, step: int) -> None:
        """To the next question that applies (skipped ones are passed over)."""
        table = self.query_one("#lines", DataTable)
        row = table.cursor_row + step
        while 0 <= row < len(self.lines) and self.lines[row].applies is False:
            row += step
        if 0 <= row < len(self.lines):
            table.move_cursor(row=row)
        elif self.one_at_a_time and step > 0:
            self.say("the last question of this domain · ] goes to the next domain")

    def action_one_at_a_time(self) -> None:
        if self.typing is None and self.form.studies:
            self.one_at_a_time = not self.one_at_a_time
            self.redraw()
            shown = "one question at a time" if self.one_at_a_time else "the whole domain"
            self.say(f"showing {shown} · t switches")

    def action_answer(self, key: str) -> None:
        line = self._current()
        if line is None or self.typing is not None:
            return
        try:
            self.form.answer(line.key, ANSWER_KEYS[key])
        except MetasiftError as e:
            self.say(str(e), problem=True)
            return
        self.redraw()
        self._to_next_open(line.key)
        left = [x for x in self.lines if x.applies is not False and not x.answer]
        done = "" if left else " · every question that applies is answered: ] next domain"
        self.say(f"{line.key} = {ANSWER_KEYS[key]}{done}")

    def _to_next_open(self, after: str) -> None:
        keys = [line.key for line in self.lines]
        start = keys.index(after) + 1 if after in keys else 0
        for row in range(start, len(self.lines)):
            if self.lines[row].applies is not False and not self.lines[row].answer:
                self.query_one("#lines", DataTable).move_cursor(row=row)
                return
        self.action_move(1)

    def action_page(self, step: int) -> None:
        if self.form.studies:
            self.form.page = (self.form.page + step) % len(self.form.pages())
            self.redraw(keep_row=0)

    def action_study(self, step: int) -> None:
        if self.form.studies:
            self.form.at = (self.form.at + step) % len(self.form.studies)
            self.form.page = min(self.form.page, len(self.form.pages()) - 1)
            self.redraw(keep_row=0)

    def action_type(self, what: str, key: str = "") -> None:
        line = self._current()
        domain = self.form.domain()
        if what in ("support", "quote") and line is None:
            return
        if what == "override" and not key:
            key = domain.id if domain else WHOLE
        key = key or (line.key if line else "")
        self.typing = (what, key)
        entry = self.query_one("#entry", Input)
        entry.value = ""
        if what == "support" and line is not None:
            entry.value = line.support or (line.answer if domain is None else "")
        entry.placeholder = PROMPTS[what].format(key=key)
        entry.display = True
        entry.focus()
        self.say(PROMPTS[what].format(key=key))

    @on(DataTable.RowHighlighted)
    def _row_shown(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.lines):
            line = self.lines[event.cursor_row]
            shown = Text.assemble((f"{line.key} ", "bold"), line.text)
            for name, value in (("support", line.support), ("quote", line.quote)):
                if value:
                    shown.append(f"\n{name}: {value}")
            self.query_one("#detail", Static).update(shown)
            if self.one_at_a_time:
                self._show_card()

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_type("support")

    @on(Input.Submitted, "#entry")
    def _save(self, event: Input.Submitted) -> None:
        if self.typing is None:
            return
        what, key = self.typing
        try:
            said = self._store(what, key, event.value)
        except MetasiftError as e:
            self.say(f"not saved: {e}", problem=True)
            return
        self._close_entry()
        self.redraw()
        self.say(said)

    def _store(self, what: str, key: str, text: str) -> str:
        if what == "support":
            self.form.note(key, support=text)
            return f"{key}: saved"
        if what == "quote":
            self.form.note(key, quote=text)
            return f"{key}: quote saved"
        judgement = self.form.override(key, text)
        return f"{key}: set to {self._label(judgement)}" if judgement else f"{key}: withdrawn"

    def key_escape(self) -> None:
        if self.typing is not None:
            self._close_entry()
            self.say("cancelled: nothing saved")

    def _close_entry(self) -> None:
        self.typing = None
        self.query_one("#entry", Input).display = False
        self.query_one("#lines", DataTable).focus()

    def action_done(self) -> None:
        if self.form.studies:
            done = self.form.toggle_done()
            self.redraw()
            self.say("marked done" if done else "reopened: not done")

    def action_undo(self) -> None:
        undone = self.form.undo()
        self.redraw()
        self.say("undone" if undone else "nothing of this session to undo")

    def action_quit(self) -> None:
        self.app.exit()
