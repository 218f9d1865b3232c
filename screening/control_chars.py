"""Control characters in record text: dropped on import, made visible on output.

An imported title like ``Evil \\x1b]0;PWNED\\x07`` would set the terminal's title when a
listing prints it. Importers strip C0 and C1 controls (tab and newline aside) from every
normalised field; anything written to a terminal from record data goes through
``visible`` as well, because the raw records and older reviews may still hold them.
"""

from __future__ import annotations

import re

# C0 except tab (09) and newline (0a), DEL, and C1 (80-9f). Carriage return goes too:
# fields keep newlines only as "\n".
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """The text without control characters (tab and newline kept)."""
    return _CONTROLS.sub("", text)


def visible(text: str) -> str:
    """The text with each control character shown as an escape, safe to print."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
