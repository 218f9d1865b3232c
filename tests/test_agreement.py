"""`metasift agreement` on two reviewers simulated over a real labelled set (see
tests/screening_simulation.py): kappa by hand and by scikit-learn, the JSON keys, maybe as a
category, not-retrieved at full text, a reviewer who left, and three reviewers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from screening.decisions.agreement import JSON_KEYS
from screening.decisions.outcome import CONFLICT, Vote
from screening.decisions.stage_outcomes import ClusterState
from screening.protocol import parse_protocol
from tests.screening_simulation import (
    FT,
    TA,
    Simulation,
    as_include,
    copy_review,
    invoke,
    protocol_text,
    reviewer_who_left,
    set_protocol,
    simulate,
)

EXTRAS = {"categories", "scope", "alpha_n", "former_reviewers", "methods"}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Simulation:
    return simulate(tmp_path_factory.mktemp("agreement") / "review")


@pytest.fixture(scope="module")
def with_cat(sim: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Simulation:
    return reviewer_who_left(sim, tmp_path_factory.mktemp("cat") / "review")


def rows(sim: Simulation, *args: str) -> list[dict]:
    result = invoke("agreement", "--review", sim.path, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def pairs(sim: Simulation, a: str, b: str, stage: str = TA) -> list[tuple[str, str]]:
    first, second = sim.said(a, stage), sim.said(b, stage)
    return [(as_include(first[c][0]), as_include(second[c][0])) for c in first if c in second]


def test_kappa_equals_hand_count_and_scikit_learn(sim: Simulation) -> None:
    both = pairs(sim, "ana", "ben")
    a = both.count(("include", "include"))
    b = both.count(("include", "exclude"))
    c = both.count(("exclude", "include"))
    d = both.count(("exclude", "exclude"))
    n = a + b + c + d
    po = (a + d) / n
    pe = ((a + b) * (a + c) + (c + d) * (b + d)) / n**2
    by_hand = (po - pe) / (1 - pe)

    (row,) = rows(sim, "--stage", TA)
    assert row["reviewers"] == ["ana", "ben"] and row["n"] == n == 250
    assert row["table"] == {"include": {"include": a, "exclude": b},
                            "exclude": {"include": c, "exclude": d}}  # fmt: skip
    assert row["kappa"] == pytest.approx(by_hand, abs=1e-12)
    assert row["kappa"] == pytest.approx(cohen_kappa_score(*zip(*both, strict=True)), abs=1e-12)
    assert row["agreement"] == pytest.approx(po)
    assert row["pabak"] == pytest.approx(2 * po - 1)
    assert row["kappa_ci_lb"] < row["kappa"] < row["kappa_ci_ub"]
    assert 0.6 < row["kappa"] < 0.9  # about 10% of ben's verdicts were flipped


def test_agreement_reads_votes_not_resolutions(sim: Simulation) -> None:
    """The cluster cleo resolved still counts as the disagreement ana and ben had."""
    (resolved,) = sim.resolved
    ana, ben = sim.said("ana", TA)[resolved][0], sim.said("ben", TA)[resolved][0]
    assert as_include(ana) != as_include(ben)
    disagreements = sum(1 for x, y in pairs(sim, "ana", "ben") if x != y)
    (row,) = rows(sim, "--stage", TA)
    assert row["n"] - sum(row["table"][v][v] for v in ("include", "exclude")) == disagreements


def test_json_keys_are_the_specified_ones(sim: Simulation) -> None:
    got = rows(sim)
    assert [r["stage"] for r in got] == [TA, FT]
    for row in got:
        assert tuple(row)[: len(JSON_KEYS)] == JSON_KEYS == (
            "stage", "reviewers", "n", "agreement", "kappa", "kappa_ci_lb", "kappa_ci_ub",
            "pabak", "ac1", "alpha", "table",
        )  # fmt: skip
        assert set(row) == set(JSON_KEYS) | EXTRAS
        assert "Fleiss, Cohen and Everitt (1969)" in row["methods"]["kappa"]


def test_full_text_has_not_retrieved_as_a_category(sim: Simulation) -> None:
    row = rows(sim, "--stage", FT)[0]
    both = pairs(sim, "ana", "ben", FT)
    assert row["categories"] == ["include", "exclude", "not-retrieved"]
    assert row["n"] == len(both) == 12
    for x in row["categories"]:
        for y in row["categories"]:
            assert row["table"][x][y] == both.count((x, y))
    assert row["kappa"] == pytest.approx(cohen_kappa_score(*zip(*both, strict=True)), abs=1e-12)


def test_maybe_is_a_third_category_when_the_protocol_says_so(
    sim: Simulation, tmp_path: Path
) -> None:
    own = copy_review(sim, tmp_path / "maybe")
    set_protocol(own, maybe="maybe")
    ana, ben = own.said("ana", TA), own.said("ben", TA)
    raw = [(ana[c][0], ben[c][0]) for c in ben]
    assert any(y == "maybe" for _, y in raw)
    (row,) = rows(own, "--stage", TA)
    assert row["categories"] == ["include", "exclude", "maybe"]
    assert row["table"]["include"]["maybe"] == raw.count(("include", "maybe")) > 0
    assert row["kappa"] == pytest.approx(cohen_kappa_score(*zip(*raw, strict=True)), abs=1e-12)
    assert row["kappa"] < rows(sim, "--stage", TA)[0]["kappa"]  # include vs maybe now differ


def test_a_reviewer_who_left_still_appears(with_cat: Simulation) -> None:
    got = rows(with_cat, "--stage", TA)
    by_pair = {tuple(r["reviewers"]): r for r in got}
    assert set(by_pair) == {("ana", "ben"), ("ana", "cat"), ("ben", "cat"), ("ana", "ben", "cat")}
    assert by_pair[("ana", "cat")]["n"] == 60 and by_pair[("ana", "cat")]["kappa"] == 1.0
    assert by_pair[("ana", "cat")]["former_reviewers"] == ["cat"]
    assert by_pair[("ana", "ben")]["former_reviewers"] == []
    text = invoke("agreement", "--review", with_cat.path, "--stage", TA).stdout
    assert "cat: no longer in review.toml" in text


def test_three_reviewers_give_fleiss_kappa(with_cat: Simulation) -> None:
    team = next(r for r in rows(with_cat, "--stage", TA) if r["scope"] == "team")
    said = [with_cat.said(name, TA) for name in ("ana", "ben", "cat")]
    units = [[as_include(s[c][0]) for s in said] for c in with_cat.clusters[:60]]
    assert team["n"] == len(units) == 60
    assert team["kappa"] == pytest.approx(_fleiss(units), abs=1e-12)
    assert team["table"]["include"]["3"] == sum(u.count("include") == 3 for u in units)
    assert team["kappa_ci_lb"] is None and team["pabak"] is None
    assert "Fleiss' kappa (Fleiss 1971)" in team["methods"]["kappa"]
    shared = sum(1 for c in with_cat.clusters if sum(c in s for s in said) >= 2)
    assert team["alpha_n"] == shared and team["alpha"] is not None


def _fleiss(units: list[list[str]]) -> float:
    """Fleiss (1971), eq. by eq., written out again for the test."""
    n, m = len(units), len(units[0])
    categories = sorted({v for u in units for v in u})
    p_j = [sum(u.count(q) for u in units) / (n * m) for q in categories]
    p_i = [(sum(u.count(q) ** 2 for q in categories) - m) / (m * (m - 1)) for u in units]
    p_bar, pe = sum(p_i) / n, sum(p * p for p in p_j)
    return (p_bar - pe) / (1 - pe)


def test_undefined_statistics_are_null_and_n_a_never_made_up() -> None:
    from screening.cli.agreement import _pair_lines
    from screening.decisions.agreement import stage_agreement
    from screening.decisions.outcome import Outcome

    protocol = parse_protocol(protocol_text())
    states = {
        i: ClusterState(i, i, 2, (Vote(f"a{i}", "ana", "exclude"), Vote(f"b{i}", "ben", "exclude")),
                        None, Outcome(CONFLICT))
        for i in range(1, 5)
    }  # fmt: skip
    (row,) = stage_agreement(states, protocol, TA)
    got = row.as_json()
    assert got["n"] == 4 and got["agreement"] == 1.0 and got["pabak"] == 1.0
    assert got["kappa"] is None and got["kappa_ci_lb"] is None and got["alpha"] is None
    shown = "\n".join(_pair_lines(row))
    assert "kappa n/a" in shown and "alpha n/a" in shown and "95% CI" not in shown


def test_a_kappa_interval_past_1_says_why() -> None:
    # 9 agreed includes, 9 agreed excludes, one disagreement: the Wald interval passes 1
    from screening.cli.agreement import _pair_lines
    from screening.decisions.agreement import stage_agreement
    from screening.decisions.outcome import Outcome

    protocol = parse_protocol(protocol_text())
    verdicts = [("include", "include")] * 9 + [("exclude", "exclude")] * 9
    verdicts.append(("include", "exclude"))
    states = {
        i: ClusterState(i, i, 2, (Vote(f"a{i}", "ana", a), Vote(f"b{i}", "ben", b)),
                        None, Outcome(CONFLICT))
        for i, (a, b) in enumerate(verdicts, start=1)
    }  # fmt: skip
    (row,) = stage_agreement(states, protocol, TA)
    assert row.kappa_ci is not None and row.kappa_ci[1] > 1
    assert "Wald: past kappa's bounds of -1 and 1" in "\n".join(_pair_lines(row))


def test_help_says_anyone_may_run_it() -> None:
    result = invoke("agreement", "--help")
    assert "anyone may run it" in " ".join(result.stdout.split())
    assert "Fleiss, Cohen and Everitt 1969" in " ".join(result.stdout.split())


def test_text_names_methods_and_refuses_a_stage_not_in_the_protocol(
    sim: Simulation, tmp_path: Path
) -> None:
    text = invoke("agreement", "--review", sim.path).stdout
    assert "ana \\ ben" in text and "kappa 0." in text and "95% CI" in text
    assert "Methods, per pair:" in text and "Gwet's AC1 (Gwet 2008)" in text
    # status counts a conflict over the exclusion reason alone; agreement compares verdicts
    assert "full-text (maybe counts as include; verdicts compared, not exclusion reasons)" in text
    one = copy_review(sim, tmp_path / "one")
    one.path.with_name("review.toml").write_text(
        protocol_text().replace(
            'stages = ["title-abstract", "full-text"]', 'stages = ["full-text"]'
        )
    )
    refused = invoke("agreement", "--review", one.path, "--stage", TA)
    assert refused.exit_code == 1 and "no title-abstract stage" in refused.stderr
