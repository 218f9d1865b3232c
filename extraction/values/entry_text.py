"""What a reviewer types into a cell, read as the value the form stores.

Keyboard-first: an outcome is one line of names and numbers, in any order, "=" optional:

    mean 31.2 sd 4.1 n 20                 mean-sd
    mean 3.1 se 0.2 n 20 unit g/dL        mean-se, in the unit the paper gives
    ci 30.1 34.7 n 25  (mean 32.4)        mean-ci (the mean is optional)
    median 30 q1 28 q3 35 n 20            median-iqr; with min and max: median-iqr-range
    median 30 min 12 max 61 n 12          median-range
    mean 12 n 30 sd 4 from "Smith 2019"   mean-imputed-sd: an SD the paper lacks, its source
    events 3/20  (or events 3 total 20)   events
    change ...                            change from baseline instead of the final value
    note "Table 2"                        where in the paper (any cell)
    illustrative "no SD reported"         the numbers are made up, not from a report: every
                                          output made from the value says so

An arm is "label; type; n" ("BM-MSC; MSC; 20"); a study field is its text (a choice by its
name or its number in the list, yes/no as y or n, a date as YYYY-MM-DD).
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from typing import Any

from db.typed_choice import unique_match
from extraction.forms.form import Form, FormField
from extraction.values.cells import ARM, FIELD, OUTCOME, Cell

NUMBER_KEYS = ("mean", "sd", "se", "n", "median", "q1", "q3", "min", "max", "events", "total",
               "level")  # fmt: skip


class EntryError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    value: Any  # None: clear the cell
    unit: str | None = None
    note: str | None = None
    measure: str = "final"


def read_entry(form: Form, cell: Cell, text: str) -> Entry:
    """The typed text as a value for the cell; EntryError says what could not be read."""
    text = text.strip()
    if not text or text == "-":
        return Entry(None)
    if cell.item == OUTCOME:
        return _outcome(text)
    if cell.item == ARM:
        return Entry(_arm(text))
    if cell.item == FIELD:
        spec = form.field(cell.field)
        if spec is None:
            raise EntryError(f"{cell.field} is not in the form")
        value, note = _split_note(text)
        return Entry(_field(spec, value), spec.unit or None, note)
    raise EntryError(f"cannot type into {cell.label()}")


def _words(text: str) -> list[str]:
    """Words split at spaces, commas and '=' (mean=12, sd=3), but not inside quotes: a
    quoted note keeps its commas."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace += ",="
    lexer.whitespace_split, lexer.commenters = True, ""
    return list(lexer)


def _outcome(text: str) -> Entry:
    try:
        words = _words(text)
    except ValueError as e:
        raise EntryError(f"cannot read that: {e}") from None
    found: dict[str, Any] = {}
    unit = note = None
    measure = "final"
    i = 0
    while i < len(words):
        word = words[i].lower()
        rest = words[i + 1 :]
        if word == "change":
            measure, i = "change", i + 1
            continue
        if not rest:
            raise EntryError(f"{word} needs a value after it")
        if word in ("unit", "note", "from", "illustrative"):
            target = {"unit": "unit", "note": "note", "from": "sd_source"}.get(word, word)
            if target in ("sd_source", "illustrative"):
                found[target] = rest[0]
            elif target == "unit":
                unit = rest[0]
            else:
                note = rest[0]
            i += 2
        elif word == "ci":
            low, high, used = _pair(rest, "ci")
            found["ci_low"], found["ci_high"] = low, high
            i += 1 + used
        elif word == "events" and "/" in rest[0]:
            found["events"], found["total"] = (_number(p, "events") for p in rest[0].split("/", 1))
            i += 2
        elif word in NUMBER_KEYS:
            found[word], i = _number(rest[0], word), i + 2
        else:
            raise EntryError(
                f"unknown word {words[i]!r}; use {', '.join(NUMBER_KEYS)}, ci, unit, note, "
                "illustrative"
            )
    return Entry(_layout(found), unit, note, measure)


def _layout(found: dict[str, Any]) -> dict[str, Any]:
    keys = set(found)
    if "events" in keys or "total" in keys:
        kind = "events"
    elif "median" in keys:
        iqr, rng = {"q1", "q3"} & keys, {"min", "max"} & keys
        kind = "median-iqr-range" if iqr and rng else "median-iqr" if iqr else "median-range"
    elif "ci_low" in keys:
        kind = "mean-ci"
    elif "se" in keys:
        kind = "mean-se"
    elif "sd_source" in keys:
        kind = "mean-imputed-sd"
    else:
        kind = "mean-sd"
    for count in ("n", "total", "events"):
        if count in found and float(found[count]).is_integer():
            found[count] = int(found[count])
    return {"as": kind, **found}


def _pair(words: list[str], name: str) -> tuple[float, float, int]:
    """Two bounds: "30.1 34.7", "30.1-34.7" or "30.1 to 34.7"; how many words they took."""
    joined = re.match(r"^(-?[\d.]+)\s*(?:-|to)\s*(-?[\d.]+)$", " ".join(words[:3]))
    if joined and len(words) >= 3 and words[1] == "to":
        return _number(joined.group(1), name), _number(joined.group(2), name), 3
    single = re.match(r"^(-?[\d.]+)-(-?[\d.]+)$", words[0])
    if single:
        return _number(single.group(1), name), _number(single.group(2), name), 1
    if len(words) < 2:
        raise EntryError(f"{name} needs its low and high bounds")
    return _number(words[0], name), _number(words[1], name), 2


def _number(word: str, name: str) -> float:
    try:
        value = float(word)
    except ValueError:
        raise EntryError(f"{name} must be a number, not {word!r}") from None
    if not math.isfinite(value):  # float() reads nan, inf and 1e309: none is a reported number
        raise EntryError(f"{name} must be a finite number, not {word!r}")
    return value


def _arm(text: str) -> dict[str, Any]:
    parts = [p.strip() for p in text.split(";")]
    if not parts[0]:
        raise EntryError("an arm is label; type; n")
    arm: dict[str, Any] = {"label": parts[0]}
    if len(parts) > 1 and parts[1]:
        arm["type"] = parts[1]
    if len(parts) > 2 and parts[2]:
        if not parts[2].isdigit():
            raise EntryError(f"n must be a whole number, not {parts[2]!r}")
        arm["n"] = int(parts[2])
    return arm


def _split_note(text: str) -> tuple[str, str | None]:
    value, sep, note = text.partition(" note ")
    return value.strip(), (note.strip().strip('"') or None) if sep else None


def _field(spec: FormField, text: str) -> Any:
    kind = spec.type
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise EntryError(f"{spec.label} is a whole number")
        return int(text)
    if kind == "number":
        return _number(text, spec.label)
    if kind == "yes/no":
        if text.lower() not in ("y", "yes", "n", "no"):
            raise EntryError(f"{spec.label} is yes or no")
        return text.lower().startswith("y")
    if kind == "choice":
        return _choice(spec, text)
    return text


def _choice(spec: FormField, text: str) -> str:
    """A choice by its number in the list, its name or a unique start of it. A name typed in
    full beats a number: '2' of the choices 2, 3, 4+ is 2, not 3."""
    typed = text.lower()
    named = [c.lower() for c in spec.choices]
    if text.isdecimal() and 1 <= int(text) <= len(spec.choices) and typed not in named:
        return spec.choices[int(text) - 1]
    found = unique_match(typed, spec.choices, forms=lambda c: (c.lower(),))
    if len(found) == 1:
        return found[0]
    listed = ", ".join(f"{i} {c}" for i, c in enumerate(spec.choices, start=1))
    raise EntryError(f"{spec.label}: choose {listed}")
