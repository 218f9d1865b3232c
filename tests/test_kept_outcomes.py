"""The kept cluster outcomes (screening/decisions/kept_outcomes.py) always equal a fresh
derivation, whatever changes an input: decisions and undos (kept up to date by the write
itself, or left to the next reader), resolutions, dedup merges and splits, sources removed
and restored, records imported, review.toml's rules edited, events rewritten behind
metasift's back; and status and agreement read from them say what the derivation says."""

from __future__ import annotations

import atexit
import dataclasses
import json
import shutil
import sqlite3
import tempfile
import uuid
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.cluster_outcomes import kept_rows, narrowing_holds
from db.decisions import record_decisions
from db.dedup import MemberRow, replace_members
from db.errors import MetasiftError
from db.source_events import set_source_removed
from screening.decisions import kept_outcomes
from screening.decisions.agreement import review_agreement, stage_agreement
from screening.decisions.copying import copy_review
from screening.decisions.kept_outcomes import is_current, keep_fresh, read_kept
from screening.decisions.progress import review_progress, stage_progress, states_by_stage
from screening.decisions.resolving import Adjudication
from screening.decisions.session import ScreeningSession
from screening.decisions.stage_outcomes import stage_states
from screening.importing import import_file
from screening.protocol import Protocol
from screening.review import Review, load_review
from tests.kept_outcomes_check import assert_kept_equals_derived, fresh_rows
from tests.resolve_fixtures import copy_conflicted
from tests.screening_fixtures import ENTREZ, make_review

STAGES = ("title-abstract", "full-text")
TIMES = tuple(f"2026-01-0{d}T00:00:00.000+00:00" for d in range(1, 4))  # few: ties happen
ONE_MORE = ENTREZ / "hawc" / "efetch_abstract_markup_29186030.xml"  # one record, not yet in

operation = st.one_of(
    st.tuples(st.just("decide"), st.sampled_from(("ana", "ben", "cleo")), st.integers(1, 10),
              st.sampled_from(STAGES), st.sampled_from(("include", "exclude", "maybe")),
              st.sampled_from((None, "wrong population", "other")), st.sampled_from(TIMES),
              st.booleans()),
    st.tuples(st.just("undo"), st.sampled_from(("ana", "ben")), st.sampled_from(STAGES),
              st.sampled_from((None, 1, 9)), st.booleans()),
    st.tuples(st.just("resolve"), st.integers(1, 10), st.sampled_from(STAGES),
              st.sampled_from(("include", "exclude")), st.booleans()),
    st.tuples(st.just("cluster"), st.lists(st.integers(0, 3), min_size=10, max_size=10)),
    st.tuples(st.just("source"), st.integers(1, 4), st.booleans()),
    st.tuples(st.just("rules"), st.sampled_from((0.0, 0.5, 1.0)), st.booleans(), st.booleans()),
    st.tuples(st.just("import")),
)  # fmt: skip


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="metasift-kept-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return make_review(folder / "review")


def _fresh_review(tmp: Path) -> Review:
    shutil.copytree(_template().parent, tmp / "review")
    return load_review(tmp / "review" / "review.db")


def _event(who: str, rid: int, stage: str, verdict: str, when: str, **more: object) -> dict:
    return {"uuid": str(uuid.uuid4()), "record_id": rid, "reviewer": who, "stage": stage,
            "verdict": verdict, "created_at": when, **more}  # fmt: skip


def _apply(review: Review, protocol: Protocol, op: tuple) -> Protocol:
    """One change to the review; returns the protocol in force after it."""
    db = review.db
    if op[0] == "decide":
        _, who, rid, stage, verdict, reason, when, hooked = op
        reason = reason if verdict == "exclude" else None
        then = (lambda d: keep_fresh(d, protocol)) if hooked else None
        record_decisions(db, [_event(who, rid, stage, verdict, when, reason=reason)], then)
    elif op[0] == "undo":
        _undo(review, protocol, *op[1:])
    elif op[0] == "resolve":
        _resolve(review, protocol, *op[1:])
    elif op[0] == "cluster":
        with db.atomic():
            replace_members(db, _clusters(op[1]))
    elif op[0] == "source":
        try:
            set_source_removed(db, op[1], op[2], "ana")
        except MetasiftError:
            pass  # already so
    elif op[0] == "rules":
        shares = {"title-abstract": op[1], "full-text": 1.0 - op[1]}
        return dataclasses.replace(
            protocol, dual_share=shares, maybe_is_include=op[2], reasons_must_agree=op[3]
        )
    elif not db.execute("SELECT 1 FROM sources WHERE file_name = ?", [ONE_MORE.name]).fetchone():
        import_file(db, ONE_MORE)
        if db.conn.in_transaction:
            db.conn.commit()
    return protocol


def _undo(review: Review, protocol: Protocol, who: str, stage: str, on: int | None,
          hooked: bool) -> None:  # fmt: skip
    """Undo the reviewer's latest decision in force at the stage, if any."""
    row = review.db.execute(
        "SELECT uuid, record_id FROM current_decisions WHERE reviewer = ? AND stage = ? "
        "ORDER BY created_at DESC, uuid DESC LIMIT 1",
        [who, stage],
    ).fetchone()
    if row:
        then = (lambda d: keep_fresh(d, protocol)) if hooked else None
        # an undo names the event it cancels; the record it carries is not read (a merged
        # copy's undo may carry another)
        undo = _event(who, on or row[1], stage, "undo", TIMES[-1], undoes=row[0])
        record_decisions(review.db, [undo], then)


def _resolve(review: Review, protocol: Protocol, rid: int, stage: str, verdict: str,
             matching: bool) -> None:  # fmt: skip
    """A resolution that settles the votes in force now (matching) or some that are gone."""
    states = stage_states(review.db, protocol, stage)
    state = next((s for s in states.values() if rid in (s.cluster_id, s.record_id)), None)
    resolves = [v.uuid for v in state.votes] if state and matching else [str(uuid.uuid4())]
    row = {"uuid": str(uuid.uuid4()), "record_id": rid, "stage": stage, "adjudicator": "cleo",
           "verdict": verdict, "justification": "j", "resolves": json.dumps(resolves),
           "created_at": TIMES[1]}  # fmt: skip
    with review.db.atomic():
        review.db.table("resolutions").insert(row)
        keep_fresh(review.db, protocol)


def _clusters(groups: list[int]) -> list[MemberRow]:
    """Records 1-10 put in groups 1-3 form clusters (group 0: alone); the lowest id names
    each; group 3 shows its highest."""
    rows = []
    for group in (1, 2, 3):
        members = [rid for rid, g in enumerate(groups, start=1) if g == group]
        shown = members[-1 if group == 3 else 0] if members else 0
        if len(members) > 1:
            rows += [MemberRow(m, members[0], shown, "reviewer", None, None, "x")
                     for m in members]  # fmt: skip
    return rows


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, max_size=25))
def test_kept_outcomes_equal_the_derivation_after_every_change(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple]
) -> None:
    review = _fresh_review(tmp_path_factory.mktemp("kept"))
    protocol = review.protocol
    try:
        for op in ops:
            current = is_current(review.db, protocol)
            protocol = _apply(review, protocol, op)
            if current and op[0] in ("decide", "undo") and op[-1]:
                assert is_current(review.db, protocol), "the write left its clusters stale"
            assert_kept_equals_derived(review.db, protocol)
        derived = states_by_stage(review.db, protocol)
        assert review_progress(review.db, protocol) == [
            stage_progress(states, protocol, stage) for stage, states in derived.items()
        ]
        assert review_agreement(review.db, protocol) == [
            row for stage, states in derived.items()
            for row in stage_agreement(states, protocol, stage)
        ]  # fmt: skip
    finally:
        review.close()


def _decided(review: Review) -> None:
    events = [_event("ana", rid, "title-abstract", "include", TIMES[0]) for rid in range(1, 7)]
    events += [_event("ben", rid, "title-abstract", v, TIMES[1])
               for rid, v in zip(range(1, 5), ["include", "exclude"] * 2, strict=True)]  # fmt: skip
    record_decisions(review.db, events)


def test_an_edited_rule_rebuilds_them(tmp_path: Path) -> None:
    review = _fresh_review(tmp_path)
    _decided(review)
    assert_kept_equals_derived(review.db, review.protocol)
    shared = dataclasses.replace(review.protocol, dual_share={"title-abstract": 1.0})
    assert not is_current(review.db, shared)
    assert_kept_equals_derived(review.db, shared)
    assert review_progress(review.db, review.protocol)[0].awaiting == 0
    assert review_progress(review.db, shared)[0].awaiting == 2  # 5 and 6: ben's is missing
    review.close()


def test_an_event_deleted_behind_metasifts_back_rebuilds_them(tmp_path: Path) -> None:
    review = _fresh_review(tmp_path)
    _decided(review)
    assert_kept_equals_derived(review.db, review.protocol)
    with sqlite3.connect(review.path) as shell:  # as the sqlite3 shell would
        shell.execute("DELETE FROM decisions WHERE reviewer = 'ben' AND record_id = 2")
    assert not is_current(review.db, review.protocol)
    assert_kept_equals_derived(review.db, review.protocol)
    review.close()


def test_a_reader_that_cannot_write_derives_instead(tmp_path: Path) -> None:
    review = _fresh_review(tmp_path)
    _decided(review)
    expected = review_progress(review.db, review.protocol)
    with sqlite3.connect(review.path) as shell:
        shell.execute("DELETE FROM decisions WHERE reviewer = 'ben' AND record_id = 2")
    review.db.execute("PRAGMA query_only = ON")  # as a read-only file answers
    assert read_kept(review.db, review.protocol, kept_rows) is None
    assert review_progress(review.db, review.protocol) != expected
    derived = states_by_stage(review.db, review.protocol)
    assert review_progress(review.db, review.protocol) == [
        stage_progress(states, review.protocol, stage) for stage, states in derived.items()
    ]
    review.close()


def test_many_marked_clusters_are_rebuilt_whole(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(kept_outcomes, "REBUILD_AT", 2)
    review = _fresh_review(tmp_path)
    assert_kept_equals_derived(review.db, review.protocol)
    _decided(review)  # six clusters marked
    assert_kept_equals_derived(review.db, review.protocol)
    review.close()


def test_a_reviewers_copy_keeps_no_one_elses_verdicts(tmp_path: Path) -> None:
    review = _fresh_review(tmp_path)
    _decided(review)
    assert_kept_equals_derived(review.db, review.protocol)
    copy = copy_review(review, "ana", tmp_path / "for-ana").path
    review.close()
    with sqlite3.connect(copy) as shell:
        kept = shell.execute("SELECT DISTINCT reviewer FROM cluster_outcome_votes").fetchall()
        outcomes = shell.execute("SELECT count(*) FROM cluster_outcomes").fetchone()[0]
    assert (kept, outcomes) == ([], 0)
    with load_review(copy) as theirs:  # derived anew from ana's own events when first read
        assert_kept_equals_derived(theirs.db, theirs.protocol)
        assert {r[2] for r in fresh_rows(theirs.db, theirs.protocol)[1]} == {"ana"}


def test_the_views_are_the_texts_narrowed_for_a_few_clusters(tmp_path: Path) -> None:
    """A migration that redefines current_decisions or current_resolutions must narrow the new
    text too (db/cluster_outcomes.py); until then the kept outcomes are rebuilt whole."""
    review = _fresh_review(tmp_path)
    assert narrowing_holds(review.db)
    review.close()


def test_a_record_moving_to_another_cluster_leaves_its_old_one(tmp_path: Path) -> None:
    """Record 5 leaves cluster 1 (whose rows stay as they were) for a new cluster: both
    clusters change, though only record 5's row was written, by an INSERT OR REPLACE on a
    connection without recursive triggers (the sqlite3 shell's default; sqlite-utils turns
    them on), where the row replaced fires no delete trigger."""
    review = _fresh_review(tmp_path)
    before = _clusters([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    after = [r for r in _clusters([1, 1, 0, 0, 2, 2, 0, 0, 0, 0]) if r not in before]
    for rows in (before, after):  # after: the rows of 5 and 6 only
        with sqlite3.connect(review.path) as shell:
            marks = ", ".join("?" * len(MemberRow._fields))
            shell.executemany(f"INSERT OR REPLACE INTO dedup_members VALUES ({marks})", rows)
        if rows is before:
            record = _event("ana", 5, "title-abstract", "include", TIMES[0])
            record_decisions(review.db, [record])
        assert_kept_equals_derived(review.db, review.protocol)
    review.close()


def test_the_screen_and_the_resolve_screen_keep_them_as_they_write(tmp_path: Path) -> None:
    review = _fresh_review(tmp_path)
    assert_kept_equals_derived(review.db, review.protocol)
    ana = ScreeningSession(review.db, review.protocol, "ana")
    ana.decide("include")
    ben = ScreeningSession(review.db, review.protocol, "ben")
    ben.decide("exclude", reason="other")
    ben.undo()
    ben.decide("exclude", reason="other")
    assert is_current(review.db, review.protocol)
    assert_kept_equals_derived(review.db, review.protocol)
    review.close()
    with load_review(copy_conflicted(tmp_path / "conflicted")) as review:  # 7 and 8
        assert_kept_equals_derived(review.db, review.protocol)
        adjudication = Adjudication(review.db, review.protocol, "cleo")
        adjudication.resolve("include", justification="the abstract names a control group")
        assert is_current(review.db, review.protocol)
        assert_kept_equals_derived(review.db, review.protocol)
        assert review_progress(review.db, review.protocol)[0].resolved == 1
