"""Worker processes that are safe to start from a process with threads.

Both parallel paths start workers while a thread may be running: `dedup review` prepares its
queue inside the Textual app, and a harvest parses a batch while its fetcher thread downloads
the next. A forked child inherits every lock another thread held at the fork, held for ever
(Python 3.12 warns about forking then), so workers are never forked from the caller. Each is a
fresh interpreter started by subprocess (fork and exec done in C with nothing run in between,
which is safe with threads) that runs the calls it is sent, (function, arguments) as pickles
on its stdin, and answers each on its stdout, in order.

Why not the alternatives:
- multiprocessing's spawn or forkserver: each child runs spawn.prepare(), which re-imports the
  caller's __main__ from its path, so a script that imports a file without an
  `if __name__ == "__main__"` guard runs again in every worker (commit ae03785). Ours import
  only the modules that the calls they receive name.
- fork only while no other thread runs: two mechanisms, and a thread may start between the
  check and the fork.
- a fresh single-threaded helper that forks inside itself: the data must reach the helper
  all the same, and its start-up would come before any work, with nothing to overlap it.

The cost of not sharing memory, measured on a 2-core machine: a worker starts in 0.03 s of
CPU and imports the PubMed XML parser in 0.06 s more. A dedup run of 100,000 records sends
its worker up to half the rows (17 MiB, 0.1 s to pickle) and all the keys once (60 MiB as
tuples, 0.3 s to pickle and 0.15 s to load; the dataclass itself takes twice as long), so
the run costs about 1 s more CPU than with fork. hold() sends such data once: later calls
given the same object send its number instead.

A worker lives in a process group of its own, so Ctrl-C from the terminal reaches only the
caller, which ends its workers; a reader thread in the worker takes calls as they arrive, so
the caller can send ahead without either side blocking on a full pipe, and ends the worker
the moment its stdin closes: when the caller is done, interrupted, or killed with SIGKILL.
"""

from __future__ import annotations

import io
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from db.errors import MetasiftError

_LENGTH = struct.Struct("!Q")  # every message: its length, then its kind and its pickle
_HOLD, _CALL = b"h", b"c"
_READ_AHEAD = 1 << 20  # bytes of answers taken per read
_STOP_WAIT = 5.0  # seconds a worker gets to leave after its stdin closes, before SIGKILL
# POSIX: process groups, and select() on pipes; an embedded interpreter may not know its program
_BACKGROUND = """import os
try:
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
except (AttributeError, OSError):  # not Linux
    os.nice(19)"""
CAN_START = os.name == "posix" and bool(sys.executable)


class WorkerFailed(MetasiftError):
    """A worker process could not be started, or stopped without answering."""


class _Held:
    """Stands for a value the worker holds, in a call's arguments."""

    def __init__(self, number: int) -> None:
        self.number = number


class Worker:
    """One worker process: send() calls, receive() their results in the same order.

    background: the worker runs only on CPU time the caller leaves idle (Linux's SCHED_IDLE
    policy, else the lowest nice), so work the caller does not wait for never delays it:
    woken by a call, a worker at nice 19 still took the CPU from its caller for a 3 ms
    slice; a SCHED_IDLE one never preempts it. Within a terminal's session (one scheduler
    autogroup) it still gets every core its caller leaves idle."""

    def __init__(self, background: bool = False) -> None:
        path = [p or os.getcwd() for p in sys.path]
        boot = f"import sys; sys.path[:] = {path!r}; from screening.workers import serve; serve()"
        if background:
            boot = f"{_BACKGROUND}\n{boot}"
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-c", boot],
                bufsize=0,  # unbuffered, so that ready() sees every answer that has arrived
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                process_group=0,
            )
        except OSError as e:
            raise WorkerFailed(f"could not start a worker process: {e}") from e
        self._answers = cast(io.RawIOBase, self._process.stdout)  # unbuffered: a FileIO
        self._arrived = bytearray()  # answers read ahead by ready(), whole or in part
        self._ended = False  # ready() met the end of the answers
        self._held: dict[int, tuple[int, object]] = {}  # id(value) -> (number, value)

    @property
    def pid(self) -> int:
        return self._process.pid

    def pause(self, paused: bool = True) -> None:
        """Stop the worker where it is (SIGTSTP), or let it go on (SIGCONT), at once and
        whatever it is running; pipes and answers are unaffected. Should the caller die
        while the worker is stopped, the worker's process group is left without a parent
        in the session, and the kernel sends it SIGHUP and SIGCONT: it ends, not waits.
        Not SIGSTOP: a stop takes effect when the worker next runs, which on busy cores (an
        idle-priority worker) can be after the caller has died, too late for that rescue;
        the kernel drops a SIGTSTP that arrives in a group left so, and the worker ends."""
        if not hasattr(signal, "SIGTSTP") or self._process.returncode is not None:
            return
        try:
            os.kill(self._process.pid, signal.SIGTSTP if paused else signal.SIGCONT)
        except ProcessLookupError:
            pass  # it has ended: receive() will say so

    def hold(self, value: object, sent_as: Callable[[], object] | None = None) -> None:
        """Send value to keep: a later call given this very object as an argument sends
        its number instead of the object. sent_as, if given, is sent instead and called by
        the worker to make its copy (a cheaper form to pickle: plain tuples, say)."""
        number = len(self._held)
        self._write(_HOLD, (number, sent_as or value, sent_as is not None))
        self._held[id(value)] = (number, value)

    def send(self, function: Callable[..., Any], *args: object, **kwargs: object) -> None:
        """Start function(*args, **kwargs) in the worker; a pickling error raises here, before
        anything is sent."""
        sent = tuple(_Held(self._held[id(a)][0]) if id(a) in self._held else a for a in args)
        self._write(_CALL, (function, sent, kwargs))

    def ready(self) -> bool:
        """True when a whole answer (or the end of the worker) has arrived: receive() will not
        wait. What has arrived of a longer answer is read ahead, so a caller that must not
        wait never waits for a worker that is still writing (a ranking of 100,000 records is
        800 KB, many pipefuls)."""
        while not self._ended and select.select([self._answers], [], [], 0)[0]:
            self._read_some()
        return self._ended or self._whole() is not None

    def receive(self) -> Any:
        """The result of the oldest call not yet received; its exception if it raised."""
        while (end := self._whole()) is None:
            if self._ended:
                raise self._died()
            self._read_some()  # waits for the worker
        message = memoryview(self._arrived)[_LENGTH.size : end]
        try:
            ok, value = pickle.loads(message)
        finally:
            message.release()  # before the buffer shrinks
            del self._arrived[:end]
        if not ok:
            raise value
        return value

    def _read_some(self) -> None:
        chunk = self._answers.read(_READ_AHEAD)  # what has arrived, waiting only if nothing has
        if chunk:
            self._arrived += chunk
        else:
            self._ended = True

    def _whole(self) -> int | None:
        """Where the oldest answer read ahead ends, if it has arrived whole."""
        if len(self._arrived) < _LENGTH.size:
            return None
        end = _LENGTH.size + _LENGTH.unpack_from(self._arrived)[0]
        return end if len(self._arrived) >= end else None

    def close(self) -> None:
        """End the worker (closing its stdin ends it at once, whatever it was doing)."""
        self.pause(False)  # a stopped worker would not see its stdin close
        for pipe in (self._process.stdin, self._process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass  # a pipe to a worker that is gone
        try:
            self._process.wait(timeout=_STOP_WAIT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _write(self, kind: bytes, message: tuple[Any, ...]) -> None:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        assert self._process.stdin is not None
        try:
            for part in (_LENGTH.pack(len(payload) + 1) + kind, memoryview(payload)):
                while part:  # a raw pipe may take part of it at a time
                    part = part[self._process.stdin.write(part) :]
        except (BrokenPipeError, ValueError):
            raise self._died() from None

    def _died(self) -> WorkerFailed:
        try:  # its end of the pipe is closed: it is leaving, if it has not left
            code: int | None = self._process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            code = None
        return WorkerFailed(f"the worker process stopped (exit status {code})")

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkerPool:
    """Several workers, handed calls in turn; results come back in the order of the calls."""

    def __init__(self, size: int) -> None:
        self.workers: list[Worker] = []
        try:
            for _ in range(size):
                self.workers.append(Worker())
        except WorkerFailed:
            self.close()
            raise

    def in_order(
        self, function: Callable[..., Any], calls: Iterable[tuple[Any, ...]], ahead: int = 2
    ) -> Iterator[tuple[tuple[Any, ...], Any]]:
        """(args, function(*args)) for each args of calls, in order, with up to ahead calls
        per worker sent before the first result is taken (so no worker waits for the next)."""
        pending: deque[tuple[Worker, tuple[Any, ...]]] = deque()
        for number, args in enumerate(calls):
            worker = self.workers[number % len(self.workers)]
            worker.send(function, *args)
            pending.append((worker, args))
            if len(pending) > ahead * len(self.workers):
                worker, args = pending.popleft()
                yield args, worker.receive()
        while pending:
            worker, args = pending.popleft()
            yield args, worker.receive()

    def close(self) -> None:
        for worker in self.workers:
            worker.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_Pipe = io.RawIOBase | io.BufferedIOBase


def _read_message(stream: _Pipe, failed: Callable[[], Exception]) -> bytearray:
    (length,) = _LENGTH.unpack(_read_exactly(stream, _LENGTH.size, failed))
    return _read_exactly(stream, length, failed)


def _read_exactly(stream: _Pipe, size: int, failed: Callable[[], Exception]) -> bytearray:
    """size bytes; a raw pipe gives what has arrived so far, so read until they are all here."""
    data = bytearray(size)
    view, done = memoryview(data), 0
    while done < size:
        got = stream.readinto(view[done:])
        if not got:
            raise failed()
        done += got
    return data


# -- in the worker ------------------------------------------------------------------------------


def serve() -> None:
    """The worker's loop: run each call in turn and answer it; leave when stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides what Ctrl-C stops
    if hasattr(signal, "SIGTSTP"):  # pause() stops it so, even if its caller ignores SIGTSTP
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    calls, answers = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # nothing else reads the calls
    os.dup2(2, 1)  # a stray print goes to stderr, not into the answers
    inbox: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
    threading.Thread(target=_take_calls, args=(calls, inbox), daemon=True).start()
    held: dict[int, object] = {}
    while True:
        message = memoryview(inbox.get())
        if message[:1] == _HOLD:
            number, value, rebuild = pickle.loads(message[1:])
            held[number] = value() if rebuild else value
            continue
        _send_answer(answers, _answer(message[1:], held))


def _send_answer(answers: io.BufferedWriter, answer: bytes) -> None:
    try:
        answers.write(_LENGTH.pack(len(answer)))
        answers.write(answer)
        answers.flush()
    except OSError:  # the caller closed its end: it wants nothing more
        os._exit(0)


def _take_calls(calls: _Pipe, inbox: queue.SimpleQueue[bytearray]) -> None:
    """Read calls as they arrive; at the end of stdin the caller is done or gone: leave now."""
    while True:
        try:
            inbox.put(_read_message(calls, EOFError))
        except (EOFError, OSError):
            os._exit(0)


def _answer(call: memoryview, held: dict[int, object]) -> bytes:
    """Run a call; its result or its exception, pickled."""
    try:
        function, args, kwargs = pickle.loads(call)
        result = function(*(held[a.number] if isinstance(a, _Held) else a for a in args), **kwargs)
        return pickle.dumps((True, result), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as e:  # noqa: BLE001 - the caller decides what a failure means
        try:
            return pickle.dumps((False, e), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that cannot be pickled: send what it said
            return pickle.dumps((False, RuntimeError(f"{type(e).__name__}: {e}")))
