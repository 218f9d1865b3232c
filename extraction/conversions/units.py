"""Units as papers report them, converted to the unit an outcome is analysed in.

A value is kept in the unit the paper gives, with the factor that turns it into the outcome's
unit stored beside it, so the sheet shows both and a later change of the table never alters a
value already entered. A unit that cannot be converted is refused when it is entered: never
pooled silently.

Two kinds of factor:
- the same quantity on another scale (g/dL to g/L is x10): true for any substance, so listed
  once, for mass and substance concentrations, counts and enzyme activities;
- a mass concentration to a substance concentration (bilirubin mg/dL to umol/L is x17.1):
  true for one substance only (it is 10 / its molar mass), so listed per substance. Factors
  are those of common clinical conversion tables (e.g. the AMA Manual of Style's SI table);
  a review adds or overrides any in review.toml ([[extraction.units]]).

Spellings are normalised before lookup: "µ" (micro sign) and "μ" (Greek mu) and "u" are one
prefix, "mcmol/L" too, "IU/L" is "U/L", "x10^9/L" and "10^9/L" and "/nL" are one unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from extraction.conversions.derived import ConversionError


@dataclass(frozen=True)
class UnitFactor:
    source: str  # the unit a paper reports
    target: str  # the unit the outcome is analysed in
    factor: float  # value in target = value in source x factor
    substance: str = ""  # empty: any substance


# (source, target, factor): scale changes, true for every substance
_SCALES: tuple[tuple[str, str, float], ...] = (
    ("g/dl", "g/l", 10.0),
    ("mg/dl", "mg/l", 10.0),
    ("mg/l", "ug/ml", 1.0),
    ("g/l", "mg/ml", 1.0),
    ("mg/dl", "g/l", 0.01),
    ("mmol/l", "umol/l", 1000.0),
    ("umol/l", "nmol/l", 1000.0),
    ("u/l", "ukat/l", 1 / 60),
    ("10^9/l", "10^3/ul", 1.0),
    ("10^9/l", "/ul", 1000.0),
    ("10^12/l", "10^6/ul", 1.0),
    ("%", "fraction", 0.01),
    ("days", "weeks", 1 / 7),
    ("weeks", "months", 12 / 52.1775),
    ("months", "years", 1 / 12),
    ("kg", "g", 1000.0),
    ("cm", "m", 0.01),
)

# (substance, source, target, factor): mass to substance concentration
_SUBSTANCES: tuple[tuple[str, str, str, float], ...] = (
    ("bilirubin", "mg/dl", "umol/l", 17.1),
    ("creatinine", "mg/dl", "umol/l", 88.4),
    ("urea nitrogen", "mg/dl", "mmol/l", 0.357),
    ("glucose", "mg/dl", "mmol/l", 0.0555),
    ("cholesterol", "mg/dl", "mmol/l", 0.02586),
    ("triglycerides", "mg/dl", "mmol/l", 0.01129),
    ("ammonia", "ug/dl", "umol/l", 0.587),
    ("calcium", "mg/dl", "mmol/l", 0.2495),
    ("haemoglobin", "g/dl", "mmol/l", 0.6206),
)

_MICRO = re.compile(r"^(?:µ|μ|mc)")
_SPACES = re.compile(r"\s+")


def normalise_unit(unit: str) -> str:
    """One spelling per unit: lower case, no spaces, micro as "u", "IU" as "U"."""
    text = _SPACES.sub("", unit.strip()).lower()
    text = text.replace("µ", "u").replace("μ", "u").replace("mcmol", "umol").replace("mcg", "ug")
    text = re.sub(r"^iu/", "u/", text)
    text = re.sub(r"^(?:x|×)?10(?:\^|\*\*|e)?(\d+)/", r"10^\1/", text)
    return {"/nl": "10^9/l", "/pl": "10^12/l", "g/100ml": "g/dl", "mg/100ml": "mg/dl"}.get(
        text, text
    )


class UnitTable:
    """The factors known to a review: the built-in table and review.toml's additions."""

    def __init__(self, extra: Iterable[UnitFactor] = ()) -> None:
        self._factors: dict[tuple[str, str, str], float] = {}
        for source, target, factor in _SCALES:
            self._add(UnitFactor(source, target, factor))
        for substance, source, target, factor in _SUBSTANCES:
            self._add(UnitFactor(source, target, factor, substance))
        for given in extra:  # review.toml's, last, so they override
            self._add(given)

    def _add(self, f: UnitFactor) -> None:
        key = (f.substance.lower(), normalise_unit(f.source), normalise_unit(f.target))
        self._factors[key] = f.factor
        back = (key[0], key[2], key[1])
        self._factors.setdefault(back, 1 / f.factor)

    def factor(self, source: str, target: str, substance: str = "") -> float:
        """The factor that turns a value in source into target; ConversionError if none."""
        a, b = normalise_unit(source), normalise_unit(target)
        if a == b:
            return 1.0
        for key in ((substance.lower(), a, b), ("", a, b)):
            if key in self._factors:
                return self._factors[key]
        about = f" for {substance}" if substance else ""
        raise ConversionError(
            "unit",
            f"cannot convert {source} to {target}{about}: give the value in {target}, or add "
            "the factor to review.toml ([[extraction.units]] from, to, factor, substance)",
        )
