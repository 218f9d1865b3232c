"""What a conversion gives back, and how it refuses input no paper can have reported."""

from __future__ import annotations

import math
from dataclasses import dataclass

from db.errors import MetasiftError


class ConversionError(MetasiftError):
    """Input no group of patients can have: names the quantity at fault, so the command line
    can name its option and the extraction form its cell."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Derived:
    """A group's mean and SD as pooling needs them, and how they were derived."""

    mean: float
    sd: float
    n: int
    method: str  # in words, for the sheet and the forest plot's footnote
    warning: str | None = None  # e.g. the data look skewed: the conversion assumes normality

    def as_json(self) -> dict[str, object]:
        return {"mean": self.mean, "sd": self.sd, "n": self.n, "method": self.method,
                "warning": self.warning}  # fmt: skip


# the largest count a float holds exactly: the formulas work in floats, and no group of
# participants comes near it, so a larger n is a slip (a huge one would overflow a float)
MAX_N = 2**53


def check_n(n: int) -> None:
    if n < 2:
        raise ConversionError("n", f"n must be at least 2 to estimate an SD (got {n})")
    if n > MAX_N:
        raise ConversionError("n", f"n must be at most {MAX_N} (2^53, beyond any real group)")


def check_finite(**values: float | None) -> None:
    for name, value in values.items():
        if value is not None and not math.isfinite(value):
            raise ConversionError(name, f"{name} must be a finite number (got {value})")


def check_order(*named: tuple[str, float | None]) -> None:
    """Each given value no greater than the next given one (min <= q1 <= median ...)."""
    given = [(name, value) for name, value in named if value is not None]
    for (low_name, low), (high_name, high) in zip(given, given[1:], strict=False):
        if low > high:
            raise ConversionError(low_name, f"{low_name} ({low:g}) is above {high_name} ({high:g})")
