"""One `metasift analyse` run beyond the estimate, as text and JSON: the small-study tests
(Egger, Begg, with the k >= 10 advice), leave-one-out, and the studies a sensitivity analysis
left out for risk of bias."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from extraction.pooling.analysis import Analysis
from extraction.pooling.report import shown_scale
from extraction.pooling.result import Pooled
from extraction.pooling.small_studies import (
    BeggTest,
    EggerTest,
    advice,
    begg_test,
    egger_test,
    estimable,
)


@dataclass(frozen=True)
class SmallStudyTests:
    """None for a test that needs more studies than there are (at least 3)."""

    k: int
    egger: EggerTest | None
    begg: BeggTest | None

    @property
    def advice(self) -> str:
        return advice(self.k)


@dataclass(frozen=True)
class Extras:
    small_studies: SmallStudyTests | None = None
    leave_one_out: list[tuple[str, Pooled]] | None = None
    excluded_high_risk: Mapping[str, str] = field(default_factory=dict)  # label: judgement
    not_yet_agreed: tuple[str, ...] = ()


def small_study_tests(run: Analysis) -> SmallStudyTests:
    yi, vi = estimable(run)
    k = len(yi)
    if k < 3:
        return SmallStudyTests(k, None, None)
    return SmallStudyTests(k, egger_test(yi, vi), begg_test(yi, vi))


def extras_json(extras: Extras) -> dict[str, object]:
    out: dict[str, object] = {}
    tests = extras.small_studies
    if tests is not None:
        out["small_study_tests"] = {
            "k": tests.k,
            "advised": tests.k >= 10,
            "egger": None if tests.egger is None else vars(tests.egger),
            "begg": None if tests.begg is None else vars(tests.begg),
        }
    if extras.leave_one_out is not None:
        out["leave_one_out"] = [
            {"omitted": name, "k": p.k, "estimate": p.estimate, "se": p.se, "ci_lb": p.ci_lb,
             "ci_ub": p.ci_ub, "pval": p.pval, "tau2": p.tau2, "I2": p.i2, "Q": p.q}
            for name, p in extras.leave_one_out
        ]  # fmt: skip
    if extras.excluded_high_risk or extras.not_yet_agreed:
        out["excluded_high_risk"] = dict(extras.excluded_high_risk)
        out["risk_of_bias_not_yet_agreed"] = list(extras.not_yet_agreed)
    return out


def _p_cell(p: float) -> str:
    return "<0.0001" if p < 0.0001 else f"{p:.4f}"  # as p_words, in a column


def leave_one_out_lines(run: Analysis, rows: list[tuple[str, Pooled]]) -> list[str]:
    """A line per omitted study: the pooled estimate of the others, its CI, P, tau² and I²."""
    lines = [
        f"Leave-one-out ({run.pooled.method}):",
        f"{'omitted':<28} {'estimate':>9}  {'95% CI':<20} {'P':>8} {'tau²':>8} {'I²':>6}",
    ]
    for name, p in rows:
        ci = f"[{shown_scale(run, p.ci_lb):.3f}, {shown_scale(run, p.ci_ub):.3f}]"
        lines.append(f"{name[:28]:<28} {shown_scale(run, p.estimate):>9.3f}  {ci:<20} "
                     f"{_p_cell(p.pval):>8} {p.tau2:>8.4g} {p.i2:>5.1f}%")  # fmt: skip
    return lines
