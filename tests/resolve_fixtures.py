"""Reviews with conflicts for the resolving tests, the resolve screen's snapshots and tmux runs:
the real PubMed records of tests/screening_fixtures, screened by two reviewers through their
own ScreeningSessions (the way `metasift screen` writes decisions)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from screening.decisions.session import ScreeningSession
from screening.review import PROTOCOL_NAME, Review, load_review
from tests.screening_fixtures import make_review

START = datetime.fromisoformat("2026-01-05T09:30:00.000+00:00")
LATER = START.replace(hour=12)  # for a change of mind after everything a test wrote first


@dataclass(frozen=True)
class Cast:
    """A decision as a reviewer makes it on the screen."""

    verdict: str
    reason: str | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()


Verdicts = dict[int, str | Cast]  # record id -> a verdict, or a decision with more to it


def ticking(start: datetime = START) -> Callable[[], str]:
    """A clock one second later at every call: events come in a known order and snapshots
    never show today's date."""
    ticks: Iterator[int] = iter(range(1_000_000))

    def clock() -> str:
        return (start + timedelta(seconds=next(ticks))).isoformat(timespec="milliseconds")

    return clock


def make_dual_review(
    folder: Path,
    reviewers: tuple[str, ...] = ("ana", "ben"),
    team: str = 'adjudicators = ["cleo"]',
) -> Path:
    """The test review with review.toml's [screening] team keys added (team: TOML lines);
    every record needs two decisions unless team says otherwise."""
    if "decisions_required" not in team:
        team += "\ndecisions_required = { title-abstract = 2, full-text = 2 }"
    db_path = make_review(folder, reviewers=reviewers)
    protocol = folder / PROTOCOL_NAME
    protocol.write_text(protocol.read_text(encoding="utf-8") + team + "\n", encoding="utf-8")
    return db_path


def screen(
    review: Review,
    reviewer: str,
    verdicts: Verdicts,
    clock: Callable[[], str],
    stage: str = "title-abstract",
) -> None:
    """reviewer decides these records, in this order, as the screen would write them."""
    session = ScreeningSession(review.db, review.protocol, reviewer, stage, clock=clock)
    for record_id, verdict in verdicts.items():
        assert session.go_to(record_id), f"record {record_id} is not in {stage}"
        cast = verdict if isinstance(verdict, Cast) else Cast(verdict)
        if cast.note:
            session.set_note(cast.note)  # kept as a draft, saved with the decision
        if cast.tags:
            session.set_tags(cast.tags)
        session.decide(cast.verdict, cast.reason)


# Record 7 (the chlorhexidine RCT): include against exclude; record 8 (fetal rats): exclude
# against maybe (a conflict, maybe counting as include); record 9: both exclude (agreed).
TYPICAL: dict[str, Verdicts] = {
    "ana": {
        7: Cast("include", note="RCT, 2% chlorhexidine against control", tags=("rct",)),
        8: Cast("exclude", "wrong population", note="fetal rats"),
        9: "exclude",
    },
    "ben": {
        7: Cast(
            "exclude",
            "wrong population",
            note="Thirty participants; the abstract gives no ages: adults?",
            tags=("ages", "ask authors"),
        ),
        8: Cast("maybe", note="hypoplasia is one of our outcomes"),
        9: "exclude",
    },
}


def conflicted(folder: Path, team: str = 'adjudicators = ["cleo"]') -> Review:
    """The TYPICAL review in folder: two conflicts at title/abstract, records 7 and 8; opened."""
    make_dual_review(folder, team=team)
    review = load_review(folder / "review.db")
    clock = ticking()
    for reviewer, verdicts in TYPICAL.items():
        screen(review, reviewer, verdicts, clock)
    return review


@cache
def _template() -> Path:
    """The TYPICAL review, made once per test run (closed, so its WAL is folded in)."""
    base = Path(tempfile.mkdtemp(prefix="metasift-resolve-tests-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    conflicted(base / "review").close()
    return base / "review"


def copy_conflicted(folder: Path) -> Path:
    """A copy of the TYPICAL review in folder (faster than screening it again); its review.db."""
    shutil.copytree(_template(), folder)
    return folder / "review.db"
