"""JustificationModal: why the adjudicator settled a conflict as they did, one required line."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from screening.tui.escaping import safe
from screening.tui.modals import MODAL_CSS

HINT = "Enter saves · Esc cancels (nothing is saved)"


class JustificationModal(ModalScreen[str | None]):
    """Enter returns the text; an empty line is refused here, so the adjudicator is told at
    once and keeps the box; Escape returns None."""

    DEFAULT_CSS = (
        MODAL_CSS.format(name="JustificationModal")
        + "JustificationModal .hint.error { color: $error; text-style: bold; }"
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, title: str, summary: str = "") -> None:
        super().__init__()
        self.heading, self.summary = title, summary

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe(self.heading), classes="title")
            if self.summary:
                yield Static(safe(self.summary))
            yield Input(placeholder="Justification (required): why this verdict")
            yield Static(HINT, classes="hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.dismiss(text)
            return
        hint = self.query_one(".hint", Static)
        hint.add_class("error")
        hint.update("A justification is required: type why, then Enter · Esc cancels")

    def action_cancel(self) -> None:
        self.dismiss(None)
