"""WidgetOptions: the keyword arguments every Textual widget takes, so that a widget of ours
passes them on to Textual with their types checked."""

from __future__ import annotations

from typing import TypedDict


class WidgetOptions(TypedDict, total=False):
    name: str | None
    id: str | None
    classes: str | None
    disabled: bool
