"""Play the example review's screening from data/play.toml: two reviewers decide every record
at title/abstract, then full text, each through a ScreeningSession (as `metasift screen`
does), and the adjudicator settles their conflicts through an Adjudication (as `metasift
resolve` does)."""

from __future__ import annotations

import tomllib
from collections import Counter
from typing import Any

from sqlite_utils import Database

from screening.decisions.resolving import Adjudication
from screening.decisions.session import ScreeningSession
from screening.demo.example import Say, data_file
from screening.protocol import Protocol

REVIEWERS = ("ana", "ben")
ADJUDICATOR = "cleo"
Verdict = tuple[str, str | None]  # verdict, exclusion reason


def load_play() -> dict[str, Any]:
    """data/play.toml: what the fictional team decides, answers and extracts."""
    return tomllib.loads(data_file("play.toml").read_text("utf-8"))


def play_screening(db: Database, protocol: Protocol, play: dict[str, Any], say: Say) -> None:
    """Both stages: each reviewer's decisions, then the adjudicator's resolutions."""
    for stage in protocol.stages:
        script = play[stage]
        for reviewer in REVIEWERS:
            made = _screen(db, protocol, reviewer, stage, script)
            shown = ", ".join(f"{count} {verdict}" for verdict, count in sorted(made.items()))
            say(f"{stage}: {reviewer} screened {sum(made.values())} records ({shown})")
        settled = _resolve(db, protocol, stage, script)
        say(f"{stage}: {ADJUDICATOR} resolved {settled} conflicts between ana and ben, "
            "each with a justification")  # fmt: skip


def verdict_for(script: dict[str, Any], reviewer: str, pmid: str) -> Verdict:
    """What the script has this reviewer decide on the record with this PMID."""
    for conflict in script.get("conflicts", []):
        if conflict["pmid"] == pmid:
            return conflict[reviewer], conflict.get(f"{reviewer}_reason")
    for verdict in ("include", "maybe", "not-retrieved"):
        if pmid in script.get(verdict, []):
            return verdict, None
    for excluded in script.get("exclude", []):
        if excluded["pmid"] == pmid:
            return "exclude", excluded["reason"]
    return "exclude", None  # title/abstract: everything not listed


def _screen(
    db: Database, protocol: Protocol, reviewer: str, stage: str, script: dict[str, Any]
) -> Counter[str]:
    """Decide every record of the stage in the session's order; the verdicts made."""
    session = ScreeningSession(db, protocol, reviewer, stage)
    made: Counter[str] = Counter()
    while session.counts().undecided:
        if session.decision(session.current_id or 0) is not None:
            session.next_undecided()
        record_id = session.current_id
        if record_id is None:
            break
        verdict, reason = verdict_for(script, reviewer, _pmid(db, record_id))
        session.decide(verdict, reason)
        made[verdict] += 1
    return made


def _resolve(db: Database, protocol: Protocol, stage: str, script: dict[str, Any]) -> int:
    adjudication = Adjudication(db, protocol, ADJUDICATOR, stage)
    settled = 0
    while adjudication.items:
        view = adjudication.current()
        assert view is not None  # items is not empty
        pmid = _pmid(db, view.state.record_id)
        found = next(c for c in script["conflicts"] if c["pmid"] == pmid)
        adjudication.resolve(found["cleo"], found.get("cleo_reason"), found["why"])
        settled += 1
    return settled


def _pmid(db: Database, record_id: int) -> str:
    return str(db.table("records").get(record_id)["pmid"])
