"""The one rule for which option a reviewer typed: the option typed in full, else the options
it is a start of. Risk-of-bias choices and judgements and form choices all read it this way,
so 'low' is Low even beside 'low risk', in every form. It sits in db/ because db is the one
package every feature may import (like plurals.py); it holds no query.

Callers normalise (case, hyphens) and word the error: they know what the options are called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

Option = TypeVar("Option")


def unique_match(
    typed: str,
    options: Iterable[Option],
    forms: Callable[[Option], Iterable[str]] = lambda option: (str(option),),
) -> list[Option]:
    """The options one of whose forms is typed, else those with a form starting with typed,
    in the options' order; one option is the caller's answer, more are ambiguous. Typing
    nothing names nothing, though every form starts with it."""
    if not typed:
        return []
    spelled = [(o, list(forms(o))) for o in options]
    exact = [o for o, written in spelled if typed in written]
    return exact or [o for o, written in spelled if any(f.startswith(typed) for f in written)]
