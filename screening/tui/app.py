"""MetasiftApp: the one Textual App; commands choose which screen it opens on."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.screen import Screen

ScreenFactory = Callable[[], Screen]


class MetasiftApp(App[None]):
    """Hosts metasift's screens. The theme is set here so TEXTUAL_THEME cannot change it."""

    CSS_PATH = "metasift.tcss"
    TITLE = "metasift"

    def __init__(self, first_screen: ScreenFactory, title: str = "metasift") -> None:
        super().__init__()
        self._first_screen = first_screen
        self.title = title

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.push_screen(self._first_screen())


def make_app(first_screen: ScreenFactory, title: str = "metasift") -> MetasiftApp:
    """The factory the CLI commands, snapshot apps and tmux runs all call."""
    return MetasiftApp(first_screen, title)
