"""ScreeningScreen: a thin view over ScreeningSession; keys call the core, then redraw."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from extraction.studies.opening import open_location
from screening.decisions.session import ScreeningSession
from screening.tui.app import collect_later
from screening.tui.bulk_decision import decide_in_bulk
from screening.tui.commands import ScreenCommands, binding_commands
from screening.tui.escaping import safe
from screening.tui.modals import ConfirmModal, PickerModal, ReasonModal, TextModal
from screening.tui.ranking_order import ScreenRanking
from screening.tui.screening_help import HELP, SEARCH_HINT
from screening.tui.screening_text import (
    FILTER_LABELS,
    PALETTE_TITLES,
    STAGE_LABELS,
    annotated,
    empty_message,
    progress_text,
    records,
    unsaved_text,
)
from screening.tui.widgets.key_footer import KeyFooter
from screening.tui.widgets.reason_picker import MAX_KEYED, ReasonPicker
from screening.tui.widgets.record_card import VERDICT_LOOK, RecordCard
from screening.tui.widgets.status_line import FAILED, StatusLine
from screening.tui.widgets.stopping_panel import StoppingPanel

PREPARE_AFTER = 0.03  # seconds after a record is drawn: reading time, not the key's


class ScreeningScreen(Screen[None]):
    DEFAULT_CSS = """
    ScreeningScreen { layers: base overlay; }
    ScreeningScreen #bar { height: 1; background: $panel; color: $text; padding: 0 1; }
    ScreeningScreen #progress { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("i", "decide('include')", "Include", id="include", tooltip="Include this record"),
        Binding("e", "exclude", "Exclude", id="exclude", tooltip="Exclude, with a reason"),
        Binding("m", "decide('maybe')", "Maybe", id="maybe", tooltip="Unsure: decide later"),
        Binding(
            "r",
            "decide('not-retrieved')",
            "Not retrieved",
            id="not_retrieved",
            tooltip="The full text could not be obtained (not an exclusion)",
        ),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last decision, note or tags"),
        Binding("n", "note", "Note", id="note", tooltip="Write a note on this record"),
        Binding("t", "tag", "Tag", id="tag", tooltip="Tag this record"),
        Binding(
            "j,down,right", "move(1)", "Move", key_display="j/k", id="next", tooltip="Next record"
        ),
        Binding(
            "k,up,left",
            "move(-1)",
            "Previous",
            id="previous",
            show=False,
            tooltip="Previous record",
        ),
        Binding("g", "next_undecided", "Undecided", id="next_undecided", tooltip="Next undecided"),
        Binding("slash", "search", "Search", id="search", tooltip="Search the records"),
        Binding("f", "filter", "Filter", id="filter", tooltip="Show only some records"),
        # shown in help and the palette; the footer keeps room for the keys used on every record
        Binding(
            "b", "bulk", "Bulk", id="bulk", tooltip="Decide every record in the list", show=False
        ),
        Binding(
            "h",
            "toggle_highlight",
            "Highlight",
            id="highlight",
            tooltip="PICOS keywords",
            show=False,
        ),
        Binding(
            "o", "open_full_text", "Open", id="open", tooltip="Open the PDF or link", show=False
        ),
        Binding("s", "order", "Order", id="order", tooltip="Switch the order", show=False),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("pagedown,space", "scroll(1)", "Scroll down", id="page_down", show=False),
        Binding("pageup", "scroll(-1)", "Scroll up", id="page_up", show=False),
        Binding("escape", "escape", "Cancel or clear the filter", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(10)),
    ]
    COMMANDS = {ScreenCommands}
    HELP = HELP
    # when not every key fits (80 columns), these leave the footer first, in this order: help
    # and the palette still list them, and the status line offers u after every decision
    FOOTER_DROPS = ("move(1)", "tag", "note", "next_undecided", "undo")

    def __init__(self, session: ScreeningSession, ranking: bool = False) -> None:
        super().__init__()
        self.session = session
        self.status_line = StatusLine(id="status")
        self.stopping = StoppingPanel.for_session(session)  # guidance, computed off this thread
        self._prefetch: Timer | None = None
        self.ranking = ScreenRanking(session) if ranking else None

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        yield Static(id="progress")
        yield self.stopping
        yield RecordCard(self.session.highlighter, id="card")
        yield ReasonPicker(id="reasons")
        yield self.status_line
        yield KeyFooter(drop_first=self.FOOTER_DROPS)

    def on_mount(self) -> None:
        self.show_record()
        self.status_line.say("? help · Ctrl+P every action by name")
        if self.ranking is not None:  # new rankings reorder what follows the record shown
            self.ranking.mount(self, self._reordered)

    def on_unmount(self) -> None:
        collect_later(False)
        if self.ranking is not None:
            self.ranking.close()  # its worker process ends with the screen

    # -- drawing ---------------------------------------------------------------------------

    def show_record(self) -> None:
        """Draw the current record, the header and the counts."""
        s = self.session
        self.query_one(ReasonPicker).close()  # any other key abandons a pending exclusion
        self.query_one(RecordCard).show(s.current(), empty=empty_message(s))
        self._draw_header()
        self.stopping.follow(s)
        if self._prefetch is not None:
            self._prefetch.stop()
        self._draws(True)
        self._prefetch = self.set_timer(PREPARE_AFTER, self._prepare_upcoming)

    def _draw_header(self) -> None:
        s = self.session
        # one numbering everywhere: #N is the record's id (as `metasift records` and the
        # exports print it); the position in the list is only "k of n"
        rid = s.current_id
        position = f"#{rid} · {s.index + 1:,} of {len(s.view):,}" if rid else "no records"
        bar = Text(f"{STAGE_LABELS[s.stage]} · {s.reviewer} · {position}", "bold")
        if s.filter.active:
            bar.append(f" · filter: {s.filter.describe()} ({len(s.view):,} of {len(s.pool):,})")
        if self.ranking is not None:
            bar.append(f" · {self.ranking.label()} (s)")
        bar.append(f" · {s.protocol.title}", "dim")
        # one-line widgets keep their size: layout=False spares a layout pass per key
        self.query_one("#bar", Static).update(safe(bar), layout=False)
        compact = self.size.width < 100
        self.query_one("#progress", Static).update(progress_text(s.counts(), compact), layout=False)

    def on_resize(self) -> None:
        self._draw_header()  # the counts shorten to symbols below 100 columns
        self.stopping.fit()  # and the stopping guidance to its first line below 32 rows

    def _draws(self, drawing: bool) -> None:
        """From a decision's key (or any redraw) until the next record is prepared, garbage
        collection waits (collect_later) and the ranking keeps out of the way
        (ScreenRanking.pause)."""
        collect_later(drawing)
        if self.ranking is not None:
            self.ranking.pause(drawing)

    def _prepare_upcoming(self) -> None:
        """While the reviewer reads, build the record the next decision will show. The
        ranking first: take the answer already waiting and send this decision, so the worker
        retrains now, in the reading time, not whenever the next poll comes round (when the
        poll sent, a retrain ran beside 1 redraw in 12 and 1 in 4 of the slowest tenth)."""
        self._draws(False)
        if self.ranking is not None:
            if self.ranking.poll():
                self._draw_header()
            self.ranking.send()
        upcoming = self.session.upcoming()
        if upcoming is not None and upcoming != self.session.current_id:
            self.query_one(RecordCard).prepare(self.session.record(upcoming))

    # -- deciding --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":  # the session knows which verdicts its stage allows
            return parameters[0] in self.session.verdicts
        if action == "open_full_text":
            return self.session.stage == "full-text"
        if action == "order":
            return self.ranking is not None
        if action == "pick":
            return self.query_one(ReasonPicker).is_open
        return True

    def action_decide(self, verdict: str, reason: str | None = None) -> None:
        shown = self.session.current_id
        self._draws(True)  # from the key on: the commit, then the next record's drawing
        event = self.status_line.attempt(lambda: self.session.decide(verdict, reason))
        if event is FAILED:
            self._draws(False)
            return
        label = VERDICT_LOOK[verdict][0] + (f": {reason}" if reason else "")
        self.status_line.say(self.session.pilot_done(shown) or f"{label} #{shown} · u undoes")
        self.show_record()

    def action_exclude(self) -> None:
        s = self.session
        reasons = s.protocol.exclusion_reasons
        if s.current_id is None:
            self.status_line.say("No record here to exclude", error=True)
        elif not reasons:
            self.action_decide("exclude")
        elif len(reasons) > MAX_KEYED:  # more than the number keys reach: a scrolling list
            self.app.push_screen(ReasonModal(reasons, required=s.reason_required), self._chosen)
        else:
            self.query_one(ReasonPicker).open(reasons, s.reason_required)
            self.status_line.say("Exclude: pick a reason")

    def action_pick(self, number: int) -> None:
        reason = self.query_one(ReasonPicker).reason(number)
        if reason is None:
            self.status_line.say(f"{number} is not a reason here", error=True)
        else:
            self._chosen(reason)

    def _chosen(self, reason: str | None) -> None:
        if reason is None:
            self.status_line.say("Exclusion cancelled")
        else:
            self.action_decide("exclude", reason or None)

    def action_escape(self) -> None:
        picker = self.query_one(ReasonPicker)
        if picker.is_open:
            picker.close()
            self.status_line.say("Exclusion cancelled")
        else:
            self.action_clear_filter()

    def action_undo(self) -> None:
        undone = self.status_line.attempt(self.session.undo)
        if undone is FAILED:
            return
        if not undone:
            self.status_line.say("Nothing to undo at this stage")
        elif len(undone) == 1:
            rid = undone[0].record_id
            said = f"Undone: {self.session.undone_part(undone[0])} on #{rid}"
            if rid in self.session.unsaved():  # the undone decision carried a note or tags
                said += " · its note and tags wait for your next decision"
            self.status_line.say(said)
        else:
            self.status_line.say(f"Undone: the bulk {undone[0].verdict} of {records(len(undone))}")
        self.show_record()

    def action_note(self) -> None:
        view = self.session.current()
        if view is None:
            self._say_empty()
            return

        def save(text: str | None) -> None:
            if text is None:
                return
            written = self.status_line.attempt(lambda: self.session.set_note(text))
            if written is not FAILED:
                self.status_line.say(annotated("Note", not text.strip(), written, view.id))
                self.show_record()

        self.app.push_screen(TextModal("Note on this record", view.note or ""), save)

    def action_tag(self) -> None:
        view = self.session.current()
        if view is None:
            self._say_empty()
            return
        used = self.session.tags()
        hint = "Comma-separated. " + (f"Your tags: {', '.join(used)}" if used else "No tags yet.")

        def save(text: str | None) -> None:
            if text is None:
                return
            written = self.status_line.attempt(lambda: self.session.set_tags(text.split(",")))
            if written is not FAILED:
                self.status_line.say(annotated("Tags", not text.strip(" ,"), written, view.id))
                self.show_record()

        modal = TextModal("Tags for this record", ", ".join(view.tags), hint=hint)
        self.app.push_screen(modal, save)

    # -- moving ----------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if self.session.current_id is None:
            self._say_empty()
        elif self.session.move(delta):
            self.show_record()
        else:
            self.status_line.say("First record" if delta < 0 else "Last record")

    def _say_empty(self) -> None:
        self.status_line.say(empty_message(self.session), error=True)

    def action_next_undecided(self) -> None:
        if self.session.current_id is None:
            self._say_empty()
        elif self.session.next_undecided():
            self.show_record()
        else:
            self.status_line.say("Every record in this list has your decision")

    def action_scroll(self, pages: int) -> None:
        card = self.query_one(RecordCard)
        (card.scroll_page_down if pages > 0 else card.scroll_page_up)(animate=False)

    def action_toggle_highlight(self) -> None:
        card = self.query_one(RecordCard)
        card.highlight = not card.highlight
        self.status_line.say(f"PICOS highlighting {'on' if card.highlight else 'off'}")
        self.show_record()

    def action_open_full_text(self) -> None:
        view = self.session.current()
        if view is None or not view.full_text:
            self.status_line.say("No PDF or link known for this record", error=True)
            return
        target = view.full_text[0]  # an attached PDF (an absolute path) or link first
        if self.status_line.attempt(lambda: open_location(target)) is not FAILED:
            self.status_line.say(f"Opening {target}")

    def action_order(self) -> None:
        if self.ranking is not None:
            self.status_line.say(f"Order: {self.ranking.next_order()}")
            self._reordered()

    def _reordered(self) -> None:
        self._draw_header()
        self._prepare_upcoming()

    def action_quit(self) -> None:
        """Decisions are saved as they are made; a note or tags on an undecided record wait
        for its decision, so quitting asks first rather than lose them silently."""
        unsaved = self.session.unsaved()
        if not unsaved:
            self.app.exit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.app.exit()
            else:
                self.status_line.say("Not quit: a decision on a record saves its note and tags")

        self.app.push_screen(ConfirmModal("Quit?", unsaved_text(unsaved)), answered)

    # -- filters, search and bulk ----------------------------------------------------------

    def action_search(self) -> None:
        def search(text: str | None) -> None:
            if text is None:
                return
            n = self.status_line.attempt(lambda: self.session.set_filter(query=text))
            if n is not FAILED:
                self.status_line.say(
                    f"{records(n)} match{'es' if n == 1 else ''}" if text else "Search cleared"
                )
                self.show_record()

        modal = TextModal("Search", self.session.filter.query, hint=SEARCH_HINT)
        self.app.push_screen(modal, search)

    def action_filter(self) -> None:
        counts = self.session.counts()
        shown = {"undecided": counts.undecided, **counts.verdicts}
        options = [
            (status, FILTER_LABELS[status] + (f" ({shown[status]:,})" if status in shown else ""))
            for status in self.session.statuses
        ]
        options += [("tag", "By tag…"), ("clear", "Clear search and filters")]
        self.app.push_screen(PickerModal("Show", options), self._filter_chosen)

    def _filter_chosen(self, choice: str | None) -> None:
        if choice is None:
            return
        if choice == "clear":
            self.action_clear_filter()
        elif choice == "tag":
            tags = self.session.tags()
            if not tags:
                self.status_line.say("You have not tagged any record yet (t tags one)")
                return
            modal = PickerModal("Show records tagged", [(t, t) for t in tags])

            def picked(tag: str | None) -> None:
                if tag:
                    self._apply_filter(tag=tag)

            self.app.push_screen(modal, picked)
        else:
            self._apply_filter(status=choice)

    def _apply_filter(self, status: str | None = None, tag: str | None = "") -> None:
        n = self.status_line.attempt(lambda: self.session.set_filter(status=status, tag=tag))
        if n is not FAILED:
            self.status_line.say(f"{records(n)} in this list")
            self.show_record()

    def action_clear_filter(self) -> None:
        if self.session.filter.active:
            self.session.clear_filter()
            self.status_line.say("Filters cleared")
            self.show_record()

    @work(exclusive=True)
    async def action_bulk(self) -> None:
        if await decide_in_bulk(self.app, self.session, self.status_line):
            self.show_record()

    # -- command palette -------------------------------------------------------------------

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """Every action, for Ctrl+P: (title, help, action)."""
        commands = binding_commands(self, PALETTE_TITLES)
        for status in self.session.statuses:
            label = FILTER_LABELS[status]
            commands.append((f"Show: {label}", "Filter the list", f"set_status('{status}')"))
        commands += [
            ("Show: by tag…", "Only records with one of your tags", "filter_tag"),
            ("Clear search and filters (Esc)", "Show every record of the stage", "clear_filter"),
            ("Help (?)", "Keys, verdicts and the search language", "app.help"),
        ]
        return commands

    def action_set_status(self, status: str) -> None:
        self._apply_filter(status=status)

    def action_filter_tag(self) -> None:
        self._filter_chosen("tag")
