"""The command palette (Ctrl+P) for a screen: every action it has, found by name.

A screen lists its commands in `palette_commands()` as (title, help, action string); the
provider runs the action on that screen exactly as its key would.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Protocol

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen


class HasCommands(Protocol):
    def palette_commands(self) -> list[tuple[str, str, str]]: ...


class ScreenCommands(Provider):
    """Commands of the screen the palette was opened on."""

    def _commands(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        if not hasattr(screen, "palette_commands"):
            return []
        return screen.palette_commands()

    def _run(self, action: str) -> partial:
        screen: Screen = self.screen
        return partial(screen.run_action, action)

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, self._run(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._run(action), help=help_text)


def binding_commands(screen: Screen, titles: dict[str, str]) -> list[tuple[str, str, str]]:
    """The screen's bindings that have an id and are allowed now, as palette commands titled
    from titles (by binding id) or the binding's description, each with its key: "Next
    record (j)"."""
    commands = []
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or not binding.id:
            continue
        name, _, args = binding.action.partition("(")
        parameters = tuple(a.strip(" '\")") for a in args.split(",") if a.strip(" '\")"))
        if screen.check_action(name, parameters):
            title = titles.get(binding.id, binding.description)
            help_text = binding.tooltip or binding.description
            commands.append((f"{title} ({key_of(screen, binding)})", help_text, binding.action))
    return commands


def key_of(screen: Screen, binding: Binding) -> str:
    """The first key that runs this binding, as the footer draws keys ("/" for slash): never
    the footer's shared label of two bindings ("j/k")."""
    first = binding.key.split(",")[0].strip()
    return screen.app.get_key_display(replace(binding, key=first, key_display=None))
