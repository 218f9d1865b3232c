"""RobScreen: one reviewer's risk-of-bias form, a thin view over RobForm (keys call the core,
then redraw): the whole domain at a time, or one question at a time (`t`), the algorithm's
suggestion live, and a traffic-light grid of every study underneath (StudyGrid, in
rob_grid.py). The keys, the help page and the prompts are in rob_keys.py; how a question is
shown, in rob_question.py."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from db.errors import MetasiftError
from extraction.rob.assessment import WHOLE
from extraction.rob.consensus import CONFLICT, DomainState
from extraction.rob.form import Line, RobForm, judgement_example
from extraction.rob.instrument import Domain
from extraction.tui.fitted_table import fill_table
from extraction.tui.rob_grid import StudyGrid
from extraction.tui.rob_keys import ANSWER_KEYS, BINDINGS, HELP, PROMPTS
from extraction.tui.rob_question import (
    QuestionCard,
    answer_label,
    choices_text,
    detail_text,
    row_cells,
    table_columns,
)

NO_STUDY = "No study to assess yet: include a report at full text first. q quits."
NOTHING_TO_DO = "Nothing to assess yet, so that key does nothing: q quits."


class RobScreen(Screen[None]):
    DEFAULT_CSS = """
    RobScreen #bar { height: 1; background: $panel; padding: 0 1; }
    RobScreen #domain { height: auto; padding: 0 1; text-style: bold; }
    RobScreen DataTable { height: 2fr; min-height: 4; max-height: 12; }
    RobScreen #detail { height: auto; max-height: 7; padding: 0 1; color: $text-muted; }
    RobScreen #judgement { height: auto; padding: 0 1; border-top: solid $panel; }
    RobScreen #main { height: 1fr; overflow-y: auto; }
    RobScreen #foot { height: auto; }
    RobScreen #entry { display: none; }
    RobScreen #problem { height: auto; max-height: 4; padding: 0 1; color: $warning; }
    RobScreen #status { height: auto; max-height: 3; padding: 0 1; color: $text-muted;
                        border-top: solid $panel; }
    RobScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    RobScreen #card { display: none; }
    """
    BINDINGS = BINDINGS  # the answer keys are not in the footer: see rob_keys.py
    HELP = HELP

    def __init__(self, form: RobForm) -> None:
        super().__init__()
        self.form = form
        self.lines: list[Line] = []
        self.typing: tuple[str, str] | None = None  # (what, key) while the input is open
        self.one_at_a_time = False
        self.shown_domain: Domain | None = None  # the page's domain, as last drawn

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):  # what does not fit is scrolled, never the messages or keys
            yield Static(id="bar")
            yield Static(id="domain")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="lines")
            yield QuestionCard(id="card")
            yield Static(id="detail")
            yield Static(id="empty")
            yield Static(id="judgement")
            yield StudyGrid(id="grid")
        with Vertical(id="foot"):
            yield Input(id="entry")
            yield Static(id="problem")
            yield Static(id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        empty = not self.form.studies
        self.query_one("#lines").display = not empty
        self.query_one("#empty").display = empty
        self.query_one("#problem").display = False
        if empty:
            for part in ("#detail", "#judgement", "#grid"):
                self.query_one(part).display = False
            self.query_one("#empty", Static).update(NO_STUDY)
            self.query_one("#bar", Static).update("metasift · risk of bias · nothing to assess")
            return
        self.redraw(keep_row=0)
        self.say("answer: y Yes · n No · shift+y/shift+n Probably yes/no · i NI · a NA")

    def on_resize(self, event: events.Resize) -> None:
        if self.form.studies:  # the question column takes the width the others leave
            self._fill_table(None)

    def _has_study(self) -> bool:
        """Whether there is a study to work on; if not, says so (the key does nothing)."""
        if not self.form.studies:
            self.say(NOTHING_TO_DO, problem=True)
        return bool(self.form.studies)

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
        self.query_one("#grid", StudyGrid).show(form.instrument, form.grid(), form.at)

    def _fill_table(self, keep_row: int | None) -> None:
        table = self.query_one("#lines", DataTable)
        row = table.cursor_row if keep_row is None else keep_row
        table.clear(columns=True)
        self.shown_domain = self.form.domain()
        self.lines = self.form.lines()
        key_width = max([3, *(len(line.key) for line in self.lines)])
        columns = table_columns(self.app.size.width, key_width, self.shown_domain is None)
        rows = [row_cells(self.form.instrument, self.shown_domain, line)[: len(columns)]
                for line in self.lines]  # fmt: skip
        fill_table(table, [name for name, _ in columns], rows, [width for _, width in columns])
        table.styles.max_height = min(12, len(self.lines) + 1)  # no empty rows under the last
        if self.lines:
            table.move_cursor(row=min(max(row, 0), len(self.lines) - 1))
        self._show_detail()
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
        card.show(self.form.instrument, self.shown_domain, self.lines, table.cursor_row,
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

    def say(self, message: str, *, problem: bool = False) -> None:
        """A message on the status line, or a problem above it (shown until the next message)."""
        self.query_one("#problem" if problem else "#status", Static).update(message)
        self.query_one("#problem").display = problem

    # -- keys ------------------------------------------------------------------------------

    def _current(self) -> Line | None:
        if not self.lines:
            return None
        return self.lines[self.query_one("#lines", DataTable).cursor_row]

    def action_move(self, step: int) -> None:
        """To the next question that applies (skipped ones are passed over)."""
        if not self._has_study():
            return
        table = self.query_one("#lines", DataTable)
        row = table.cursor_row + step
        while 0 <= row < len(self.lines) and self.lines[row].applies is False:
            row += step
        if 0 <= row < len(self.lines):
            table.move_cursor(row=row)
        elif self.one_at_a_time and step > 0:
            self.say("the last question of this domain · ] goes to the next domain")

    def action_one_at_a_time(self) -> None:
        if self.typing is None and self._has_study():
            self.one_at_a_time = not self.one_at_a_time
            self.redraw()
            shown = "one question at a time" if self.one_at_a_time else "the whole domain"
            self.say(f"showing {shown} · t switches")

    def action_answer(self, key: str) -> None:
        if not self._has_study() or self.typing is not None:
            return
        line = self._current()
        if line is None:
            return
        was_done = self.form.assessment().done
        try:
            self.form.answer(line.key, ANSWER_KEYS[key])
        except MetasiftError as e:
            self.say(str(e), problem=True)
            return
        self.redraw()
        self._to_next_open(line.key)
        left = [x for x in self.lines if x.applies is not False and not x.answer]
        done = "" if left else " · every question that applies is answered: ] next domain"
        given = answer_label(self.form.instrument, ANSWER_KEYS[key])
        self.say(self._with_done_note(f"{line.key}: {given}{done}", was_done))

    def _with_done_note(self, said: str, was_done: bool) -> str:
        note = self.form.done_note(was_done)
        return f"{said} · {note}" if note else said

    def _to_next_open(self, after: str) -> None:
        keys = [line.key for line in self.lines]
        start = keys.index(after) + 1 if after in keys else 0
        for row in range(start, len(self.lines)):
            if self.lines[row].applies is not False and not self.lines[row].answer:
                self.query_one("#lines", DataTable).move_cursor(row=row)
                return
        self.action_move(1)

    def action_page(self, step: int) -> None:
        if self._has_study():
            self.form.page = (self.form.page + step) % len(self.form.pages())
            self.redraw(keep_row=0)

    def action_study(self, step: int) -> None:
        if self._has_study():
            self.form.at = (self.form.at + step) % len(self.form.studies)
            self.form.page = min(self.form.page, len(self.form.pages()) - 1)
            self.redraw(keep_row=0)

    def action_type(self, what: str, key: str = "") -> None:
        if not self._has_study():
            return
        line = self._current()
        domain = self.shown_domain
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
        prompt = self._prompt(what, key)
        entry.placeholder = prompt
        entry.display = True
        entry.focus()
        self.say(prompt)

    def _prompt(self, what: str, key: str) -> str:
        instrument = self.form.instrument
        if what == "support" and self.shown_domain is None:  # a preliminary item
            typed = choices_text(instrument, key) or "its text"
            return f"{key}: {typed}; Enter saves, Escape cancels"
        known = ", ".join(instrument.label(j) for j in instrument.judgements)
        return PROMPTS[what].format(key=key, known=known, example=judgement_example(instrument))

    @on(DataTable.RowHighlighted)
    def _row_shown(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.lines):
            self._show_detail(event.cursor_row)
            if self.one_at_a_time:
                self._show_card()

    def _show_detail(self, row: int | None = None) -> None:
        """The highlighted line whole under the table (the table cuts its cells)."""
        at = self.query_one("#lines", DataTable).cursor_row if row is None else row
        if 0 <= at < len(self.lines):
            shown = detail_text(
                self.form.instrument, self.shown_domain, self.lines[at], ANSWER_KEYS
            )
            self.query_one("#detail", Static).update(shown)

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_type("support")

    @on(Input.Submitted, "#entry")
    def _save(self, event: Input.Submitted) -> None:
        if self.typing is None:
            return
        what, key = self.typing
        was_done = self.form.assessment().done
        try:
            said = self._store(what, key, event.value)
        except MetasiftError as e:
            self.say(f"not saved: {e}", problem=True)
            return
        self._close_entry()
        self.redraw()
        self.say(self._with_done_note(said, was_done))

    def _store(self, what: str, key: str, text: str) -> str:
        if what == "support":
            self.form.note(key, support=text)
            if self.form.domain() is None:  # a choice typed in part is saved in full
                saved = self.form.assessment().preliminary.get(key)
                return f"{key}: saved as {saved}" if saved else f"{key}: cleared"
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
        if not self._has_study() or self.typing is not None:
            return
        try:
            done = self.form.toggle_done()
        except MetasiftError as e:
            self.say(str(e), problem=True)
            return
        self.redraw()
        self.say("marked done" if done else "reopened: not done")

    def action_undo(self) -> None:
        if self.typing is not None:
            return
        undone = self.form.undo()
        self.redraw()
        self.say("undone" if undone else "nothing of this session to undo")

    def action_quit(self) -> None:
        self.app.exit()
