"""A reviewer's tags: matched without regard to case, each kept in the spelling used first, so
that "RCT" typed after "rct" is the same tag (one entry in the tag filter, not two)."""

from __future__ import annotations

from collections.abc import Iterable


def spellings(used: Iterable[str]) -> dict[str, str]:
    """Each tag in use, case-folded -> the first spelling of it in `used`."""
    spelling: dict[str, str] = {}
    for tag in used:
        spelling.setdefault(tag.casefold(), tag)
    return spelling


def clean_tags(typed: Iterable[str], spelling: dict[str, str]) -> tuple[str, ...]:
    """The tags typed, trimmed, blanks dropped, each once, in the spelling already in use (a
    tag new to `spelling` is added to it as first typed)."""
    stripped = (t.strip() for t in typed if t.strip())
    return tuple(dict.fromkeys(spelling.setdefault(t.casefold(), t) for t in stripped))


def has_tag(tags: Iterable[str], tag: str) -> bool:
    return tag.casefold() in {t.casefold() for t in tags}
