"""MetasiftApp: the one Textual App; commands choose which screen it opens on."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import cache

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from screening.tui.escaping import safe

ScreenFactory = Callable[[], Screen]


class MetasiftApp(App[None]):
    """Hosts metasift's screens. The theme is set here so TEXTUAL_THEME cannot change it."""

    CSS_PATH = "metasift.tcss"
    TITLE = "metasift"
    BINDINGS = [Binding("question_mark", "help", "Help", id="help", tooltip="Keys and how to")]

    def __init__(self, first_screen: ScreenFactory, title: str = "metasift") -> None:
        super().__init__()
        self._first_screen = first_screen
        self.title = safe(title)  # it holds the protocol's title

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.push_screen(self._first_screen())
        self.call_after_refresh(keep_for_good)

    async def action_quit(self) -> None:
        """Ctrl+Q quits as the screen's own q does, so a screen with unsaved work asks first."""
        for screen in reversed(self.screen_stack):
            if not isinstance(screen, ModalScreen) and hasattr(screen, "action_quit"):
                await screen.run_action("quit")
                return
        self.exit()

    def action_help(self) -> None:
        """The screen's HELP text, or else a table of its keys."""
        from screening.tui.modals import HelpModal

        if isinstance(self.screen, HelpModal):
            return
        self.push_screen(HelpModal(screen_help(self.screen)))


@cache  # once per process: a test run's later apps would only freeze its garbage
def keep_for_good() -> None:
    """Once the first screen is drawn: startup's 70,000 objects (modules, Textual) live as
    long as the app, yet each full garbage collection walked them all, a 40-70 ms pause that
    now and then fell inside a key's redraw; frozen, one takes 2-8 ms."""
    gc.collect()
    gc.freeze()


def collect_later(drawing: bool) -> None:
    """No automatic garbage collection while a key's redraw is drawn: redraws allocate, so
    they were what set collections off, inside the reviewer's wait. Those that come due run
    when collection is allowed again, in the reading time after the record is drawn."""
    if drawing:
        gc.disable()
    else:
        gc.enable()


def screen_help(screen: Screen) -> str:
    if isinstance(screen.HELP, str) and screen.HELP.strip():
        return screen.HELP
    rows = [
        f"| `{b.binding.key_display or key}` | {b.binding.description} | {b.binding.tooltip} |"
        for key, b in screen.active_bindings.items()
        if b.binding.description
    ]
    return "# Keys\n\n| key | does | |\n|---|---|---|\n" + "\n".join(rows)


def make_app(first_screen: ScreenFactory, title: str = "metasift") -> MetasiftApp:
    """The factory the CLI commands, snapshot apps and tmux runs all call."""
    return MetasiftApp(first_screen, title)
