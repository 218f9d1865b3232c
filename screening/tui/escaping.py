"""Record text made safe to draw: every control character shown as an escape (\\x1b).

Textual and Rich drop only a few controls (BEL, BS, VT, FF, CR) from text they draw and pass
ESC and the C1 codes through to the terminal, so a title holding "\\x1b]0;PWNED\\x07" would
retitle the window and "\\x1b[2J" clear it. Whatever a screen draws from record data, notes,
file names or the protocol goes through safe() first (screening.control_chars.visible).
"""

from __future__ import annotations

from typing import overload

from rich.text import Text

from screening.control_chars import visible


@overload
def safe(content: str) -> str: ...
@overload
def safe(content: Text) -> Text: ...
def safe(content: str | Text) -> str | Text:
    """content with its control characters escaped; a Text keeps its styles."""
    if isinstance(content, str):
        return visible(content)
    plain = content.plain
    if visible(plain) == plain:  # the common case: nothing to escape, nothing copied
        return content
    cuts = [i for i, char in enumerate(plain) if visible(char) != char]
    out = content.blank_copy()
    for piece in content.divide(sorted({*cuts, *(i + 1 for i in cuts)})):
        out.append_text(
            Text(visible(piece.plain)) if visible(piece.plain) != piece.plain else piece
        )
    return out
