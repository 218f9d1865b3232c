"""KeyFooter: the footer of every screening screen, with quit and help pinned to its right
edge, so a narrow terminal (80 columns) cuts keys from the middle, never `q` or `?`.

A screen may also name the keys to leave out first when they do not all fit (drop_first):
the footer then shows whole keys only, instead of running the rest off the edge or cutting
a word in two ("g Undeci")."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer

PINNED = ("quit", "help")  # actions whose keys must always show; help is the app's `?`


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter > .pinned {
        dock: right; width: auto; padding-left: 1; background: $footer-background;
    }
    """

    def __init__(self, drop_first: Sequence[str] = ()) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self.drop_first = tuple(drop_first)  # actions, as the bindings name them
        self._fitted_to = 0

    def compose(self) -> ComposeResult:
        keys: list[Widget] = []
        pinned: list[Widget] = []
        for key in super().compose():
            # FooterKey is not public in Textual; its action attribute is
            (pinned if getattr(key, "action", None) in PINNED else keys).append(key)
        self._fitted_to = self.app.size.width
        room = self._fitted_to - 1 - sum(width(k) for k in pinned)  # 1: the pinned group's padding
        yield from fitting(keys, room, self.drop_first)
        if pinned:  # one group: two widgets docked on one edge would overlap
            yield HorizontalGroup(*pinned, classes="pinned")

    def on_resize(self, event: events.Resize) -> None:
        if self.drop_first and event.size.width != self._fitted_to:
            self.call_after_refresh(self.recompose)


def width(key: Widget) -> int:
    """Columns a compact footer key takes: its key, a space, its description, a margin."""
    description = getattr(key, "description", "")
    text = f"{getattr(key, 'key_display', '')} {description}" if description else ""
    return cell_len(text or getattr(key, "key_display", "")) + 1


def fitting(keys: list[Widget], room: int, drop_first: Sequence[str]) -> list[Widget]:
    """keys without those of drop_first, in its order, until the rest fit in room columns."""
    kept = list(keys)
    for action in drop_first:
        if sum(width(k) for k in kept) <= room:
            break
        kept = [k for k in kept if getattr(k, "action", None) != action]
    return kept
