"""Markup and character entities in record text, as plain text.

RIS, CSV and Web of Science exports carry the publisher's inline markup and HTML entities in
titles and abstracts ("CO<inf>2</inf>", "<i>Picoides arcticus</i>", "Alzheimer&#39;s",
"P &lt; 0.0001"), where PubMed XML gives the same text already parsed. plain_text makes them
agree: inline tags go (sub- and superscripts become Unicode ones where every character has
one, else plain characters), entities are decoded. Only the inline tags publishers use are
removed, so a real "<" in text ("p < 0.05", "<4 years old") stays as it is.
"""

from __future__ import annotations

import html
import re

# Inline tags of publishers' titles and abstracts (HTML, Elsevier's <inf>, JATS as Crossref
# and Lens give it: "<jats:p>", "<jats:italic>"), open or close
_INLINE = "i|b|u|em|strong|sc|scp|sub|sup|inf|italic|bold|span|small|br|p"
# (no space after "<": "a < b > c" is a comparison, not a tag)
# (any "jats:" tag: the namespace says it is markup)
_TAG = re.compile(rf"<(/?)(jats:[a-z-]+|{_INLINE})(?:\s[^<>]{{0,80}})?/?>", re.IGNORECASE)
_SCRIPT = re.compile(r"<(?:jats:)?(sub|sup|inf)>([^<>]{0,40})</(?:jats:)?\1>", re.IGNORECASE)
# Named, decimal and hexadecimal references with their semicolon; html.unescape alone would
# also decode "&copy" or "&para" without one, which can be ordinary text
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SUBSCRIPT = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUPERSCRIPT = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")
_BREAKS = ("br", "p", "title", "sec")


def plain_text(value: str | None) -> str | None:
    """The text without inline markup and with entities decoded; None stays None."""
    if not value or ("<" not in value and "&" not in value):
        return value
    if "<" in value:
        value = _SCRIPT.sub(_script, value)
        value = _TAG.sub(_drop_tag, value)
    if "&" in value:
        value = _ENTITY.sub(lambda m: html.unescape(m.group()), value)
    return value


def _script(match: re.Match[str]) -> str:
    """A sub- or superscript in Unicode when all its characters have one, else as it stands."""
    kind, text = match.group(1).lower(), match.group(2)
    table = _SUPERSCRIPT if kind == "sup" else _SUBSCRIPT
    converted = text.translate(table)
    if any(c == t for c, t in zip(text, converted, strict=True) if not c.isspace()):
        return text  # some character has no Unicode form: the plain text, markup dropped
    return converted


def _drop_tag(match: re.Match[str]) -> str:
    # a line or paragraph break stands between words; other inline tags sit inside them
    return " " if match.group(2).lower().removeprefix("jats:") in _BREAKS else ""
