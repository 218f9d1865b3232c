"""ResolveScreen: an adjudicator settling conflicts; a thin view over Adjudication (keys call
the core, then redraw)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from db.plurals import counted
from screening.decisions.highlight import Highlighter
from screening.decisions.resolving import Adjudication, ConflictView
from screening.tui.commands import ScreenCommands, binding_commands
from screening.tui.escaping import safe
from screening.tui.justification import JustificationModal
from screening.tui.modals import ReasonModal
from screening.tui.screening_text import STAGE_LABELS
from screening.tui.widgets.ballots import BallotTable, ConflictCard, in_columns
from screening.tui.widgets.key_footer import KeyFooter
from screening.tui.widgets.record_card import VERDICT_LOOK
from screening.tui.widgets.status_line import FAILED, StatusLine

HELP = """\
# Conflicts

Records the reviewers disagree on, one at a time: the record, then every reviewer's vote in
force side by side (verdict and reason, note, tags). Settle each with a verdict and a
justification; the resolution is saved at once, as an event of its own, and stands until a
reviewer changes their vote (then the conflict comes back, marked reopened).

| key | does |
|---|---|
| `i` | Include |
| `e` | Exclude: pick the reason (the protocol's list) |
| `m` | (title/abstract) Maybe: the record goes on to full text, to be decided there |
| `r` | (full text) Not retrieved: the report could not be obtained |
| `u` | Undo your last resolution at this stage: its conflict comes back |
| `j` `k` or ↓ ↑ | Next / previous conflict |
| `PgDn` `PgUp` | Scroll the record |
| `h` | PICOS highlighting on or off |
| `o` | (full text) Open the PDF or link |
| `?` | This help |
| `q` | Quit (every resolution is already saved) |

After the verdict, type the justification (required) and press Enter; Escape cancels.
At full text there is no maybe: a resolution there must settle the report.

Conflicts on records you still owe a decision on (you screen this stage too and have not
decided them) are not shown, so your own decision stays blind: screen them first.
"""
SETTLE_KEYS = (("i", "include"), ("e", "exclude"), ("m", "maybe"), ("r", "not-retrieved"))
PALETTE_TITLES = {
    "include": "Resolve as include",
    "exclude": "Resolve as exclude, with a reason",
    "maybe": "Resolve as maybe",
    "not_retrieved": "Resolve as not retrieved",
    "undo": "Undo your last resolution",
    "next": "Next conflict",
    "previous": "Previous conflict",
    "highlight": "Toggle PICOS keyword highlighting",
    "page_down": "Scroll the record down",
    "page_up": "Scroll the record up",
}


class ResolveScreen(Screen[None]):
    DEFAULT_CSS = """
    ResolveScreen #bar { height: 1; background: $panel; color: $text; padding: 0 1; }
    ResolveScreen #why { height: 1; padding: 0 1; }
    ResolveScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    """
    BINDINGS = [
        Binding("i", "settle('include')", "Include", id="include", tooltip="Resolve: include"),
        Binding("e", "exclude", "Exclude", id="exclude", tooltip="Resolve: exclude, a reason"),
        Binding("m", "settle('maybe')", "Maybe", id="maybe", tooltip="Resolve: maybe"),
        Binding(
            "r",
            "settle('not-retrieved')",
            "Not retrieved",
            id="not_retrieved",
            tooltip="The full text could not be obtained (not an exclusion)",
        ),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last resolution"),
        Binding("j,down", "move(1)", "Move", key_display="j/k", id="next", tooltip="Next conflict"),
        Binding(
            "k,up", "move(-1)", "Previous", id="previous", show=False, tooltip="Previous conflict"
        ),
        Binding("h", "toggle_highlight", "Highlight", id="highlight", show=False),
        Binding(
            "o", "open_full_text", "Open", id="open", tooltip="Open the PDF or link", show=False
        ),
        Binding("pagedown,space", "scroll(1)", "Scroll down", id="page_down", show=False),
        Binding("pageup", "scroll(-1)", "Scroll up", id="page_up", show=False),
        Binding("q", "quit", "Quit", id="quit", tooltip="Every resolution is already saved"),
    ]
    COMMANDS = {ScreenCommands}
    HELP = HELP

    def __init__(self, adjudication: Adjudication) -> None:
        super().__init__()
        self.adjudication = adjudication
        self.view: ConflictView | None = None
        self.status_line = StatusLine(id="status")

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        yield Static(id="why")
        yield ConflictCard(Highlighter(self.adjudication.protocol.picos), id="card")
        yield BallotTable(id="ballots")
        yield Static(id="empty")
        yield self.status_line
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_conflict()
        offered = " ".join(k for k, v in SETTLE_KEYS if v in self.adjudication.verdicts)
        keys = f"{offered} settle, then a justification" if self.view else "q quits"
        self.status_line.say(f"{keys} · u undoes · ? help")

    # -- drawing ---------------------------------------------------------------------------

    def show_conflict(self) -> None:
        a = self.adjudication
        self.view = view = a.current()
        for part in ("#card", "#ballots", "#why"):
            self.query_one(part).display = view is not None
        self.query_one("#empty").display = view is None
        self.query_one("#bar", Static).update(safe(bar_text(a, view)))
        if view is None:
            self.query_one("#empty", Static).update(empty_text(a))
            return
        self.query_one(ConflictCard).show(view.record)
        self.query_one(BallotTable).show(view.ballots, view.record.id)
        self.query_one("#why", Static).update(safe(why_text(view, a)))

    # -- settling --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "settle":  # the core knows which verdicts its stage allows
            return parameters[0] in self.adjudication.verdicts
        if action == "open_full_text":
            return self.adjudication.stage == "full-text"
        return True

    def action_settle(self, verdict: str, reason: str | None = None) -> None:
        """Ask for the justification, then write the resolution."""
        view = self.view
        if view is None:
            self.status_line.say("No conflict here to resolve", error=True)
            return
        label = VERDICT_LOOK[verdict][0] + (f": {reason}" if reason else "")
        title = f"Resolve #{view.record.id} as {label}"

        def save(justification: str | None) -> None:
            if justification is None:
                self.status_line.say("Cancelled: nothing saved")
                return
            written = self.status_line.attempt(
                lambda: self.adjudication.resolve(verdict, reason, justification)
            )
            if written is FAILED:
                return
            self.status_line.say(f"Resolved #{view.record.id}: {label} · u undoes")
            self.show_conflict()

        self.app.push_screen(JustificationModal(title, _title_of(view)), save)

    def action_exclude(self) -> None:
        a = self.adjudication
        reasons = a.protocol.exclusion_reasons
        if self.view is None:
            self.status_line.say("No conflict here to resolve", error=True)
        elif not reasons:
            self.action_settle("exclude")
        else:
            self.app.push_screen(ReasonModal(reasons, required=a.reason_required), self._reason)

    def _reason(self, reason: str | None) -> None:
        if reason is None:
            self.status_line.say("Cancelled: nothing saved")
        else:
            self.action_settle("exclude", reason or None)

    def action_undo(self) -> None:
        undone = self.status_line.attempt(self.adjudication.undo)
        if undone is FAILED:
            return
        if undone is None:
            self.status_line.say("Nothing to undo: you have no resolution in force here")
            return
        label = VERDICT_LOOK[undone.verdict][0]
        self.status_line.say(f"Undone: {label} on #{undone.record_id}; its conflict is back")
        self.show_conflict()

    # -- moving ----------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if self.adjudication.move(delta):
            self.show_conflict()
        else:
            self.status_line.say("First conflict" if delta < 0 else "Last conflict")

    def action_scroll(self, pages: int) -> None:
        card = self.query_one(ConflictCard)
        (card.scroll_page_down if pages > 0 else card.scroll_page_up)(animate=False)

    def action_toggle_highlight(self) -> None:
        card = self.query_one(ConflictCard)
        card.highlight = not card.highlight
        self.status_line.say(f"PICOS highlighting {'on' if card.highlight else 'off'}")
        self.show_conflict()

    def action_open_full_text(self) -> None:
        links = self.view.record.full_text if self.view else ()
        if not links:
            self.status_line.say("No PDF or link known for this record", error=True)
            return
        self.app.open_url(links[0] if "://" in links[0] else f"file://{links[0]}")
        self.status_line.say(f"Opening {links[0]}")

    def action_quit(self) -> None:
        self.app.exit()

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """Every action, for Ctrl+P: (title, help, action)."""
        return [
            *binding_commands(self, PALETTE_TITLES),
            ("Help (?)", "Keys and how to resolve", "app.help"),
        ]


def bar_text(a: Adjudication, view: ConflictView | None) -> Text:
    place = f"conflict {view.position:,} of {view.total:,}" if view else "no conflicts left"
    bar = Text(f"Conflicts · {STAGE_LABELS[a.stage]} · {a.adjudicator} · {place}", "bold")
    if a.resolved:
        bar.append(f" · {a.resolved:,} resolved now")
    if a.hidden:
        bar.append(f" · {a.hidden:,} hidden: you owe a decision", "#ffca28")
    bar.append(f" · {a.protocol.title}", "dim")
    return bar


def why_text(view: ConflictView, a: Adjudication) -> Text:
    """What the reviewers disagree on, in the protocol's terms."""
    verdicts = [b.decision.verdict for b in in_columns(view.ballots)]  # as the table reads
    if set(verdicts) == {"exclude"}:
        every = "both" if len(verdicts) == 2 else "all"
        why = f"{every} exclude, for different reasons (at full text a report needs one)"
    else:
        why = " against ".join(dict.fromkeys(verdicts))
        if "maybe" in verdicts and not a.protocol.maybe_is_include:
            why += " (maybe is a verdict of its own in review.toml)"
    out = Text("Disagree: ", "bold #ef5350")
    out.append(why)
    resolution = view.state.resolution
    if view.reopened and resolution is not None:
        out.append(
            f" · reopened: {resolution.adjudicator} resolved it as {resolution.verdict}, "
            "then a vote changed",
            "#ffca28",
        )
    return out


def empty_text(a: Adjudication) -> str:
    where = STAGE_LABELS[a.stage].lower()
    text = f"No conflicts to resolve at {where}."
    if a.queue.settled:
        text += f" {a.queue.settled:,} resolved so far, each saved (u undoes your last)."
    if a.hidden:
        text += (
            f"\n{counted(a.hidden, 'more conflict')} hidden: you screen this stage too and "
            "have not decided yet. Screen first (metasift screen), blind, then come back."
        )
    return text + "\nq quits."


def _title_of(view: ConflictView) -> str:
    return view.record.citation.title or "(no title)"
