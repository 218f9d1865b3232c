"""DedupReview: a person deciding the doubtful pairs, one at a time (the core of the screen).

Each verdict is an event written and committed before the method returns, in the same
transaction as the clusters it rebuilds, so a "same" that joins two clusters also settles every
other doubtful pair between them, and a failure leaves neither the verdict nor half a
re-clustering behind. Skip moves on without deciding; undo cancels this session's last verdict.
"""

from __future__ import annotations

import difflib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.clock import utc_now
from db.dedup import DIFFERENT, SAME, UNDO, add_pair_decisions, cluster_of, record_with_source
from db.errors import MetasiftError, busy_is_an_error
from screening.dedup.canonical import DedupSettings
from screening.dedup.engine import prepare, recluster
from screening.dedup.keys import fold
from screening.dedup.membership import QueueItem

Clock = Callable[[], str]
FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")


@dataclass(frozen=True)
class Side:
    """One record of a pair, as text per field, with where it came from."""

    record_id: int
    source: str  # "PubMed (pubmed.xml)"
    fields: dict[str, str]
    abstract: str
    cluster_size: int


@dataclass(frozen=True)
class PairView:
    item: QueueItem
    left: Side
    right: Side
    position: int  # 1-based place in the queue
    total: int


@dataclass(frozen=True)
class Segment:
    text: str
    same: bool  # also found, in order, on the other side


def diff_words(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into runs of words that match the other side or not (case, accents
    and punctuation ignored), for highlighting what differs."""
    wa, wb = re.findall(r"\S+\s*", a), re.findall(r"\S+\s*", b)
    matcher = difflib.SequenceMatcher(None, [fold(w) for w in wa], [fold(w) for w in wb], False)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        same = op == "equal"
        if i2 > i1:
            left.append(Segment("".join(wa[i1:i2]), same))
        if j2 > j1:
            right.append(Segment("".join(wb[j1:j2]), same))
    return left, right


class DedupReview:
    """One reviewer's pass over the doubtful queue."""

    def __init__(
        self,
        db: Database,
        reviewer: str,
        settings: DedupSettings | None = None,
        clock: Clock = utc_now,
    ) -> None:
        if not reviewer.strip():
            raise MetasiftError("who is deciding? pass --reviewer NAME or set METASIFT_REVIEWER")
        self.db, self.reviewer, self.clock = db, reviewer, clock
        self.settings = settings or DedupSettings()
        self.prepared = prepare(db)
        self.history: list[tuple[str, QueueItem]] = []  # this session's verdicts, for undo
        self.skipped: set[tuple[int, int]] = set()
        self.decided = 0
        self.items: list[QueueItem] = self._recluster()

    def _recluster(self) -> list[QueueItem]:
        """Rebuild the clusters from what is stored; the doubtful pairs left, skipped ones last."""
        _, queue = recluster(self.db, self.prepared, self.settings)
        fresh = [i for i in queue if (i.record_a, i.record_b) not in self.skipped]
        return fresh + [i for i in queue if (i.record_a, i.record_b) in self.skipped]

    def _write(self, event: dict[str, Any]) -> list[QueueItem]:
        """Store a verdict (or an undo) and rebuild the clusters in one transaction; the
        doubtful pairs left after it."""
        with busy_is_an_error(), self.db.atomic():
            add_pair_decisions(self.db, [event])
            return self._recluster()

    def current(self) -> PairView | None:
        if not self.items:
            return None
        item = self.items[0]
        return PairView(
            item, self._side(item.record_a), self._side(item.record_b), 1, len(self.items)
        )

    def decide(self, verdict: str, reason: str | None = None) -> QueueItem:
        """Record same/different for the pair shown, then move on; returns the pair decided."""
        if verdict not in (SAME, DIFFERENT):
            raise MetasiftError(f"unknown verdict {verdict!r}; use same or different")
        if not self.items:
            raise MetasiftError("no doubtful pair left to decide")
        item = self.items[0]
        event = self._event(item, verdict, reason=reason)
        self.items = self._write(event)  # nothing below runs if the write fails
        self.skipped.discard((item.record_a, item.record_b))  # decided: never in the queue again
        self.history.append((event["uuid"], item))
        self.decided += 1
        return item

    def skip(self) -> None:
        """Leave the pair for later: it goes to the end of the queue."""
        if self.items:
            item = self.items.pop(0)
            self.skipped.add((item.record_a, item.record_b))
            self.items.append(item)

    def undo(self) -> QueueItem | None:
        """Cancel this session's last verdict; its pair is shown again."""
        if not self.history:
            return None
        undone, item = self.history[-1]
        self.items = self._write(self._event(item, UNDO, undoes=undone))
        self.history.pop()  # only once written: a failed write can be undone again
        self.decided -= 1
        self.items.sort(key=lambda i: (i.record_a, i.record_b) != (item.record_a, item.record_b))
        return item

    def _event(
        self, item: QueueItem, verdict: str, reason: str | None = None, undoes: str | None = None
    ) -> dict[str, Any]:
        return {
            "uuid": str(uuid.uuid4()),
            "record_a": item.record_a,
            "record_b": item.record_b,
            "verdict": verdict,
            "reason": reason,
            "reviewer": self.reviewer,
            "undoes": undoes,
            "created_at": self.clock(),
        }

    def _side(self, record_id: int) -> Side:
        row = record_with_source(self.db, record_id)
        fields = {name: _text(name, row.get(name)) for name in FIELDS}
        source = row["database"] + (f" ({row['file_name']})" if row.get("file_name") else "")
        size = len(cluster_of(self.db, record_id).members)
        return Side(record_id, source, fields, row.get("abstract") or "", size)


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "authors":
        return "; ".join(json.loads(value))
    return str(value)
