"""The order a reviewer screens in: the ordering rules, the live ranker's worker, the screen.

The review holds the first 200 records of Cohen et al. 2006 (proton pump inhibitors),
imported with the real CSV importer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from db.connection import open_review
from screening.decisions.ordering import StageOrder, verdicts_in_force
from screening.decisions.session import ScreeningSession
from screening.ranking.live import LiveRanker, Ranking
from screening.review import load_review
from screening.tui.app import make_app
from screening.tui.ranking_order import ScreenRanking
from screening.tui.screening_screen import ScreeningScreen
from tests.conftest import FIXTURES
from tests.screening_fixtures import make_review

COHEN = FIXTURES / "screening" / "cohen2006_proton_pump_inhibitors_200.csv"


def first_rows(folder: Path, rows: int = 60) -> Path:
    """The fixture's first rows (fewer records: a quicker worker)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = COHEN.read_text(encoding="utf-8").splitlines(keepends=True)[: rows + 1]
    path = folder / "cohen_60.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cohen_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cohen")
    return make_review(folder / "review", files=(first_rows(folder),))


def test_pilot_and_sample_keep_their_places_and_the_record_shown_stays() -> None:
    order = StageOrder(range(1, 11), pilot=2, seed="ana", sample=frozenset({5, 8}))
    order.mode, order.ranked = "relevance", [10, 9, 8, 7, 6, 5, 4, 3]
    # decided: 3; on screen: 4 (undecided): it leads the undecided ones, then the ranking
    assert order.arrange({3}, current=4) == [1, 2, 3, 4, 5, 10, 9, 8, 7, 6]
    order.mode = "import"
    assert list(order.arrange({3}, current=4)) == list(range(1, 11))


def test_an_empty_stage_with_an_empty_ranking_arranges_to_nothing() -> None:
    """A copy whose full-text list is empty while its reviewer has full-text decisions: the
    ranking came back as an empty float array and the screen crashed (IndexError)."""
    order = StageOrder([], seed="ana")
    order.mode, order.ranked = "relevance", np.array([])
    assert order.arrange({9, 147, 6, 23}, current=None) == []
    order = StageOrder([3, 4, 5], seed="ana")
    order.mode, order.ranked = "relevance", np.array([])
    assert order.arrange({3}, current=4) == [3, 4, 5]


def python_relevance(order: StageOrder, decided: set[int], current: int | None) -> list[int]:
    """The relevance order as plainly as it can be said (the loop the numpy arrange replaced):
    decided records in pool order, the record shown, the ranking (its records in the pool),
    then the rest."""
    head, sample = list(order.pool[: order.pilot]), order.sample or frozenset()
    fixed = set(head) | sample
    done = {r for r in decided if r not in fixed}
    stream = [r for r in order.pool if r in done]
    placed = done | fixed
    if current is not None and current not in placed:
        placed.add(current)
        stream.append(current)
    for rid in () if order.ranked is None else order.ranked:
        if rid not in placed and rid in order.pool:
            placed.add(rid)
            stream.append(rid)
    stream += [r for r in order.pool if r not in placed]
    rest = iter(stream)
    return head + [r if r in sample else next(rest) for r in order.pool[order.pilot :]]


@pytest.mark.parametrize("seed", range(40))
def test_relevance_order_is_the_plain_rule_on_any_state(seed: int) -> None:
    """Random pools (ids not in a row), pilots, samples, decisions (some outside the pool),
    the record shown (decided or not, or none) and stale rankings (decided records, ids
    outside the pool, records missing): the fast arrange gives the plain rule's list."""
    rng = np.random.default_rng(seed)
    pool = sorted(rng.choice(500, size=int(rng.integers(1, 60)), replace=False).tolist())
    rng.shuffle(pool)
    sample = frozenset(rng.choice(pool, size=int(rng.integers(0, 4))).tolist())
    order = StageOrder(pool, pilot=int(rng.integers(0, 4)), seed="s", sample=sample)
    order.pilot = min(order.pilot, len(pool))
    decided = set(rng.choice([*pool, 900, 901], size=int(rng.integers(0, 20))).tolist())
    ranked = rng.permutation([*pool, 700])[: int(rng.integers(0, len(pool) + 2))]
    order.mode, order.ranked = "relevance", ranked if seed % 2 else ranked.tolist()
    current = None if seed % 5 == 0 else int(rng.choice(pool))
    assert order.arrange(decided, current) == python_relevance(order, decided, current)


def test_random_order_is_the_same_for_a_reviewer_and_keeps_the_shared_places() -> None:
    order = StageOrder(range(1, 101), pilot=3, seed="ana", sample=frozenset({50}))
    order.mode = "random"
    first = order.arrange(set(), None)
    assert first == order.arrange(set(), None) and first != list(range(1, 101))
    assert first[:3] == [1, 2, 3] and first[49] == 50 and sorted(first) == list(range(1, 101))
    other = StageOrder(range(1, 101), pilot=3, seed="ben", sample=frozenset({50}))
    other.mode = "random"
    assert other.arrange(set(), None) != first


def test_relevance_waits_for_a_ranking_then_reorders_without_moving_the_record(
    cohen_review: Path,
) -> None:
    with load_review(cohen_review.parent) as review:
        session = ScreeningSession(review.db, review.protocol, "ben")
        session.set_order("relevance")
        assert list(session.view) == list(session.pool)  # no ranking yet: import order
        session.decide("include")
        session.decide("exclude", "wrong population")
        shown = session.current_id
        session.apply_ranking([50, 20, shown, 3])
        assert session.current_id == shown
        assert list(session.view[:5]) == [1, 2, shown, 50, 20]
        session.decide("include")
        assert session.current_id == 50


def test_the_ranker_learns_from_one_reviewers_decisions_in_a_worker(cohen_review: Path) -> None:
    db = open_review(cohen_review)
    try:
        # ben, a colleague, has decided records 1, 2, 50 and more: never sent to ana's model
        ana = ScreeningSession(db, load_review(cohen_review.parent).protocol, "ana")
        first, second = ana.pool[0], ana.pool[1]
        ana.decide("include")
        ana.decide("exclude")
        assert verdicts_in_force(ana.ledger) == {first: "include", second: "exclude"}
        ranker = LiveRanker(cohen_review, ana.pool)
        try:
            ranker.update({1: "include"})  # one class: nothing to learn, nothing sent
            assert ranker.poll(wait=True) is None  # the features, built
            ranker.update(verdicts_in_force(ana.ledger))
            ranking = ranker.poll(wait=True)
            assert ranking is not None and ranking.labels_used == 2
            assert sorted(ranking.order) == sorted(ana.pool[2:])
            assert ranking.order != list(ana.pool[2:])  # not import order
            # the same verdicts again (every redraw sends them): no retraining, no answer
            ranker.update(verdicts_in_force(ana.ledger))
            assert not ranker.busy and ranker.poll(wait=True) is None
        finally:
            ranker.close()
    finally:
        db.close()


def test_the_screen_sends_only_the_verdicts_that_changed(cohen_review: Path) -> None:
    """Per decision the screen sends what changed, not the reviewer's whole history; an undo
    takes a label back; nothing new, nothing sent."""
    with load_review(cohen_review.parent) as review:
        session = ScreeningSession(review.db, review.protocol, "cleo")
        session.set_order("relevance")
        session.decide("include")
        ranking = ScreenRanking(session)
        try:
            ranking.start()  # the verdicts so far (one class: nothing to learn yet)
            assert ranking.ranker is not None
            sent = record_updates(ranking.ranker)
            assert not ranking.poll(wait=True)  # the features, built
            session.decide("exclude")
            ranking.send()
            ranking.send()  # nothing new
            assert sent == [{session.pool[1]: "exclude"}]
            assert ranking.poll(wait=True) and ranking.rankings == 1  # the first: the header
            session.decide("exclude")
            ranking.send()
            ranking.poll(wait=True)
            assert ranking.rankings == 2
            session.undo()
            ranking.send()
            assert sent[-1] == {session.pool[2]: None}
            ranking.poll(wait=True)
            assert ranking.rankings == 3 and not ranking.ranker.busy
        finally:
            ranking.close()


def record_updates(ranker: LiveRanker) -> list[dict[int, str | None]]:
    """What the ranker is sent from now on (and still sends it on)."""
    sent: list[dict[int, str | None]] = []
    update = ranker.update

    def recorded(verdicts: dict[int, str | None]) -> None:
        sent.append(dict(verdicts))
        update(verdicts)

    ranker.update = recorded  # type: ignore[method-assign]
    return sent


class FixedRankings(LiveRanker):
    """Hands out the given rankings, one per poll, with no worker."""

    def __init__(self, orders: list[list[int]]) -> None:
        self.orders, self.failed, self._worker = orders, None, None

    def poll(self, wait: bool = False) -> Ranking | None:
        return Ranking(np.asarray(self.orders.pop(0)), 2, 0.0) if self.orders else None


def test_a_ranking_redraws_only_when_it_changes_what_follows(cohen_review: Path) -> None:
    """The record a decision moves to is prepared ahead; a ranking that keeps it in place
    costs the screen no redraw and no second preparation."""
    with load_review(cohen_review.parent) as review:
        session = ScreeningSession(review.db, review.protocol, "dan")
        session.set_order("relevance")
        shown, rest = session.current_id, list(session.pool[1:])
        ranking = ScreenRanking(session)
        ranking.ranker = FixedRankings([rest, [*rest[:1], *rest[:0:-1]], rest[::-1]])
        assert ranking.poll()  # the first ranking: the header changes
        assert not ranking.poll()  # the same record next: nothing to redraw
        assert ranking.poll() and session.upcoming() == rest[-1]  # another record next
        assert not ranking.poll() and session.current_id == shown and ranking.rankings == 3


async def test_the_screen_takes_a_new_ranking_without_moving_the_record(tmp_path: Path) -> None:
    path = make_review(tmp_path / "review", files=(first_rows(tmp_path),))
    with load_review(path.parent) as review:
        session = ScreeningSession(review.db, review.protocol, "ana")
        session.set_order("relevance")
        app = make_app(lambda: ScreeningScreen(session, ranking=True))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, ScreeningScreen) and screen.ranking is not None
            await pilot.press("i", "e", "1")
            shown = session.current_id
            for _ in range(3000):  # until the worker has answered (it builds features first)
                if screen.ranking.rankings:
                    break
                await pilot.pause(0.01)
            assert screen.ranking.rankings and session.current_id == shown
            taken = screen.ranking.rankings
            await pilot.pause(0.5)  # a new ranking redraws; the redraw must not ask again
            assert screen.ranking.rankings == taken and not screen.ranking.ranker.busy
            assert "most likely first (s)" in str(screen.query_one("#bar").render())
            await pilot.press("s")
            assert session.order.mode == "import" and session.current_id == shown


class LoggedRankings(FixedRankings):
    """FixedRankings that notes what the screen asks of it, in turn."""

    def __init__(self, orders: list[list[int]]) -> None:
        super().__init__(orders)
        self.log: list[str] = []

    def poll(self, wait: bool = False) -> Ranking | None:
        answer = super().poll(wait)
        if answer is not None:
            self.log.append("answer taken")
        return answer

    def update(self, verdicts: Mapping[int, str | None]) -> None:
        self.log.append(f"sent {dict(verdicts)}")

    def pause(self, paused: bool = True) -> None:
        self.log.append("held" if paused else "let go")


async def test_the_reading_pause_takes_the_answer_then_sends_the_decision(tmp_path: Path) -> None:
    """From a decision's key until the next record is drawn and prepared, the worker is held
    and no answer is taken (a retrain's scoring on the other core slowed the redraw); the
    pause that prepares the next record lets the worker go, takes the answer waiting and
    sends the decision, so the worker retrains while the reviewer reads, not at the next
    poll, which may be the moment of the next key."""
    path = make_review(tmp_path / "review", files=(first_rows(tmp_path, 10),))
    with load_review(path.parent) as review:
        session = ScreeningSession(review.db, review.protocol, "ana")
        session.set_order("relevance")
        app = make_app(lambda: ScreeningScreen(session, ranking=True))
        async with app.run_test(size=(120, 40)):
            screen = app.screen
            assert isinstance(screen, ScreeningScreen) and screen.ranking is not None
            screen.ranking.close()  # the real worker gives way to one the test controls
            fake = LoggedRankings([list(session.pool[2:]), list(session.pool[:1:-1])])
            screen.ranking.ranker = fake
            screen._prepare_upcoming()  # what the timer runs PREPARE_AFTER a redraw
            fake.log.clear()
            decided = session.current_id
            screen.action_decide("include")
            screen.ranking.tick()  # what the interval runs every POLL_EVERY
            assert fake.log == ["held"]  # an answer waits; nothing else on the key's path
            screen._prepare_upcoming()
            sent = f"sent {{{decided}: 'include'}}"
            assert fake.log == ["held", "let go", "answer taken", sent]
            assert screen.ranking.rankings == 2
