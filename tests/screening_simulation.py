"""Two reviewers simulated on a real labelled set, for the agreement and status tests.

The records are the first 300 rows of Nagtegaal et al. 2019 (nudging healthcare
professionals; CC0, Harvard Dataverse 10.7910/DVN/WMGPGZ), imported with the real CSV
importer. The dataset flags two duplicate pairs (rows 169 and 276); they are clustered as
deduplication would, so 300 records make 298 clusters. Title-abstract and full text each
need two decisions.

- ana follows label_ti_ab on every cluster, changing her mind once and undoing once;
- ben decides the first 250 clusters, follows the label except where a seeded draw flips it
  (about 10%), and writes maybe on some includes; on a duplicate cluster he decides the
  other copy of the paper;
- cleo, the adjudicator, resolves the first title-abstract conflict;
- at full text both decide the first 12 clusters, with a not-retrieved, a disagreement over
  it, an exclusion-reason disagreement and a flip.

What each reviewer's decision in force should be is kept in plain dicts, so the tests count
what status and agreement must say without going through the code under test.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from sqlite_utils import Database

from db.connection import open_review
from db.decisions import record_decisions
from db.dedup import MemberRow, replace_members
from screening.cli import cli
from screening.importing import import_file
from screening.protocol import template
from screening.review import PROTOCOL_NAME, init_review
from tests.conftest import FIXTURES

SLICE = FIXTURES / "screening" / "nagtegaal2019_nudging_healthcare_300.csv"
BEN_CLUSTERS = 250
FLIP_SEED, FLIP_SHARE, MAYBE_SHARE = 2019, 0.10, 0.2
TA, FT = "title-abstract", "full-text"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Simulation:
    path: Path  # review.db
    clusters: list[int]  # cluster ids (lowest record id), in import order
    other_copy: dict[int, int]  # cluster -> its second record (the dataset's duplicates)
    labels: dict[int, tuple[bool, bool]]  # cluster -> (label_ti_ab, label_included)
    votes: dict[tuple[str, str], dict[int, tuple[str, str | None]]] = field(default_factory=dict)
    resolved: dict[int, str] = field(default_factory=dict)  # title-abstract cluster -> verdict
    full_text: list[int] = field(default_factory=list)  # clusters sent on to full text
    events: list[dict] = field(default_factory=list)
    clock: int = 0

    def said(self, reviewer: str, stage: str) -> dict[int, tuple[str, str | None]]:
        return self.votes.setdefault((reviewer, stage), {})

    def decide(self, reviewer: str, stage: str, cluster: int, verdict: str,
               reason: str | None = None, record: int | None = None,
               undoes: str | None = None) -> dict:  # fmt: skip
        self.clock += 1
        when = START + timedelta(seconds=self.clock)
        event = {
            "uuid": str(uuid.uuid4()), "record_id": record or cluster, "reviewer": reviewer,
            "stage": stage, "verdict": verdict, "reason": reason, "undoes": undoes,
            "created_at": when.isoformat(timespec="milliseconds"),
        }  # fmt: skip
        self.events.append(event)
        if verdict == "undo":
            return event
        self.said(reviewer, stage)[cluster] = (verdict, reason)
        return event


def protocol_text(reviewers: tuple[str, ...] = ("ana", "ben"), maybe: str = "include") -> str:
    text = template("Nudging healthcare professionals")
    names = ", ".join(f'"{n}"' for n in reviewers)
    return (
        text.replace("reviewers = []", f"reviewers = [{names}]")
        .replace("adjudicators = []", 'adjudicators = ["cleo"]')
        .replace(
            "decisions_required = { title-abstract = 1, full-text = 1 }",
            "decisions_required = { title-abstract = 2, full-text = 2 }",
        )
        .replace('maybe = "include"', f'maybe = "{maybe}"')
    )


def simulate(folder: Path) -> Simulation:
    folder.mkdir(parents=True)
    (folder / PROTOCOL_NAME).write_text(protocol_text(), encoding="utf-8")
    sim = _import(init_review(folder))
    _title_abstract(sim)
    db = open_review(sim.path)
    try:
        record_decisions(db, sim.events)
        sim.events = []
        _resolve_first_conflict(sim, db)
        _full_text(sim)
        record_decisions(db, sim.events)
    finally:
        db.close()
    return sim


def copy_review(sim: Simulation, folder: Path) -> Simulation:
    """The simulated review copied into folder, to change without touching the original."""
    shutil.copytree(sim.path.parent, folder)
    votes = {key: dict(said) for key, said in sim.votes.items()}
    return replace(sim, path=folder / sim.path.name, votes=votes, events=[])


def add_reviewer(sim: Simulation, name: str, clusters: list[int]) -> None:
    """Another reviewer who follows label_ti_ab on these clusters."""
    for cluster in clusters:
        sim.decide(name, TA, cluster, "include" if sim.labels[cluster][0] else "exclude")
    db = open_review(sim.path)
    try:
        record_decisions(db, sim.events)
    finally:
        db.close()
    sim.events = []


def reviewer_who_left(sim: Simulation, folder: Path) -> Simulation:
    """A copy where a third reviewer, cat, decided the first 60 clusters (all of which ana
    and ben decided too), then was taken out of review.toml."""
    three = copy_review(sim, folder)
    set_protocol(three, reviewers=("ana", "ben", "cat"))
    add_reviewer(three, "cat", three.clusters[:60])
    set_protocol(three, reviewers=("ana", "ben"))
    return three


def set_protocol(
    sim: Simulation, reviewers: tuple[str, ...] = ("ana", "ben"), maybe: str = "include"
) -> None:
    text = protocol_text(reviewers, maybe)
    sim.path.with_name(PROTOCOL_NAME).write_text(text, encoding="utf-8")


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _import(path: Path) -> Simulation:
    rows = {r["record_id"]: r for r in csv.DictReader(SLICE.open(encoding="utf-8"))}
    db = open_review(path)
    try:
        import_file(db, SLICE)
        if db.conn.in_transaction:
            db.conn.commit()
        ids = dict(db.execute("SELECT source_record_id, id FROM records").fetchall())
        pairs = {ids[r["record_id"]]: ids[r["duplicate_of_record_id"]]
                 for r in rows.values() if r["duplicate_of_record_id"]}  # fmt: skip
        with db.atomic():
            replace_members(db, _members(pairs))
    finally:
        db.close()
    other = {min(a, b): max(a, b) for a, b in pairs.items()}
    by_id = {ids[k]: r for k, r in rows.items()}
    clusters = sorted(i for i in by_id if i not in {max(a, b) for a, b in pairs.items()})
    labels = {c: (by_id[c]["label_ti_ab"] == "1", by_id[c]["label_included"] == "1")
              for c in clusters}  # fmt: skip
    return Simulation(path, clusters, other, labels)


def _members(pairs: dict[int, int]) -> list[MemberRow]:
    rows = []
    for a, b in pairs.items():
        low = min(a, b)
        rows += [MemberRow(r, low, low, "reviewer", None, None, "test") for r in (a, b)]
    return rows


def _title_abstract(sim: Simulation) -> None:
    draw = random.Random(FLIP_SEED)
    for i, cluster in enumerate(sim.clusters):
        label = "include" if sim.labels[cluster][0] else "exclude"
        if i == 0:  # ana changes her mind: the later event is in force
            sim.decide("ana", TA, cluster, "exclude" if label == "include" else "include")
        sim.decide("ana", TA, cluster, label)
        if i == 1:  # and undoes a slip: her earlier decision stands again
            slip = sim.decide("ana", TA, cluster, "maybe")
            sim.decide("ana", TA, cluster, "undo", undoes=slip["uuid"])
            sim.said("ana", TA)[cluster] = (label, None)
        if i < BEN_CLUSTERS:
            record = sim.other_copy.get(cluster, cluster)  # the other copy of the paper
            sim.decide("ben", TA, cluster, _ben(label, draw), record=record)


def _ben(label: str, draw: random.Random) -> str:
    if draw.random() < FLIP_SHARE:
        return "exclude" if label == "include" else "include"
    if label == "include" and draw.random() < MAYBE_SHARE:
        return "maybe"
    return label


def as_include(verdict: str) -> str:
    return "include" if verdict == "maybe" else verdict


def _resolve_first_conflict(sim: Simulation, db: Database) -> None:
    ana, ben = sim.said("ana", TA), sim.said("ben", TA)
    cluster = next(c for c in ben if as_include(ana[c][0]) != as_include(ben[c][0]))
    rows = db.execute(
        "SELECT uuid FROM current_decisions WHERE cluster_id = ? AND stage = ?", [cluster, TA]
    ).fetchall()
    sim.resolved[cluster] = ana[cluster][0]
    with db.atomic():
        db.table("resolutions").insert({
            "uuid": str(uuid.uuid4()), "record_id": cluster, "stage": TA, "adjudicator": "cleo",
            "verdict": ana[cluster][0], "justification": "the label",
            "created_at": START.isoformat(timespec="milliseconds"),
            "resolves": json.dumps([r[0] for r in rows]),
        })  # fmt: skip


def _full_text(sim: Simulation) -> None:
    ana, ben = sim.said("ana", TA), sim.said("ben", TA)
    agreed = {c: as_include(ana[c][0]) for c in ben}
    settled = {c: v for c, v in agreed.items() if v == as_include(ben[c][0])} | sim.resolved
    sim.full_text = [c for c in sim.clusters if settled.get(c) == "include"]
    for i, cluster in enumerate(sim.full_text[:12]):
        label = ("include", None) if sim.labels[cluster][1] else ("exclude", "other")
        flipped = ("exclude", "other") if label[0] == "include" else ("include", None)
        lost = ("not-retrieved", None)
        ana_said, ben_said = {
            0: (lost, lost),
            1: (label, lost),
            2: (("exclude", "wrong population"), ("exclude", "wrong outcome")),
            3: (label, flipped),
        }.get(i, (label, label))
        sim.decide("ana", FT, cluster, *ana_said)
        sim.decide("ben", FT, cluster, *ben_said)
