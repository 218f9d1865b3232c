"""Writing record data to a terminal: control characters escaped, JSON streamed.

Importers strip control characters, but older reviews may still hold them, so whatever a
command prints from record data goes through here: plain text through
screening.control_chars.visible, JSON with the C1 controls escaped as well (json escapes C0
only, and a terminal may act on U+009B as on ESC [).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import click

from screening.control_chars import visible

_C1_AND_DEL = re.compile(r"[\x7f-\x9f]")


def safe_json(value: Any) -> str:
    """value as indented JSON (non-ASCII kept readable), with no raw control character."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _C1_AND_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo_json(value: Any) -> None:
    click.echo(safe_json(value))


def echo_json_array(items: Iterable[Any]) -> int:
    """Print items as one JSON array, each written as it comes: the same text as echo_json of
    the whole list, without the list in memory. Returns how many were printed."""
    count = 0
    for item in items:
        body = safe_json(item).replace("\n", "\n  ")
        click.echo(("[\n  " if not count else ",\n  ") + body, nl=False)
        count += 1
    click.echo("\n]" if count else "[]")
    return count


def echo_line(text: str, err: bool = False) -> None:
    """One line of text that may quote record data."""
    click.echo(visible(text), err=err)
