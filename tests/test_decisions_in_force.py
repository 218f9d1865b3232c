"""One rule for the decision in force, whoever reads it: the screen's ledger and the SQL view
that status, exports, conflicts and agreement read agree after any mix of decisions, undos,
duplicate merges and splits, whatever order the events were written in; and the outcomes kept
for status and agreement (kept_outcomes.py) equal a fresh derivation after every step."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from db.connection import open_review
from db.decisions import record_decisions, reviewer_events
from db.dedup import MemberRow, replace_members
from screening.decisions.ledger import Decision, Ledger
from screening.importing import import_file
from screening.protocol import Protocol, load_protocol
from screening.review import init_review
from tests.conftest import FIXTURES
from tests.kept_outcomes_check import assert_kept_equals_derived

REVIEWERS = ("ana", "ben")
STAGES = ("title-abstract", "full-text")
VERDICTS = ("include", "exclude", "maybe")
TIMES = tuple(f"2026-01-0{d}T00:00:00.000+00:00" for d in range(1, 4))  # few: ties happen

operation = st.one_of(
    st.tuples(st.just("decide"), st.sampled_from(REVIEWERS), st.integers(0, 11),
              st.sampled_from(STAGES), st.sampled_from(VERDICTS), st.sampled_from(TIMES)),
    st.tuples(st.just("undo"), st.sampled_from(REVIEWERS), st.sampled_from(STAGES)),
    st.tuples(st.just("cluster"), st.lists(st.integers(0, 3), min_size=12, max_size=12)),
)  # fmt: skip


def _review(folder: Path) -> tuple[Path, list[int]]:
    init_review(folder, title="rule")
    db = open_review(folder / "review.db")
    import_file(db, FIXTURES / "ris" / "citesource_pubmed_46.ris")
    ids = [row[0] for row in db.execute("SELECT id FROM records ORDER BY id LIMIT 12")]
    db.close()
    return folder / "review.db", ids


def _cluster(ids: list[int], groups: list[int]) -> list[MemberRow]:
    """Records put in groups 1-3 form clusters (group 0: alone); the lowest id names each."""
    rows = []
    for group in (1, 2, 3):
        members = sorted(i for i, g in zip(ids, groups, strict=True) if g == group)
        if len(members) > 1:
            rows += [MemberRow(m, members[0], members[0], "reviewer", None, None, "x")
                     for m in members]  # fmt: skip
    return rows


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, max_size=40), order=st.randoms(use_true_random=False))
def test_ledger_and_view_agree(tmp_path_factory, ops: list, order: random.Random) -> None:
    path, ids = _review(tmp_path_factory.mktemp("r"))
    db = open_review(path)
    protocol = load_protocol(path.with_name("review.toml"))
    events: list[dict] = []
    regroupings: list[tuple[int, list[int]]] = []  # (events made before it, the groups)
    for op in ops:
        if op[0] == "decide":
            _, who, i, stage, verdict, when = op
            events.append(_event(who, ids[i], stage, verdict, when))
        elif op[0] == "undo":
            _, who, stage = op
            mine = [e for e in events if e["reviewer"] == who and e["stage"] == stage]
            live = _ledger(mine).last()
            if live:
                events.append({**_event(who, live.record_id, stage, "undo", live.created_at),
                               "undoes": live.uuid})  # fmt: skip
        else:
            regroupings.append((len(events), op[1]))
    order.shuffle(events)  # the order copies were merged in must not matter
    _write_checking(db, protocol, events, regroupings, ids)
    canonical = dict(db.execute("SELECT record_id, cluster_id FROM record_clusters"))
    view = {
        (row[0], row[1], row[2]): row[3]
        for row in db.execute("SELECT cluster_id, stage, reviewer, uuid FROM current_decisions")
    }
    for who in REVIEWERS:
        for stage in STAGES:
            ledger = Ledger(map(Decision.from_row, reviewer_events(db, who, stage)),
                            canonical.__getitem__)  # fmt: skip
            for cluster in set(canonical.values()):
                held = ledger.current(cluster)
                assert view.get((cluster, stage, who)) == (held.uuid if held else None)
    db.close()


def _write_checking(db: Database, protocol: Protocol, events: list[dict],
                    regroupings: list[tuple[int, list[int]]], ids: list[int]) -> None:  # fmt: skip
    """Write the events one at a time and regroup the records between them, checking the
    kept outcomes against a fresh derivation after every step."""
    written = 0
    for made, groups in [*regroupings, (len(events), None)]:
        for event in events[written:made]:
            record_decisions(db, [event])
            assert_kept_equals_derived(db, protocol)
        written = max(written, made)
        if groups is not None:
            with db.atomic():
                replace_members(db, _cluster(ids, groups))
            assert_kept_equals_derived(db, protocol)


def _ledger(events: list[dict]) -> Ledger:
    ordered = sorted(events, key=lambda e: (e["created_at"], e["uuid"]))
    return Ledger(Decision.from_row(e) for e in ordered)


def _event(who: str, record_id: int, stage: str, verdict: str, when: str) -> dict:
    return {"uuid": str(uuid.uuid4()), "record_id": record_id, "reviewer": who, "stage": stage,
            "verdict": verdict, "created_at": when}  # fmt: skip
