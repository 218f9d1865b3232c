"""KeyFooter: the footer of every screening screen, with quit and help pinned to its right
edge, so a narrow terminal (80 columns) cuts keys from the middle, never `q` or `?`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer

PINNED = ("quit", "help")  # actions whose keys must always show; help is the app's `?`


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter > .pinned {
        dock: right; width: auto; padding-left: 1; background: $footer-background;
    }
    """

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)

    def compose(self) -> ComposeResult:
        pinned = []
        for key in super().compose():
            # FooterKey is not public in Textual; its action attribute is
            if getattr(key, "action", None) in PINNED:
                pinned.append(key)
            else:
                yield key
        if pinned:  # one group: two widgets docked on one edge would overlap
            yield HorizontalGroup(*pinned, classes="pinned")
