"""Small dialogs the screens open: pick one of a list, type a line, confirm, read the help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from screening.control_chars import strip_controls
from screening.tui.escaping import safe

MODAL_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 72; max-width: 95%; height: auto; max-height: 90%;
    border: round $accent; background: $panel; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; }}
{name} .hint {{ color: $text-muted; margin-top: 1; }}
{name} OptionList {{ height: auto; max-height: 20; border: none; padding: 0; }}
{name} OptionList:focus {{ border: none; }}
"""


class PickerModal(ModalScreen[str | None]):
    """Choose one option with its number key (or arrows and Enter); Escape cancels (None).

    With `none_label`, key 0 picks "nothing" and returns the empty string.
    """

    DEFAULT_CSS = MODAL_CSS.format(name="PickerModal")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(10)),
    ]

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str, str]],
        *,
        none_label: str | None = None,
        hint: str = "",
    ) -> None:
        super().__init__()
        self.heading, self.options, self.none_label = title, list(options), none_label
        self.hint = hint

    def compose(self) -> ComposeResult:
        items = [
            Option(safe(f"{n}  {label}" if n <= 9 else f"   {label}"), id=f"o{n}")
            for n, (_, label) in enumerate(self.options, start=1)
        ]
        if self.none_label is not None:
            items.append(Option(f"0  {self.none_label}", id="o0"))
        with Vertical():
            yield Static(safe(self.heading), classes="title")
            yield OptionList(*items)
            yield Static(
                self.hint or "number key or ↑↓ Enter to choose · Esc cancels", classes="hint"
            )

    def action_pick(self, number: int) -> None:
        if number == 0 and self.none_label is not None:
            self.dismiss("")
        elif 1 <= number <= len(self.options):
            self.dismiss(self.options[number - 1][0])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(int((event.option.id or "o0")[1:]))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonModal(PickerModal):
    """The protocol's exclusion reasons. Returns the reason, "" for no reason (allowed only
    when the stage does not require one), or None when cancelled."""

    DEFAULT_CSS = MODAL_CSS.format(name="ReasonModal")

    def __init__(self, reasons: Sequence[str], *, required: bool, title: str = "") -> None:
        need = "a reason is required at this stage" if required else "the reason is optional"
        super().__init__(
            title or f"Exclude: why? ({need})",
            [(reason, reason) for reason in reasons],
            none_label=None if required else "no reason",
        )


class TextModal(ModalScreen[str | None]):
    """One line of text (a note, tags, a search). Enter returns it; Escape returns None."""

    DEFAULT_CSS = MODAL_CSS.format(name="TextModal")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, title: str, value: str = "", *, hint: str = "", placeholder: str = ""):
        super().__init__()
        self.heading, self.value, self.hint, self.placeholder = title, value, hint, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe(self.heading), classes="title")
            # a note from an older review may hold control characters: not drawn, not kept
            yield Input(strip_controls(self.value), placeholder=self.placeholder)
            yield Static(self.hint or "Enter saves · Esc cancels", classes="hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """A question answered with y (or Enter) and n (or Escape)."""

    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmModal")
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="yes"),
        Binding("n,escape", "answer(False)", "No", id="no"),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.heading, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe(self.heading), classes="title")
            yield Static(safe(self.message))
            yield Static("y or Enter: yes · n or Esc: no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HelpModal(ModalScreen[None]):
    """The screen's help text and its keys; any of Escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpModal { align: center middle; background: $background 60%; }
    HelpModal > VerticalScroll {
        width: 96; max-width: 95%; height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    HelpModal Markdown { margin: 0; padding: 0; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="close")]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # markdown-it is slow to import: only when asked

        with VerticalScroll():
            yield Markdown(self.markdown)

    def action_close(self) -> None:
        self.dismiss(None)
