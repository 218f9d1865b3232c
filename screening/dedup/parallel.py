"""Pure-Python jobs shared between this process and one worker process.

Reading keys from 100,000 records and judging tens of thousands of pairs is pure Python, so
threads do not help. Part of each job goes to a worker process (screening.workers: a fresh
interpreter, safe to start while other threads run, as in the Textual app). It cannot share
this process's memory as a forked child did, so what it needs is sent: its pieces of the
rows, and the run's keys once for every job that uses them (SecondProcess.hold).

A fresh worker needs a moment to start and to import what a job needs, longer on a busy
machine, so a job is not cut in fixed halves: it is cut in pieces, this process works from
the front while the worker takes pieces from the back, and they meet where their speeds
put them. Where no worker can be started, one fails, or the job is small, this process does
it all.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

from screening.workers import CAN_START, Worker, WorkerFailed

T = TypeVar("T")
R = TypeVar("R")
# Below this a worker costs more than it saves (measured on 2 cores): it needs 0.25 s of CPU
# to start and import what the jobs need, and a run sends it the keys; at 13,699 records this
# process spent as much CPU with a worker as without, at 100,000 records 15% less.
MIN_ITEMS = 20_000
PIECES = 24  # a job's pieces: small enough for the two processes to finish close together
AHEAD = 2  # pieces sent to the worker before it answers one, so that it never waits
CAN_SPLIT = CAN_START


class SecondProcess:
    """The worker that shares one run's jobs, started when first needed.

    What the run holds (hold()) is sent once, when the worker starts or at once if it runs,
    and a job given that very object receives the worker's copy. After a failure this
    process does the rest of the run's jobs itself.
    """

    def __init__(self) -> None:
        self._worker: Worker | None = None
        self._held: list[tuple[object, Callable[[], object] | None]] = []
        self._broken = False

    def hold(self, value: object, sent_as: Callable[[], object] | None = None) -> None:
        """Keep value in the worker for later jobs (it must not change after this); sent_as
        as for Worker.hold."""
        self._held.append((value, sent_as))
        if self._worker is not None:
            self._try(self._worker.hold, value, sent_as)

    def send(self, job: partial[R]) -> bool:
        """Start job in the worker; False if it cannot run there (then run it here)."""
        worker = self._running()
        return worker is not None and self._try(worker.send, job.func, *job.args, **job.keywords)

    def ready(self) -> bool:
        """True when receive() will not wait."""
        return self._worker is None or self._worker.ready()

    def receive(self) -> Any:
        """The result of the oldest job sent; WorkerFailed or its exception if it failed."""
        if self._worker is None:
            raise WorkerFailed("the worker process stopped")
        try:
            return self._worker.receive()
        except WorkerFailed:
            self._stop(broken=True)
            raise

    @property
    def running(self) -> bool:
        """A worker has been started for an earlier job (and has not failed)."""
        return self._worker is not None

    def close(self) -> None:
        self._stop(broken=False)

    def abandon(self) -> None:
        """End the worker with jobs unanswered; this process does the rest of the run."""
        self._stop(broken=True)

    def _running(self) -> Worker | None:
        """The worker, started (and sent what is held) if it was not yet."""
        if self._worker is None and not self._broken:
            try:
                self._worker = Worker()
            except WorkerFailed:
                self._broken = True
                return None
            for value, sent_as in self._held:
                if self._worker is not None:
                    self._try(self._worker.hold, value, sent_as)
        return self._worker

    def _try(self, action: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
        """action(...) is not False; False too if it fails (the worker is ended if it died)."""
        try:
            return action(*args, **kwargs) is not False
        except WorkerFailed:
            self._stop(broken=True)
            return False
        except Exception:  # noqa: BLE001 - cannot be pickled (a lambda, say): run it here
            return False

    def _stop(self, broken: bool) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        self._broken = self._broken or broken


@contextmanager
def second_process() -> Iterator[SecondProcess]:
    """A SecondProcess for a run's jobs, ended with the block."""
    other = SecondProcess()
    try:
        yield other
    finally:
        other.close()


def big_enough(items: int) -> bool:
    """A job of this many items is worth a worker."""
    return items >= MIN_ITEMS


def _can_share(worth_it: bool) -> bool:
    return worth_it and CAN_SPLIT and (os.cpu_count() or 1) >= 2


def in_two_processes(
    work: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    report: Callable[[int], None] | None = None,
    other: SecondProcess | None = None,
    worth_it: bool | None = None,
) -> list[R]:
    """work(items), computed piece by piece here and in a worker (other, or one for this call
    alone) when worth_it (by default: MIN_ITEMS items or more); report, if given, hears how
    many items are done after each piece.

    work must be a module's function, or a partial of one, for the worker to find it.
    """
    size = -(-len(items) // PIECES) or 1
    pieces = [items[start : start + size] for start in range(0, len(items), size)]
    if not _can_share(big_enough(len(items)) if worth_it is None else worth_it):
        other = None
    elif other is None:
        with second_process() as alone:
            return in_two_processes(work, items, report, alone, True)
    results = _Shared(work, pieces, report)
    results.run(other)
    return [r for piece in results.done for r in piece]


class _Shared:
    """The pieces of one job: this process takes them from the front, the worker from the
    back, until they meet."""

    def __init__(
        self,
        work: Callable[[Sequence[T]], list[R]],
        pieces: list[Sequence[T]],
        report: Callable[[int], None] | None,
    ) -> None:
        self.work, self.pieces, self.report = work, pieces, report
        self.done: list[list[Any]] = [[] for _ in pieces]
        self.front, self.back = 0, len(pieces)  # pieces[front:back] are not taken yet
        self.items_done = 0

    def run(self, other: SecondProcess | None) -> None:
        if other is None:
            while self.front < self.back:
                self._take_front()
            return
        try:
            self._share(other)
        except BaseException:
            other.abandon()  # answers to pieces sent would be taken for a later job's
            raise

    def _share(self, other: SecondProcess) -> None:
        sent: deque[int] = deque()  # pieces the worker has, oldest first
        sending = True
        while self.front < self.back or sent:
            while sending and len(sent) < AHEAD and self.front < self.back:
                sending = other.send(partial(self.work, self.pieces[self.back - 1]))
                if sending:
                    self.back -= 1
                    sent.append(self.back)
            if self.front < self.back:
                self._take_front()
            while sent and (self.front == self.back or other.ready()):
                self._finish(sent[0], self._from_worker(other, sent.popleft()))

    def _take_front(self) -> None:
        self.front += 1
        self._finish(self.front - 1, self.work(self.pieces[self.front - 1]))

    def _from_worker(self, other: SecondProcess, index: int) -> list[Any]:
        try:
            return list(other.receive())
        except Exception:  # noqa: BLE001 - the worker failed or raised: redo the piece here
            return self.work(self.pieces[index])

    def _finish(self, index: int, result: list[Any]) -> None:
        self.done[index] = result
        self.items_done += len(self.pieces[index])
        if self.report:
            self.report(self.items_done)


def side_by_side(
    here: Callable[[], R],
    there: partial[R],
    worth_it: bool = True,
    other: SecondProcess | None = None,
) -> tuple[R, R]:
    """(here(), there()), there() run in a worker (other, or one for this call alone) when it
    is worth it and possible, and here if the worker fails."""
    if not _can_share(worth_it):
        return here(), there()
    if other is None:
        with second_process() as alone:
            return side_by_side(here, there, worth_it, alone)
    if not other.send(there):
        return here(), there()
    try:
        mine = here()
    except BaseException:
        other.abandon()
        raise
    try:
        return mine, other.receive()
    except Exception:  # noqa: BLE001 - the worker failed or raised: this process redoes it
        return mine, there()
