"""ReasonPicker: the exclusion reasons under the record, picked with one number key.

A panel on the screen's overlay layer rather than a modal screen: excluding is the commonest
action of a screening day, and switching screens costs about 100 ms each way here. On its own
layer the panel covers the foot of the record without resizing it, so neither opening nor
closing it re-lays the record out, and the record stays readable while the reviewer chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from rich.text import Text
from textual.widgets import Static

from screening.tui.escaping import safe
from screening.tui.widgets.options import WidgetOptions

MAX_KEYED = 9  # number keys 1-9; longer lists use the ReasonModal


class ReasonPicker(Static):
    DEFAULT_CSS = """
    ReasonPicker {
        display: none; layer: overlay; dock: bottom; height: auto; width: auto; min-width: 48;
        margin: 0 1 2 1; padding: 0 1; border: round $error; background: $panel;
    }
    """

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.reasons: tuple[str, ...] = ()
        self.required = False

    @property
    def is_open(self) -> bool:
        return bool(self.display)

    def open(self, reasons: Sequence[str], required: bool) -> None:
        self.reasons, self.required = tuple(reasons[:MAX_KEYED]), required
        need = "a reason is required at this stage" if required else "the reason is optional"
        self.border_title = f"Exclude: why? ({need})"
        text = Text()
        for n, reason in enumerate(self.reasons, start=1):
            text.append(f"{n} ", "bold")
            text.append(reason + ("\n" if n < len(self.reasons) else ""))
        if not required:
            text.append("\n0 ", "bold")
            text.append("no reason")
        text.append("\nnumber key to choose · Esc cancels", "dim")
        self.update(safe(text))
        self.display = True

    def close(self) -> None:
        if self.display:
            self.display = False

    def reason(self, number: int) -> str | None:
        """The reason a number key picks: "" for none (where allowed), None if it picks nothing."""
        if number == 0:
            return None if self.required else ""
        return self.reasons[number - 1] if 1 <= number <= len(self.reasons) else None
