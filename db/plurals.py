"""Counts in words ("1 record", "2 records", "1,204 clusters"), for every command's and
screen's output. It sits in db/ because db is the one package both screening and extraction
may import; it holds no query."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """n with its noun, plural unless n is 1; plural defaults to noun + "s"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
