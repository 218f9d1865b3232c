"""Adjudication on real reviews: the conflict queue, resolving, reopening, undo, blinding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.dedup import MemberRow, replace_members
from screening.decisions.resolving import Adjudication, ResolveError, votes_in_force
from screening.decisions.session import ScreeningSession
from screening.decisions.stage_outcomes import stage_states
from screening.review import Review, load_review
from tests.other_process import committed_rows
from tests.resolve_fixtures import LATER, Cast, copy_conflicted, make_dual_review, screen, ticking


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "review"


@pytest.fixture
def review(folder: Path) -> Iterator[Review]:
    with load_review(copy_conflicted(folder)) as r:
        yield r


def opened(folder: Path, team: str, reviewers: tuple[str, ...] = ("ana", "ben")) -> Review:
    make_dual_review(folder, reviewers, team)
    return load_review(folder / "review.db")


def queued(review: Review, who: str = "cleo", stage: str = "title-abstract") -> list[int]:
    return [s.record_id for s in Adjudication(review.db, review.protocol, who, stage).items]


def resolutions(folder: Path) -> list[tuple]:
    """The resolutions table as another connection reads it: only what was committed."""
    return committed_rows(
        folder / "review.db",
        "SELECT record_id, stage, adjudicator, verdict, reason, justification, resolves, "
        "undoes FROM resolutions ORDER BY id",
    )


def test_reviewers_who_disagree_make_the_queue_with_every_vote_shown(review) -> None:
    adjudication = Adjudication(review.db, review.protocol, "cleo")
    assert [s.record_id for s in adjudication.items] == [7, 8]  # 9: both excluded
    view = adjudication.current()
    assert (view.position, view.total, view.record.citation.pmid) == (1, 2, "23878845")
    shown = [(b.reviewer, b.decision.verdict, b.decision.reason, b.decision.note, b.decision.tags)
             for b in view.ballots]  # fmt: skip
    assert shown == [
        ("ana", "include", None, "RCT, 2% chlorhexidine against control", ("rct",)),
        ("ben", "exclude", "wrong population",
         "Thirty participants; the abstract gives no ages: adults?", ("ages", "ask authors")),
    ]  # fmt: skip
    assert not view.reopened


@pytest.mark.parametrize(("maybe", "queue"), [("include", []), ("maybe", [1])])
def test_maybe_against_include_is_a_conflict_only_when_maybe_is_a_category(
    folder, maybe: str, queue: list[int]
) -> None:
    with opened(folder, f'maybe = "{maybe}"') as review:
        clock = ticking()
        screen(review, "ana", {1: "include"}, clock)
        screen(review, "ben", {1: "maybe"}, clock)
        assert queued(review, "ana") == queue


@pytest.mark.parametrize(("must_agree", "queue"), [("true", [7]), ("false", [])])
def test_two_exclusion_reasons_are_a_conflict_at_full_text(
    folder, must_agree: str, queue: list[int]
) -> None:
    with opened(folder, f"reasons_must_agree = {must_agree}") as review:
        clock = ticking()
        for who, reason in (("ana", "wrong population"), ("ben", "wrong outcome")):
            screen(review, who, {7: "include"}, clock)
            screen(review, who, {7: Cast("exclude", reason)}, clock, stage="full-text")
        assert queued(review, "ana", "full-text") == queue
        assert queued(review, "ana") == []  # the same reasons at title/abstract never conflict


def test_resolve_writes_one_event_and_moves_on(review, folder) -> None:
    adjudication = Adjudication(review.db, review.protocol, "cleo", clock=ticking())
    votes = [v.uuid for v in adjudication.items[0].votes]
    event = adjudication.resolve("include", None, "  Adults by the trial's dates; RCT. ")
    assert resolutions(folder) == [
        (7, "title-abstract", "cleo", "include", None, "Adults by the trial's dates; RCT.",
         json.dumps(votes), None),
    ]  # fmt: skip
    assert event.resolves == tuple(votes)
    assert [s.record_id for s in adjudication.items] == [8]
    assert adjudication.current().position == 1 and adjudication.current().total == 1
    state = stage_states(review.db, review.protocol, "title-abstract")[7]
    assert (state.outcome.state, state.outcome.verdict) == ("resolved", "include")
    # full-text screening starts from the resolved title/abstract result
    assert 7 in stage_states(review.db, review.protocol, "full-text")
    assert queued(review) == [8]


def test_a_changed_vote_reopens_the_conflict(review) -> None:
    adjudication = Adjudication(review.db, review.protocol, "cleo", clock=ticking())
    adjudication.resolve("include", None, "RCT in adults")
    assert queued(review) == [8]
    later = ticking(LATER)
    screen(review, "ben", {7: Cast("exclude", "wrong study design")}, later)
    again = Adjudication(review.db, review.protocol, "cleo")
    assert [s.record_id for s in again.items] == [7, 8]
    assert again.current().reopened
    assert again.current().ballots[1].decision.reason == "wrong study design"
    screen(review, "ben", {7: "include"}, later)  # now they agree: no resolution needed
    assert queued(review) == [8]
    assert stage_states(review.db, review.protocol, "title-abstract")[7].outcome.state == "agreed"


def test_undo_writes_an_undo_event_and_brings_the_conflict_back(review, folder) -> None:
    adjudication = Adjudication(review.db, review.protocol, "cleo", clock=ticking())
    first = adjudication.resolve("include", None, "RCT in adults")
    adjudication.resolve("exclude", "wrong population", "fetal rats")
    assert adjudication.current() is None
    undone = adjudication.undo()
    assert undone is not None and undone.record_id == 8
    assert adjudication.current().state.record_id == 8
    assert resolutions(folder)[-1][3:] == ("undo", None, None, None, undone.uuid)
    assert adjudication.undo() == first  # steps back further
    assert adjudication.current().state.record_id == 7 and adjudication.current().total == 2
    assert adjudication.undo() is None
    assert Adjudication(review.db, review.protocol, "dan").undo() is None  # only one's own


def test_undo_reaches_a_resolution_made_in_an_earlier_session(review) -> None:
    Adjudication(review.db, review.protocol, "cleo", clock=ticking()).resolve("maybe", None, "x")
    later = Adjudication(review.db, review.protocol, "cleo")
    assert later.undo() is not None and queued(review) == [7, 8]


def test_a_justification_and_the_protocol_rules_are_required(review, folder) -> None:
    adjudication = Adjudication(review.db, review.protocol, "cleo")
    with pytest.raises(ResolveError, match="justification"):
        adjudication.resolve("include", None, "   ")
    with pytest.raises(ResolveError, match="not an exclusion reason"):
        adjudication.resolve("exclude", "too long", "why")
    with pytest.raises(ResolveError, match="only an exclusion"):
        adjudication.resolve("include", "wrong population", "why")
    with pytest.raises(ResolveError, match="not-retrieved"):
        adjudication.resolve("not-retrieved", None, "why")
    assert resolutions(folder) == [] and len(adjudication.items) == 2


def test_full_text_needs_a_reason_to_exclude(folder) -> None:
    with opened(folder, 'adjudicators = ["cleo"]') as review:
        clock = ticking()
        screen(review, "ana", {7: "include"}, clock)
        screen(review, "ben", {7: "include"}, clock)
        screen(review, "ana", {7: "include"}, clock, stage="full-text")
        screen(review, "ben", {7: "not-retrieved"}, clock, stage="full-text")
        adjudication = Adjudication(review.db, review.protocol, "cleo", "full-text")
        assert adjudication.current().record.full_text  # links to find the report
        with pytest.raises(ResolveError, match="needs a reason"):
            adjudication.resolve("exclude", None, "no report")
        assert adjudication.resolve("not-retrieved", None, "asked the authors twice").stage == (
            "full-text"
        )


def test_an_adjudicator_who_still_owes_a_decision_does_not_see_the_conflict(folder) -> None:
    team = 'adjudicators = ["cleo"]'
    make_dual_review(folder, reviewers=("ana", "ben", "cleo"), team=team)
    with load_review(folder / "review.db") as review:
        clock = ticking()
        screen(review, "ana", {7: "include", 8: "include"}, clock)
        screen(review, "ben", {7: "exclude", 8: "exclude"}, clock)
        screen(review, "cleo", {8: "include"}, clock)  # cleo has screened 8, not 7 yet
        adjudication = Adjudication(review.db, review.protocol, "cleo")
        assert [s.record_id for s in adjudication.items] == [8]
        assert adjudication.hidden == 1
        screen(review, "cleo", {7: "maybe"}, clock)
        assert queued(review) == [7, 8]


def test_with_nobody_listed_whoever_screened_a_stage_owes_its_records(folder) -> None:
    with opened(folder, "", reviewers=()) as review:
        clock = ticking()
        screen(review, "ana", {7: "include", 8: "include"}, clock)
        screen(review, "ben", {7: "exclude"}, clock)
        screen(review, "dan", {8: "exclude"}, clock)
        assert queued(review, "cleo") == [7, 8]  # never screened: sees every conflict
        assert queued(review, "ben") == [7]  # has not decided 8 yet
        assert Adjudication(review.db, review.protocol, "ben").hidden == 1


def test_votes_changed_since_shown_are_not_resolved_blind(review, folder) -> None:
    adjudication = Adjudication(review.db, review.protocol, "cleo")
    assert adjudication.current().state.record_id == 7
    screen(review, "ana", {7: "exclude"}, ticking(start=ticking.__defaults__[0].replace(hour=12)))  # type: ignore[index]
    with pytest.raises(ResolveError, match="changed"):
        adjudication.resolve("exclude", None, "agreed with ben")
    assert resolutions(folder) == []
    assert [s.record_id for s in adjudication.items] == [8]  # reloaded: 7 is agreed now


def test_a_conflict_across_duplicates_is_resolved_on_the_canonical_record(folder) -> None:
    with opened(folder, 'adjudicators = ["cleo"]') as review:
        clock = ticking()
        screen(review, "ana", {7: "include"}, clock)
        screen(review, "ben", {10: "exclude"}, clock)
        assert queued(review) == []
        with review.db.atomic():  # then 7 and 10 are judged one paper, 10 speaking for it
            rows = [MemberRow(m, 7, 10, "reviewer", None, None, "test") for m in (7, 10)]
            replace_members(review.db, rows)
        adjudication = Adjudication(review.db, review.protocol, "cleo", clock=clock)
        view = adjudication.current()
        assert (view.state.cluster_id, view.record.id) == (7, 10)
        assert [b.decision.record_id for b in view.ballots] == [7, 10]
        adjudication.resolve("include", None, "the RCT")
        assert resolutions(folder)[0][:4] == (10, "title-abstract", "cleo", "include")
        assert stage_states(review.db, review.protocol, "title-abstract")[7].outcome.settled


def test_the_votes_in_force_of_one_cluster_are_the_views(folder) -> None:
    with opened(folder, 'adjudicators = ["cleo"]') as review:
        clock = ticking()
        screen(review, "ana", {7: "include", 10: "exclude"}, clock)
        ScreeningSession(review.db, review.protocol, "ana", clock=clock).undo()  # 10 undone
        screen(review, "ben", {10: "maybe", 7: "exclude"}, clock)
        with review.db.atomic():
            rows = [MemberRow(m, 7, 10, "reviewer", None, None, "test") for m in (7, 10)]
            replace_members(review.db, rows)
        view = review.db.execute(
            "SELECT uuid FROM current_decisions WHERE cluster_id = 7 AND stage = 'title-abstract'"
        )
        assert votes_in_force(review.db, 7, "title-abstract") == {row[0] for row in view}
        assert len(votes_in_force(review.db, 7, "title-abstract")) == 2


def test_an_undo_after_the_votes_changed_reads_the_stage_again(review) -> None:
    adjudication = Adjudication(review.db, review.protocol, "cleo", clock=ticking())
    adjudication.resolve("include", None, "RCT")
    screen(review, "ana", {7: "exclude"}, ticking(LATER))  # now ana and ben agree on 7
    assert adjudication.undo() is not None
    assert [s.record_id for s in adjudication.items] == [8] and adjudication.resolved == 0


def test_export_decisions_lists_the_resolutions_with_their_justification(review, folder) -> None:
    from click.testing import CliRunner

    from screening.cli import cli

    Adjudication(review.db, review.protocol, "cleo").resolve("include", None, "RCT of adults")
    result = CliRunner().invoke(
        cli, ["export", "decisions", "--review", str(folder / "review.db"), "--format", "json",
              "-o", "-", "--reviewer", "cleo"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    settled = [r for r in rows if r["role"] == "adjudicator"]
    assert [(r["record_id"], r["reviewer"], r["verdict"], r["justification"], r["current"])
            for r in settled] == [(7, "cleo", "include", "RCT of adults", True)]  # fmt: skip
    assert all(r["role"] == "reviewer" for r in rows[: len(rows) - 1])
    decided = len(rows) - 1
    assert result.stderr.endswith(
        f"{decided} decisions and 1 resolution written to standard output\n"
    )
