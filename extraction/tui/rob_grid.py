"""The traffic-light grid under the risk-of-bias form (`metasift rob`): StudyGrid, one row per
study with this reviewer's judgement per domain and overall, the current study marked ▸.
The heading stays put and the rows scroll under it, and the current study's row is kept in
view however few rows the terminal leaves room for (two at 80x24)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Region
from textual.widgets import Static

from extraction.rob.instrument import Instrument
from extraction.rob.plots import GLYPHS, PALETTES, level

GridRow = tuple[str, list[str | None], str | None]  # RobForm.grid(): label, domains, overall


def grid_heading(instrument: Instrument) -> Text:
    ids = instrument.domain_ids()
    return Text(f"{'Study':<24}" + "".join(f"{d:^5}" for d in ids) + " Overall", "bold")


def grid_rows_text(instrument: Instrument, rows: list[GridRow], at: int) -> Text:
    """A line per study, a coloured cell per judgement ("·" where there is none yet)."""
    colours = PALETTES["cochrane"]
    out = Text(style="bold")
    for i, (label, judged, whole) in enumerate(rows):
        marker = "▸ " if i == at else "  "
        out.append(("\n" if i else "") + f"{marker}{label[:21]:<22}")
        for judgement in [*judged, whole]:
            if judgement is None:
                out.append("  ·  ", "dim")
                continue
            lvl = level(instrument, judgement)
            out.append(f" {GLYPHS[lvl] or ' ':^3} ", f"bold black on {colours[lvl]}")
    return out


class GridRows(VerticalScroll, can_focus=False):
    """The rows' window: scrolled by the form (and the mouse wheel), never a focus stop, so
    the keys stay with the form's table."""


class StudyGrid(Vertical):
    DEFAULT_CSS = """
    StudyGrid { height: 1fr; min-height: 0; padding: 0 1; border-top: solid $panel; }
    StudyGrid #grid-head { height: 1; }
    StudyGrid GridRows { height: 1fr; min-height: 0; }
    StudyGrid #grid-rows { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.at = 0  # the current study's row

    def compose(self) -> ComposeResult:
        yield Static(id="grid-head")
        with GridRows():
            yield Static(id="grid-rows")

    def show(self, instrument: Instrument, rows: list[GridRow], at: int) -> None:
        """Draw rows (RobForm.grid()) with the at-th marked, and scroll it into view."""
        self.at = at
        self.query_one("#grid-head", Static).update(grid_heading(instrument))
        self.query_one("#grid-rows", Static).update(grid_rows_text(instrument, rows, at))
        self.call_after_refresh(self.keep_current_in_view)  # once the rows are laid out

    def keep_current_in_view(self) -> None:
        """Scroll the least that shows the current study's row."""
        window = self.query_one(GridRows)
        window.scroll_to_region(Region(0, self.at, 1, 1), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.keep_current_in_view)
