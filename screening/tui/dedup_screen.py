"""DedupScreen: the doubtful pairs side by side, differences highlighted; a thin view over
DedupReview (keys call the core, then redraw)."""

from __future__ import annotations

from rich import box
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from db.dedup import DIFFERENT, SAME, cluster_of
from screening.dedup.implied import also_settled, pair_key, settled_text
from screening.dedup.pair_review import FIELDS, DedupReview, PairView, Side, diff_words
from screening.tui.escaping import safe
from screening.tui.widgets.key_footer import KeyFooter
from screening.tui.widgets.status_line import FAILED, StatusLine

LABELS = {
    "title": "Title",
    "authors": "Authors",
    "year": "Year",
    "journal": "Journal",
    "volume": "Volume",
    "issue": "Issue",
    "pages": "Pages",
    "doi": "DOI",
    "pmid": "PMID",
}
RULES = {
    "similar": "similar title and authors, but the venue does not settle it",
    "venue-differs": "same title, different venue: a conference abstract and its paper?",
    "different-doi": "alike, but with different DOIs (one may be wrong)",
    "doi-title-differs": "same DOI, different titles",
    "translated-title": "same journal, volume, page and authors; the titles differ",
    "same-database": "two records of the same database export",
    "transitivity": "would join two records that other evidence keeps apart",
}
LABEL = Style(bold=True, color="#82aaff")
DIFFERS = Style(bold=True, color="#000000", bgcolor="#ffca28")
DIM = Style(dim=True)
HELP = """\
# Duplicates: doubtful pairs

Two records that may be the same document. Words that differ between them are highlighted.

| key | does |
|---|---|
| `y` | **Same** document: merge their clusters |
| `n` | **Different** documents: keep them apart for good |
| `s` | Skip: come back to this pair later (it goes to the end of the list) |
| `u` | Undo your last verdict |
| `PgDn` `PgUp` `↑` `↓` | Scroll: both records move together, each field beside its match |
| `q` | Quit (every verdict is already saved) |

Every verdict is saved at once and honoured by every later `metasift dedup`. A verdict can
settle other pairs too: a "same" merges two clusters, and a pair that would join records
kept apart is no longer in doubt. The status line names the pairs settled that way.
"""


class PairTable(VerticalScroll):
    """The two records as one table, record A on the left and B on the right, a row per
    field as tall as the longer of the two: every field starts on the same line as its
    match, and one scroll moves both."""

    DEFAULT_CSS = """
    PairTable { border: round $primary-muted; }
    PairTable > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="pair-body")

    def show(self, left: Side, right: Side) -> None:
        self.query_one("#pair-body", Static).update(pair_table(left, right))
        self.scroll_home(animate=False)


def pair_table(left: Side, right: Side) -> Table:
    """Rich lays the rows out: a row is as tall as its taller cell, whatever the width."""
    table = Table(box=box.MINIMAL, expand=True, show_edge=False, padding=(0, 1))
    table.header_style, table.border_style = "", DIM
    for side, other, name in ((left, right, "A"), (right, left, "B")):
        table.add_column(safe(render_cell("header", side, other, name)), ratio=1)
    rows = [*FIELDS, "abstract"] if left.abstract or right.abstract else FIELDS
    for row in rows:
        if row == "abstract":
            table.add_row()  # a blank line sets the abstracts apart
        table.add_row(
            safe(render_cell(row, left, right, "A")), safe(render_cell(row, right, left, "B"))
        )
    return table


def render_cell(row: str, side: Side, other: Side, name: str) -> Text:
    """One record's cell of a row: its header, a field, or its abstract, with the words the
    other record lacks highlighted."""
    if row == "header":
        size = f" · cluster of {side.cluster_size}" if side.cluster_size > 1 else ""
        text = Text().append(f"{name} ", style=LABEL)
        text.append(f"#{side.record_id} · {side.source}{size}", style=DIM)
        return text
    if row == "abstract":
        text = Text().append("Abstract: ", style=LABEL)
        mine, theirs = side.abstract, other.abstract
    else:
        text = Text().append(f"{LABELS[row]}: ", style=LABEL)
        mine, theirs = side.fields[row], other.fields[row]
    if not mine:
        return text.append("—", style=DIM)
    for segment in diff_words(mine, theirs)[0] if theirs else []:
        text.append(segment.text, style=None if segment.same else DIFFERS)
    return text if theirs else text.append(mine)


class DedupScreen(Screen[None]):
    DEFAULT_CSS = """
    DedupScreen #bar { height: 1; background: $panel; color: $text; padding: 0 1; }
    DedupScreen #why { height: auto; padding: 0 1; color: $text-muted; }
    DedupScreen #pair { height: 1fr; }
    DedupScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    """
    BINDINGS = [
        Binding("y", "decide('same')", "Same", id="same", tooltip="The same document: merge"),
        Binding("n", "decide('different')", "Different", id="different", tooltip="Keep apart"),
        Binding("s", "skip", "Skip", id="skip", tooltip="Leave this pair for later"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last verdict"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Every verdict is already saved"),
    ]
    HELP = HELP

    def __init__(self, review: DedupReview) -> None:
        super().__init__()
        self.review = review
        self.status_line = StatusLine(id="status")

    def compose(self) -> ComposeResult:
        yield Static(id="bar")
        yield Static(id="why")
        yield PairTable(id="pair")
        yield Static(id="empty")
        yield self.status_line
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_pair()
        self.status_line.say("y same · n different · s skip · u undo · ? help")

    def show_pair(self) -> None:
        view = self.review.current()
        self.query_one("#pair").display = view is not None
        self.query_one("#empty").display = view is None
        bar = f"Duplicates · {self.review.reviewer} · {self.review.decided} decided this session"
        if view is None:
            self.query_one("#bar", Static).update(bar + " · none left")
            self.query_one("#why", Static).update("")
            self.query_one("#empty", Static).update(
                "No doubtful pairs left. Every verdict is saved; q quits."
            )
            return
        self.query_one("#bar", Static).update(f"{bar} · pair {view.position} of {view.total}")
        self.query_one("#why", Static).update(safe(_why(view)))
        self.query_one(PairTable).show(view.left, view.right)

    def action_decide(self, verdict: str) -> None:
        before = list(self.review.items)
        item = self.status_line.attempt(lambda: self.review.decide(verdict))
        if item is FAILED:
            return
        word = {SAME: "Same", DIFFERENT: "Different"}[verdict]
        settled = also_settled(before, self.review.items, item, self._members)
        said = f"{word}: #{item.record_a} and #{item.record_b}"
        if settled:
            said += " · also settled: " + ", ".join(map(settled_text, settled[:3]))
            said += f" and {len(settled) - 3:,} more" if len(settled) > 3 else ""
        self.status_line.say(said + " · u undoes")
        self.show_pair()

    def _members(self, record_id: int) -> tuple[int, ...]:
        return cluster_of(self.review.db, record_id).members

    def action_skip(self) -> None:
        left = len(self.review.items)
        if left == 0:
            self.status_line.say("Nothing to skip: no doubtful pairs are left")
        elif left == 1:
            self.status_line.say("This is the last pair: y same, n different, or q to leave it")
        else:
            self.review.skip()
            self.status_line.say("Skipped: the pair comes back at the end")
            self.show_pair()

    def action_undo(self) -> None:
        before = {pair_key(i) for i in self.review.items}
        item = self.status_line.attempt(self.review.undo)
        if item is FAILED:
            return
        if item is None:
            self.status_line.say("Nothing to undo in this session", error=True)
            return
        said = f"Undone: #{item.record_a} and #{item.record_b} are doubtful again"
        before.add(pair_key(item))
        back = [i for i in self.review.items if pair_key(i) not in before]
        if back:  # pairs the undone verdict had settled, or folded into one of its clusters
            said += "; back in the list too: " + ", ".join(
                f"#{i.record_a}/#{i.record_b}" for i in back[:3]
            )
            said += f" and {len(back) - 3:,} more" if len(back) > 3 else ""
        self.status_line.say(said)
        self.show_pair()

    async def action_quit(self) -> None:
        self.app.exit()


def _why(view: PairView) -> str:
    reason = RULES.get(view.item.rule, view.item.rule)
    score = "" if view.item.score is None else f" · title similarity {view.item.score:.2f}"
    return f"Why doubtful: {reason}{score}"
