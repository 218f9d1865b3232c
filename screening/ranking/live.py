"""The ranking a reviewer sees in `metasift screen`, kept up to date off the screen's thread.

A worker process (screening.workers: a fresh interpreter, never a fork of the screen) reads
the stage's records from the review file, builds their features once, then, each time it is
sent the labels that changed, retrains on all it holds and answers with the undecided
records in order, the likely includes first. The screen never waits: it sends, goes on, and
takes the answer when ready() says one has arrived. Decisions made while the model trains
are sent together once it answers, so the worker is never more than one request behind. It
runs in the background (workers.Worker(background=True)): a retrain never takes the CPU from
the screen, and has every core the screen leaves idle; the screen also stops it (pause())
while a decision is drawn, as its work on another core still slowed the redraw.

Blinding: only the labels this reviewer gave are ever sent (the session reads its own
events only); nothing of a colleague's decisions reaches the model.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from screening.ranking.features import feature_views
from screening.ranking.model import relevance_scores
from screening.ranking.texts import RankingText, ranking_text
from screening.workers import Worker, WorkerFailed

# include and maybe are what a reviewer wants to see more of, exclude what they do not;
# not-retrieved says nothing of relevance
POSITIVE, LABELLED = ("include", "maybe"), ("include", "maybe", "exclude")


@dataclass(frozen=True)
class Ranking:
    """An answer: the undecided records, likely includes first, and what it took."""

    ids: Any  # a numpy array of record ids: pickled as one buffer, 100,000 of them in 1 ms
    labels_used: int
    seconds: float  # retrain and score, in the worker

    @property
    def order(self) -> list[int]:
        return self.ids.tolist()


class LiveRanker:
    """A worker that ranks one stage's records for one reviewer."""

    def __init__(self, db_path: Path, record_ids: Sequence[int], seed: int = 0) -> None:
        self.seed = seed
        self._worker: Worker | None = Worker(background=True)
        self._worker.send(prepare, str(db_path), list(record_ids))
        self._preparing = True
        self._waiting = False  # a ranking request is out
        self._labels: dict[int, int] = {}  # what the worker learns from once it has _pending
        self._classes: Counter[int] = Counter()  # how many of _labels are 1 and 0
        self._pending: dict[int, int | None] = {}  # changes not sent yet (None: label gone)
        self.failed: str | None = None

    def update(self, verdicts: Mapping[int, str | None]) -> None:
        """Verdicts that changed (record id -> verdict; None: it has none now): rank by them
        when free. Only changes travel, so a decision costs the same late in a large stage
        as early on."""
        for rid, verdict in verdicts.items():
            label = int(verdict in POSITIVE) if verdict in LABELLED else None
            before = self._labels.get(rid)
            if label == before:
                continue  # nothing new to learn (a note, say): retraining would only spin
            if before is not None:
                self._classes[before] -= 1
            if label is None:
                del self._labels[rid]
            else:
                self._labels[rid] = label
                self._classes[label] += 1
            self._pending[rid] = label
        self._send_pending()

    def poll(self, wait: bool = False) -> Ranking | None:
        """The newest ranking, if one arrived since the last poll; waits for the answer
        the worker owes only if asked to (tests and benchmarks)."""
        worker = self._worker
        if worker is None or not (self.busy if wait else worker.ready()):
            return None
        try:
            answer = worker.receive()
        except WorkerFailed as e:
            self._fail(str(e))
            return None
        except Exception as e:  # noqa: BLE001 - a ranking failure must never stop screening
            self._fail(f"{type(e).__name__}: {e}")
            return None
        if self._preparing:
            self._preparing = False
        else:
            self._waiting = False
        self._send_pending()
        return answer if isinstance(answer, Ranking) else None

    def _send_pending(self) -> None:
        if self._worker is None or self._preparing or self._waiting or not self._pending:
            return
        if not (self._classes[0] and self._classes[1]):
            return  # one class only: nothing to learn from yet
        changes, self._pending = self._pending, {}
        self._worker.send(rank, list(changes.items()), self.seed)
        self._waiting = True

    def pause(self, paused: bool = True) -> None:
        """Stop the worker where it is, or let it go on (Worker.pause)."""
        if self._worker is not None:
            self._worker.pause(paused)

    @property
    def busy(self) -> bool:
        return self._worker is not None and (self._preparing or self._waiting)

    def _fail(self, why: str) -> None:
        self.failed = why
        self.close()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None


# -- in the worker ------------------------------------------------------------------------------

_state: dict[str, Any] = {}


def prepare(db_path: str, record_ids: list[int]) -> float:
    """Read the records and build their features; kept for the calls that follow."""
    import numpy as np

    started = time.perf_counter()
    texts = read_texts(db_path, record_ids)
    _state["labels"] = {}  # record id -> 1 or 0: the reviewer's labels, kept up to date by rank
    _state["ids"] = np.asarray(record_ids, dtype=np.int64)  # none: still ids, not floats
    _state["row"] = {rid: row for row, rid in enumerate(record_ids)}
    _state["features"] = feature_views(texts)
    if len(record_ids) > 1:  # a first fit loads the model's modules now, not on the first rank
        relevance_scores(_state["features"], np.arange(2), [1, 0], None, seed=0)
    return time.perf_counter() - started


def rank(changes: list[tuple[int, int | None]], seed: int) -> Ranking:
    """Take the labels that changed ((record id, 1, 0 or None once it has no label) pairs),
    retrain on all of them and order the unlabelled records."""
    import numpy as np

    started = time.perf_counter()
    labels: dict[int, int] = _state["labels"]
    for rid, label in changes:
        if label is None:
            labels.pop(rid, None)
        else:
            labels[rid] = label
    row = _state["row"]
    known = [(row[rid], label) for rid, label in labels.items() if rid in row]
    labelled = np.asarray([r for r, _ in known], dtype=np.int64)
    # every row scored in place (no copy of the matrix), the labelled ones then left out
    scores = relevance_scores(
        _state["features"], labelled, [label for _, label in known], None, seed=seed
    )
    ordered = np.argsort(-scores, kind="stable")  # ties keep import order
    unread = np.ones(len(scores), dtype=bool)
    unread[labelled] = False
    ids = _state["ids"][ordered[unread[ordered]]]
    return Ranking(ids, len(known), time.perf_counter() - started)


def read_texts(db_path: str, record_ids: Sequence[int]) -> list[RankingText]:
    """The records' title, abstract, keywords and MeSH headings, read-only, in the given order."""
    import json

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = {
            rid: (title, abstract, keywords, mesh)
            for rid, title, abstract, keywords, mesh in conn.execute(
                "SELECT id, title, abstract, keywords, mesh_terms FROM records"
            )
        }
    finally:
        conn.close()
    texts = []
    for rid in record_ids:
        title, abstract, keywords, mesh = rows.get(rid, (None, None, None, None))
        texts.append(
            ranking_text(title, abstract, json.loads(keywords or "[]"), json.loads(mesh or "[]"))
        )
    return texts
