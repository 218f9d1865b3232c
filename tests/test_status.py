"""`metasift status` counts records once deduplicated (clusters) per stage, not decision
events, on two reviewers simulated over a real labelled set (tests/screening_simulation.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.screening_simulation import (
    FT,
    TA,
    Simulation,
    as_include,
    invoke,
    reviewer_who_left,
    simulate,
)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Simulation:
    return simulate(tmp_path_factory.mktemp("status") / "review")


def status(sim: Simulation) -> dict:
    result = invoke("status", "--review", sim.path, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def expected(sim: Simulation, stage: str, clusters: list[int]) -> dict:
    """The stage's counts from the simulation's own record of who said what (two decisions
    required everywhere; at full text two exclusions must give the same reason)."""
    ana, ben = sim.said("ana", stage), sim.said("ben", stage)
    votes = Counter(int(c in ana) + int(c in ben) for c in clusters)
    settled, conflict = Counter(), 0
    for c in (c for c in clusters if c in ana and c in ben):
        same = as_include(ana[c][0]) == as_include(ben[c][0])
        if same and (stage == TA or ana[c][1] == ben[c][1]):
            settled[as_include(ana[c][0])] += 1
        elif c in sim.resolved and stage == TA:
            settled[sim.resolved[c]] += 1
        else:
            conflict += 1
    return {
        "stage": stage, "records": len(clusters), "undecided": votes[0],
        "decided_by_one": votes[1], "decided_by_two_or_more": votes[2], "awaiting": votes[1],
        "complete": votes[2], "conflict": conflict,
        "resolved": len(sim.resolved) if stage == TA else 0,
        "included": settled["include"], "excluded": settled["exclude"], "maybe": 0,
        "not_retrieved": settled["not-retrieved"],
        "reviewers": [{"reviewer": name, "decided": len(said), "of": len(clusters), "listed": True}
                      for name, said in (("ana", ana), ("ben", ben))],
    }  # fmt: skip


def test_status_counts_clusters_per_stage(sim: Simulation) -> None:
    summary = status(sim)
    assert summary["records"] == 300 and summary["clusters"] == 298 == len(sim.clusters)
    title_abstract, full_text = summary["stages"]
    assert title_abstract == expected(sim, TA, sim.clusters)
    assert full_text == expected(sim, FT, sim.full_text)
    assert title_abstract["conflict"] > 10 and title_abstract["resolved"] == 1
    assert full_text["conflict"] == 3  # a not-retrieved, a reason and a flipped verdict
    assert full_text["included"] + full_text["excluded"] + full_text["not_retrieved"] == 9


def test_a_duplicate_decided_on_either_copy_counts_once(sim: Simulation) -> None:
    # ben decided the second copy of each flagged duplicate pair, ana the first
    (ta,) = (s for s in status(sim)["stages"] if s["stage"] == TA)
    ben = next(r for r in ta["reviewers"] if r["reviewer"] == "ben")
    assert sim.other_copy and ben["decided"] == 250


def test_status_text_shows_the_deduplicated_figure_and_progress(sim: Simulation) -> None:
    text = invoke("status", "--review", sim.path).stdout
    counts = expected(sim, TA, sim.clusters)
    assert "300 records, 298 after deduplication" in text
    assert "title-abstract: 298 records to screen" in text
    assert f"in conflict {counts['conflict']}, resolved 1" in text
    assert "  ana      298 of 298 (100%)\n  ben      250 of 298 (84%)\n" in text
    assert "not retrieved 1" in text


def test_a_reviewer_who_left_keeps_counting(sim: Simulation, tmp_path: Path) -> None:
    three = reviewer_who_left(sim, tmp_path / "cat")
    (ta,) = (s for s in status(three)["stages"] if s["stage"] == TA)
    assert ta["reviewers"][-1] == {"reviewer": "cat", "decided": 60, "of": 298, "listed": False}
    before = expected(sim, TA, sim.clusters)
    # cat's 60 clusters all had ana's and ben's decisions: still decided by two or more
    assert ta["decided_by_two_or_more"] == before["decided_by_two_or_more"]
    assert ta["decided_by_one"] == before["decided_by_one"]
    text = invoke("status", "--review", three.path).stdout
    assert "no longer in review.toml; decisions kept" in text


def test_help_documents_the_json_keys() -> None:
    text = " ".join(invoke("status", "--help").stdout.split())
    for key in ("clusters", "decided_by_one", "awaiting", "conflict", "not_retrieved", "listed"):
        assert key in text
