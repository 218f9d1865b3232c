"""The screening history the stopping figures read: folded from the events as the
current_decisions view rules, whether read at once or a little at a time, and the team's
history made of settled outcomes only (blinding)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from screening.decisions.session import ScreeningSession
from screening.decisions.stage_outcomes import stage_states
from screening.review import load_review
from screening.stopping.history import ScreeningLog, reviewer_history, team_history
from tests.screening_fixtures import make_review

TA = "title-abstract"


def ticking() -> Callable[[], str]:
    """A clock a second apart per call, so the order of decisions is known."""
    calls = iter(range(3600))
    return lambda: "2026-01-05T09:{:02d}:{:02d}.000+00:00".format(*divmod(next(calls), 60))


def in_force(db, reviewer: str) -> dict[int, str]:  # noqa: ANN001
    rows = db.execute(
        "SELECT cluster_id, verdict FROM current_decisions WHERE reviewer = ? AND stage = ?",
        [reviewer, TA],
    )
    return dict(rows.fetchall())


def _dual_review(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The sample review, asking two decisions per record at title/abstract."""
    folder = tmp_path / "review"
    make_review(folder)
    toml = folder / "review.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "[screening]", "[screening]\ndecisions_required = { title-abstract = 2 }"
    )
    toml.write_text(text, encoding="utf-8")
    return load_review(folder / "review.db")


def test_the_log_read_bit_by_bit_agrees_with_the_view(tmp_path: Path) -> None:
    review = load_review(make_review(tmp_path / "review"))
    session = ScreeningSession(review.db, review.protocol, "ana", clock=ticking())
    log = ScreeningLog(TA, "ana")
    steps = [("decide", 1, "include"), ("decide", 2, "exclude"), ("decide", 3, "maybe"),
             ("decide", 2, "include"), ("undo", 0, ""), ("decide", 4, "exclude"),
             ("undo", 0, ""), ("undo", 0, ""), ("decide", 5, "exclude"),
             ("decide", 3, "exclude")]  # fmt: skip
    for action, rid, verdict in steps:
        if action == "undo":
            session.undo()
        else:
            session.go_to(rid)
            session.decide(verdict, "wrong population" if verdict == "exclude" else None)
        log.read(review.db)
        assert {cid: log.verdict(cid) for cid in log.order} == in_force(review.db, "ana")
    # 1, then 2 (its include undone, its exclude stands); 4 and 3's maybe were undone, so 3
    # takes the place of its exclude, after 5
    assert list(log.order) == [1, 2, 5, 3]
    fresh = ScreeningLog(TA, "ana").read(review.db)
    assert list(fresh.order) == list(log.order)
    history = reviewer_history(review.db, TA, "ana", total=10)
    assert history.labels == fresh.labels() and (history.screened, history.left) == (4, 6)
    review.close()


def test_the_team_history_holds_settled_outcomes_only(tmp_path: Path) -> None:
    review = _dual_review(tmp_path)
    clock = ticking()
    for who, verdicts in (("ana", "iei"), ("ben", "ii")):
        session = ScreeningSession(review.db, review.protocol, who, clock=clock)
        for rid, key in enumerate(verdicts, start=1):
            session.go_to(rid)
            session.decide({"i": "include", "e": "exclude"}[key], None)
    states = stage_states(review.db, review.protocol, TA)
    team = team_history(review.db, TA, states)
    # record 1 agreed include, 2 in conflict (not settled), 3 awaits ben: one settled
    assert team.labels == (True,) and team.total == 10
    review.close()


def test_status_reads_the_same_team_history_from_the_kept_outcomes(tmp_path: Path) -> None:
    from screening.stopping.report import stopping_status

    review = _dual_review(tmp_path)
    clock = ticking()
    # first decided in the order 3, 1, 4, 2: 3 and 4 excluded by both, 1 included by both,
    # 2 in conflict, 5 undone by ana and left to ben alone
    for who, steps in (("ana", "3e 1i 4e 2i 5i"), ("ben", "3e 1i 4e 2e 5i")):
        session = ScreeningSession(review.db, review.protocol, who, clock=clock)
        for step in steps.split():
            session.go_to(int(step[0]))
            session.decide({"i": "include", "e": "exclude"}[step[1]], None)
        if who == "ana":
            session.undo()
    states = stage_states(review.db, review.protocol, TA)
    derived = team_history(review.db, TA, states)
    shown = stopping_status(review.db, review.protocol)
    assert shown is not None
    assert derived.labels == shown.guidance.history.labels == (False, True, False)
    assert shown.guidance.history.total == derived.total == 10
    assert shown.unscreened == 5
    review.close()
