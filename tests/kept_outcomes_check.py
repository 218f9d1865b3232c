"""The check every test of the kept outcomes makes: brought up to date, they equal a fresh
derivation of every cluster by stage_outcomes.stage_states (formatted here, not by the code
under test)."""

from __future__ import annotations

from sqlite_utils import Database

from db.cluster_outcomes import kept_rows
from screening.decisions.kept_outcomes import read_kept
from screening.decisions.progress import states_by_stage
from screening.protocol import Protocol


def fresh_rows(db: Database, protocol: Protocol) -> tuple[list[tuple], list[tuple]]:
    outcomes, votes = [], []
    for stage, states in states_by_stage(db, protocol).items():
        for s in states.values():
            outcomes.append((stage, s.cluster_id, s.record_id, s.required, len(s.votes),
                             s.outcome.state, s.outcome.verdict, s.outcome.reason))  # fmt: skip
            votes += [(stage, s.cluster_id, v.reviewer, v.verdict, n)
                      for n, v in enumerate(s.votes)]  # fmt: skip
    return sorted(outcomes), sorted(votes)


def assert_kept_equals_derived(db: Database, protocol: Protocol) -> None:
    kept = read_kept(db, protocol, kept_rows)
    assert kept is not None, "the kept outcomes could not be brought up to date"
    assert (sorted(kept[0]), sorted(kept[1])) == fresh_rows(db, protocol)
