"""The one rule for a cluster's outcome at a stage."""

from __future__ import annotations

from screening.decisions.outcome import (
    AGREED,
    CONFLICT,
    PENDING,
    RESOLVED,
    UNDECIDED,
    Resolution,
    Rules,
    Vote,
    needs_two,
    outcome,
)

DUAL = Rules(required=2)
FULL_TEXT = Rules(required=2, reasons_must_agree=True)


def vote(reviewer: str, verdict: str, reason: str | None = None) -> Vote:
    return Vote(f"{reviewer}-{verdict}-{reason}", reviewer, verdict, reason)


def test_no_votes_is_undecided_and_one_of_two_is_pending() -> None:
    assert outcome([], DUAL).state == UNDECIDED
    assert outcome([vote("ana", "include")], DUAL).state == PENDING
    assert outcome([vote("ana", "include")], Rules()).verdict == "include"


def test_two_agreeing_votes_settle_the_cluster() -> None:
    got = outcome([vote("ana", "exclude", "wrong population"), vote("ben", "exclude")], DUAL)
    assert (got.state, got.verdict, got.reason) == (AGREED, "exclude", "wrong population")


def test_maybe_counts_as_include_unless_the_protocol_says_otherwise() -> None:
    votes = [vote("ana", "include"), vote("ben", "maybe")]
    got = outcome(votes, DUAL)
    assert (got.state, got.verdict) == (AGREED, "include")
    assert outcome(votes, Rules(required=2, maybe_is_include=False)).state == CONFLICT


def test_different_exclusion_reasons_conflict_at_full_text_only() -> None:
    votes = [vote("ana", "exclude", "wrong population"), vote("ben", "exclude", "wrong outcome")]
    assert outcome(votes, FULL_TEXT).state == CONFLICT
    assert outcome(votes, DUAL).state == AGREED


def test_a_disagreement_is_a_conflict_even_where_one_decision_suffices() -> None:
    assert outcome([vote("ana", "include"), vote("ben", "exclude")], Rules()).state == CONFLICT


def test_a_resolution_holds_while_the_votes_it_settled_are_in_force() -> None:
    votes = [vote("ana", "include"), vote("ben", "exclude")]
    settled = Resolution("r1", "cleo", "exclude", "wrong design", frozenset(v.uuid for v in votes))
    got = outcome(votes, DUAL, settled)
    assert (got.state, got.verdict, got.reason) == (RESOLVED, "exclude", "wrong design")
    changed = [vote("ana", "maybe"), votes[1]]  # ana changed her vote: the conflict reopens
    assert outcome(changed, DUAL, settled).state == CONFLICT


def test_the_dual_sample_is_the_same_draw_everywhere_and_near_its_share() -> None:
    uuids = [f"00000000-0000-0000-0000-{i:012d}" for i in range(4000)]
    drawn = [u for u in uuids if needs_two("seed-1", u, 0.2)]
    assert drawn == [u for u in uuids if needs_two("seed-1", u, 0.2)]
    assert 0.18 < len(drawn) / len(uuids) < 0.22
    assert drawn != [u for u in uuids if needs_two("seed-2", u, 0.2)]
    assert all(needs_two("s", u, 1.0) for u in uuids[:10])
    assert not any(needs_two("s", u, 0.0) for u in uuids[:10])
