"""The metafor 3.8-1 reference (tests/fixtures/reference/metafor_dev_reference.json) as test
parameters, and the agreement rule: relative 1e-6, absolute 1e-8 below 1. New cases in the
file are picked up without changes here."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from extraction.pooling import effect_sizes as es

REFERENCE = json.loads(
    (Path(__file__).parent / "fixtures" / "reference" / "metafor_dev_reference.json").read_text()
)
CASES = REFERENCE["cases"]


def agrees(got: float | None, want: float | None) -> bool:
    if want is None:  # metafor's NA, or an infinity JSON could not hold
        return got is None or not math.isfinite(got)
    if got is None:
        return False
    if abs(want) < 1:
        return abs(got - want) <= 1e-8
    return abs(got - want) <= 1e-6 * abs(want)


def disagreements(pairs: dict[str, tuple[float | None, float | None]]) -> dict[str, object]:
    return {k: pair for k, pair in pairs.items() if not agrees(*pair)}


def column(case: dict, name: str) -> np.ndarray:
    return np.array(case["input"][name], dtype=float)


def cells(case: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return column(case, "ai"), column(case, "bi"), column(case, "ci"), column(case, "di")


def continuity(case: dict) -> es.Continuity:
    o = case["input"]["escalc_options"]
    return es.Continuity(add=o["add"], to=o["to"], drop00=o["drop00"])


def effect_sizes(case: dict) -> tuple[np.ndarray, np.ndarray]:
    """yi and vi computed here from the case's raw input."""
    measure = case["input"]["measure"]
    if case["input"]["type"] == "dichotomous":
        sizes = es.two_by_two(measure, cells(case), continuity(case))
        return sizes.yi, sizes.vi
    arms = [column(case, k) for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")]
    compute = {
        "MD": es.mean_difference,
        "SMD": es.hedges_g_metafor,
        "SMD_revman5": es.hedges_g_revman,
    }[measure]
    return compute(*arms)
