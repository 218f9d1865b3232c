"""RecordCard: one record as a reviewer reads it, with the protocol's PICOS keywords marked."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Unpack

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screening.citation import Citation
from screening.decisions.highlight import Highlighter, Span, Summary
from screening.decisions.ledger import Decision
from screening.decisions.record_view import RecordView
from screening.tui.escaping import safe
from screening.tui.widgets.options import WidgetOptions

MAX_AUTHORS = 12
SpanFinder = Callable[[str | None], list[Span]]
# Include keywords on greens, exclude keywords on reds (and underlined, for colour-blind
# readers), a different shade per PICOS element so the legend can tell them apart.
INCLUDE = {
    "population": "#2e7d32",
    "intervention": "#00796b",
    "comparator": "#5f7f1a",
    "outcomes": "#1b6e4a",
    "study_designs": "#4e7d3a",
}
EXCLUDE = {
    "population": "#b71c1c",
    "intervention": "#ad1457",
    "comparator": "#b34700",
    "outcomes": "#8d2a2a",
    "study_designs": "#8e3a6e",
}
ELEMENT_LABELS = {
    "population": "Population",
    "intervention": "Intervention",
    "comparator": "Comparator",
    "outcomes": "Outcomes",
    "study_designs": "Study designs",
}
VERDICT_LOOK = {
    "include": ("✓ Included", "bold #66bb6a"),
    "exclude": ("✗ Excluded", "bold #ef5350"),
    "maybe": ("? Maybe", "bold #ffca28"),
    "not-retrieved": ("⊘ Not retrieved", "bold #90a4ae"),
}
LABEL = Style(bold=True, color="#82aaff")
DIM = Style(dim=True)


def mark_style(element: str, kind: str) -> Style:
    colours = INCLUDE if kind == "include" else EXCLUDE
    return Style(
        color="#ffffff", bgcolor=colours.get(element, "#555555"), underline=kind == "exclude"
    )


def marked(text: str, spans: list[Span]) -> Text:
    out = Text(text)
    for span in spans:
        out.stylize(mark_style(span.element, span.kind), span.start, span.end)
    return out


@dataclass(frozen=True)
class Drawn:
    """A record's card, built and wrapped to a width."""

    key: Hashable
    parts: dict[str, Text]
    text: Text
    lines: list[Strip]


class RecordCard(ScrollView, can_focus=False):
    """One record, scrolled with PgUp/PgDn sent by the screen; never takes focus.

    A line-API widget: show() wraps the record's Text into lines once, and a redraw only
    crops the visible ones. A Static wraps the text again for its height and for every
    repaint, which made a decision twice as slow as a bare redraw on long records.
    """

    DEFAULT_CSS = """
    RecordCard {
        height: 1fr; padding: 0 1; overflow-x: hidden;
        scrollbar-size-vertical: 1; scrollbar-gutter: stable;
    }
    """

    def __init__(self, highlighter: Highlighter, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.highlighter = highlighter
        self.highlight = True
        self.parts: dict[str, Text] = {}  # what is shown, by part (for tests and snapshots)
        self._drawn = Drawn(None, {}, Text(), [])
        self._prepared: Drawn | None = None

    def show(self, view: RecordView | None, empty: str = "") -> None:
        """Draw a record (or a message when there is none) from its top."""
        drawn = self._prepared if self._prepared and self._prepared.key == self._key(view) else None
        self._draw(drawn or self._drawing(view, empty))

    def prepare(self, view: RecordView) -> None:
        """Build and wrap a record ahead of time (the one a decision will move to), so that
        showing it costs only the redraw."""
        self._prepared = self._drawing(view, "")

    def _key(self, view: RecordView | None) -> Hashable:
        if view is None:
            return None
        width = self.scrollable_content_region.width
        return (view.id, view.decision, view.earlier, view.draft, self.highlight, width)

    def _drawing(self, view: RecordView | None, empty: str) -> Drawn:
        parts = self._parts(view, empty)
        text = Text("\n\n").join(part for part in parts.values() if part.plain)
        return Drawn(self._key(view), parts, text, self._wrap(text))

    def _draw(self, drawn: Drawn) -> None:
        self._drawn = drawn
        self.parts = drawn.parts
        if not drawn.lines:  # drawn before the first layout: wrap now that there is a width
            drawn = self._drawn = replace(drawn, lines=self._wrap(drawn.text))
        self.virtual_size = Size(self.scrollable_content_region.width, len(drawn.lines))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def _wrap(self, text: Text) -> list[Strip]:
        width = self.scrollable_content_region.width
        if width <= 0:  # not laid out yet
            return []
        console = self.app.console
        lines = console.render_lines(text, console.options.update_width(width))
        base = self.rich_style  # computed once here: per line it cost more than the line itself
        return [Strip(line, width).apply_style(base) for line in lines]

    def on_resize(self) -> None:
        self._prepared = None
        self._draw(replace(self._drawn, lines=[]))

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        if index >= len(self._drawn.lines):
            return Strip.blank(self.scrollable_content_region.width, self.rich_style)
        return self._drawn.lines[index]

    def text(self) -> str:
        """The card as plain text, as a reviewer reads it."""
        return self._drawn.text.plain

    def _parts(self, view: RecordView | None, empty: str) -> dict[str, Text]:
        if view is None:
            return {"title": Text(empty)}
        c = view.citation
        found: dict[str | None, list[Span]] = {}

        def spans(text: str | None) -> list[Span]:  # each text searched once per record
            if text not in found:
                found[text] = self.highlighter.spans(text) if self.highlight else []
            return found[text]

        title = marked(c.title or "(no title)", spans(c.title))
        title.stylize("bold")
        parts = {
            "title": title,
            "meta": meta_text(view),
            "decision": decision_text(view),
            "picos": self._legend(c, spans) if self.highlight else Text(),
            "abstract": abstract_text(c, spans),
            "terms": terms_text(c, spans),
        }
        return {name: safe(part) for name, part in parts.items()}

    def _legend(self, c: Citation, spans: SpanFinder) -> Text:
        if not self.highlighter:
            return Text("No PICOS keywords in review.toml to highlight.", style=DIM)
        texts = [c.title, *(s.text for s in c.sections), c.abstract if not c.sections else None]
        texts += [*c.keywords, *c.mesh_terms, *c.publication_types]
        legend = legend_text(self.highlighter.summarise(texts, spans), self.highlighter)
        legend.append("  (h: highlighting off)", DIM)
        return legend


def _no_spans(text: str | None) -> list[Span]:
    return []


def meta_text(view: RecordView) -> Text:
    c = view.citation
    out = Text()
    if c.authors:
        shown = "; ".join(c.authors[:MAX_AUTHORS])
        more = len(c.authors) - MAX_AUTHORS
        out.append(shown + (f"; … and {more} more" if more > 0 else "") + "\n")
    where = " · ".join(str(x) for x in (c.journal or c.journal_abbrev, c.year) if x)
    volume = (c.volume or "") + (f"({c.issue})" if c.issue else "")
    citation = ":".join(x for x in (volume, c.pages or "") if x)
    out.append(" · ".join(x for x in (where, citation) if x) or "(no journal or year)", "italic")
    out.append("\n")
    ids = [("PMID", c.pmid), ("DOI", c.doi), ("PMCID", c.pmcid)]
    if c.source_record_id and c.source_record_id != c.pmid:
        ids.append(("ID", c.source_record_id))
    ids.append(("Type", c.record_type if c.record_type not in (None, "article") else None))
    # only a language other than English is worth the space ("eng": a review imported earlier)
    english = (c.language or "English").lower() in ("english", "eng")
    ids.append(("Language", None if english else c.language))
    for i, (name, value) in enumerate((n, v) for n, v in ids if v):
        out.append(" · " if i else "")
        out.append(f"{name} ", LABEL)
        out.append(str(value))
    out.append("\n")
    out.append("Found in: ", LABEL)
    out.append(", ".join(view.found_in))
    if view.full_text or view.earlier:
        out.append("\n")
        out.append("Full text: ", LABEL)
        out.append(view.full_text[0] if view.full_text else "no PDF or link known", "underline")
        out.append("  (o opens it)" if view.full_text else "", DIM)
        for other in view.full_text[1:3]:
            out.append("  " + other, DIM)
    return out


def decision_text(view: RecordView) -> Text:
    out = Text()
    if view.earlier:
        label, style = VERDICT_LOOK.get(view.earlier.verdict, (view.earlier.verdict, ""))
        out.append("Title/abstract: ", LABEL)
        out.append(label, style)
        out.append(" (your decision)\n", DIM)
    out.append("Your decision: ", LABEL)
    if view.decision is None:
        out.append("none yet", DIM)
    else:
        out.append_text(verdict_text(view.decision))
    if view.note:
        out.append("\nNote: ", LABEL)
        out.append(view.note)
    if view.tags:
        out.append("\nTags: ", LABEL)
        out.append(", ".join(view.tags), "bold #ce93d8")
    if view.draft:
        out.append("\n(not saved yet: note and tags are saved when you decide this record)", DIM)
    return out


def verdict_text(decision: Decision) -> Text:
    label, style = VERDICT_LOOK.get(decision.verdict, (decision.verdict, ""))
    out = Text(label, style)
    if decision.reason:
        out.append(f": {decision.reason}", style)
    return out


def legend_text(summary: Summary, highlighter: Highlighter) -> Text:
    out = Text()
    elements = dict.fromkeys(element for element, _, _ in highlighter.patterns)
    quiet = []
    for element in elements:
        found = [(kind, summary.words(element, kind)) for kind in ("include", "exclude")]
        if not any(words for _, words in found):
            quiet.append(ELEMENT_LABELS.get(element, element).lower())
            continue
        out.append("\n" if out.plain else "")
        out.append(f"{ELEMENT_LABELS.get(element, element):<14}", LABEL)
        for kind, words in found:
            if not words:
                continue
            out.append(" ✓ " if kind == "include" else " ✗ ")
            for i, (word, count) in enumerate(words.most_common()):
                out.append(", " if i else "")
                out.append(word, mark_style(element, kind))
                out.append(f" ×{count}" if count > 1 else "", DIM)
    if quiet:
        out.append("\n" if out.plain else "")
        out.append(f"No keywords found for {', '.join(quiet)}", DIM)
    return out


def abstract_text(c: Citation, spans: SpanFinder) -> Text:
    out = Text()
    if c.sections:
        for i, section in enumerate(c.sections):
            out.append("\n\n" if i else "")
            if section.label:
                out.append(section.label.upper() + "  ", LABEL)
            out.append_text(marked(section.text, spans(section.text)))
    elif c.abstract:
        out.append_text(marked(c.abstract, spans(c.abstract)))
    else:
        out.append("(no abstract)", DIM)
    return out


def terms_text(c: Citation, spans: SpanFinder) -> Text:
    out = Text()
    for name, values in (
        ("Keywords", c.keywords),
        ("MeSH", c.mesh_terms),
        ("Publication types", c.publication_types),
    ):
        if not values:
            continue
        out.append("\n" if out.plain else "")
        out.append(f"{name}  ", LABEL)
        for i, value in enumerate(values):
            out.append("; " if i else "")
            out.append_text(marked(value, spans(value)))
    return out
