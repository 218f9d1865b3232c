"""A small review for the sheet tests: a form, two studies (one three-arm), values entered,
and an opener that hands extraction's commands the review (as screening's CLI does)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.connection import open_review
from extraction.cli.context import ExtractionReview, IncludedStudy
from extraction.forms.form import Form
from extraction.values.cells import Cell
from extraction.values.ledger import set_value
from screening.protocol import parse_protocol
from screening.review import init_review
from tests.test_extraction_values import FORM

# test_extraction_values' form, with a yes/no field besides (its design field, a choice, is
# the subgroup column of --for metafor)
YES_NO = '\n[extraction.fields.randomised]\nlabel = "Randomised"\ntype = "yes/no"\n'
TWO_ARM = str(uuid.uuid5(uuid.NAMESPACE_URL, "metasift-sheets-two-arm"))
THREE_ARM = str(uuid.uuid5(uuid.NAMESPACE_URL, "metasift-sheets-three-arm"))
STUDIES = [IncludedStudy(TWO_ARM, "Shi 2012", (1,)), IncludedStudy(THREE_ARM, "Lin 2017", (2,))]
LABELS = {s.uuid: s.label for s in STUDIES}


def make_review(folder: Path, required: int = 1) -> tuple[Database, Form]:
    init_review(folder, title="Sheets")
    toml = folder / "review.toml"
    form = FORM.replace("extractors_required = 2", f"extractors_required = {required}")
    text = toml.read_text(encoding="utf-8") + form + YES_NO
    toml.write_text(text, encoding="utf-8")
    return open_review(folder / "review.db"), parse_protocol(text, toml).form


def mean_sd(mean: float, sd: float, n: int) -> dict[str, Any]:
    return {"as": "mean-sd", "mean": mean, "sd": sd, "n": n}


def fill(db: Database, form: Form, who: str = "ana") -> None:
    """The values both analysis tests check by hand (see test_sheets_analysis.py)."""

    def put(cell: Cell, value: Any, **kw: Any) -> None:
        set_value(db, form, who, cell, value, **kw)

    put(Cell.study_field(TWO_ARM, "country"), "China")
    put(Cell.study_field(TWO_ARM, "design"), "RCT")
    put(Cell.study_field(TWO_ARM, "dose"), -1.5)  # negative: must stay a number
    put(Cell.study_field(TWO_ARM, "randomised"), True)
    put(Cell.study_field(THREE_ARM, "country"), '=HYPERLINK("http://example.com","x")')
    put(Cell.study_field(THREE_ARM, "design"), "non-randomised")
    put(Cell.arm_of(TWO_ARM, "msc"), {"label": "BM-MSC", "type": "MSC", "n": 20})
    put(Cell.arm_of(TWO_ARM, "ctl"), {"label": "SMT", "type": "standard care", "n": 16})
    albumin_in_g_dl = {"as": "mean-sd", "mean": 3.1, "sd": 0.4, "n": 20}
    put(Cell.outcome_of(TWO_ARM, "msc", "albumin", "6 months"), albumin_in_g_dl,
        unit="g/dL", note="Table 2")  # fmt: skip
    put(Cell.outcome_of(TWO_ARM, "ctl", "albumin", "6 months"),
        {"as": "mean-se", "mean": 29.5, "se": 1, "n": 16})  # fmt: skip
    put(Cell.outcome_of(TWO_ARM, "msc", "adverse", "end of follow-up"),
        {"as": "events", "events": 3, "total": 20})  # fmt: skip
    put(Cell.outcome_of(TWO_ARM, "ctl", "adverse", "end of follow-up"),
        {"as": "events", "events": 5, "total": 16})  # fmt: skip
    put(Cell.outcome_of(TWO_ARM, "msc", "albumin", "1 month", "change"), mean_sd(-1.5, 2, 20))
    put(Cell.outcome_of(TWO_ARM, "ctl", "albumin", "1 month", "change"), mean_sd(-0.5, 2, 16))
    for key, label, kind, n in (("low", "low dose", "MSC", 10), ("high", "high dose", "MSC", 10),
                                ("ctl", "control", "standard care", 12)):  # fmt: skip
        put(Cell.arm_of(THREE_ARM, key), {"label": label, "type": kind, "n": n})
    for key, value in (("low", mean_sd(30, 4, 10)), ("high", mean_sd(34, 4, 10)),
                       ("ctl", mean_sd(28, 5, 12))):  # fmt: skip
        put(Cell.outcome_of(THREE_ARM, key, "albumin", "6 months"), value)
    for key, events, total in (("low", 2, 10), ("high", 1, 10), ("ctl", 4, 12)):
        put(Cell.outcome_of(THREE_ARM, key, "adverse", "end of follow-up"),
            {"as": "events", "events": events, "total": total})  # fmt: skip


def filled_review(tmp_path: Path) -> Iterator[tuple[Database, Form, Any]]:
    """A review with fill()'s values, and its opener (the test modules' fixture)."""
    db, form = make_review(tmp_path / "review")
    fill(db, form)
    yield db, form, opener_for(db, form, tmp_path)
    db.close()


def _no_screen(factory: Any, title: str) -> None:
    raise AssertionError("the sheet commands run no screen")


def opener_for(db: Database, form: Form, folder: Path) -> Any:
    """An opener as screening's CLI hands one in, with the two studies included."""

    @contextmanager
    def opener(
        review_path: str | None, reviewer: str | None, role: str
    ) -> Iterator[ExtractionReview]:
        yield ExtractionReview(
            db, folder, form, reviewer, ("cy",), lambda: STUDIES, _no_screen, lambda: []
        )

    return opener
