"""Worker processes (screening.workers): fresh interpreters that answer calls in order, keep what
they hold, send exceptions back, and never run the caller's __main__ again."""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.workers import CAN_START, Worker, WorkerFailed, WorkerPool
from tests.conftest import FIXTURES

pytestmark = pytest.mark.skipif(not CAN_START, reason="no worker process here")
ROOT = Path(__file__).resolve().parent.parent


def pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def grow(items: list[int]) -> int:
    items.append(len(items))
    return len(items)


def refuse(path: str) -> None:
    raise ParseError(path, "record has no ER line", line=812)


def leave() -> None:
    os._exit(3)


def process_group() -> int:
    return os.getpgrp()


def test_a_worker_answers_in_order_from_another_process() -> None:
    with Worker() as worker:
        for n in range(5):
            worker.send(pid_and_square, n)
        answers = [worker.receive() for _ in range(5)]
    assert [square for _, square in answers] == [0, 1, 4, 9, 16]
    assert {pid for pid, _ in answers} == {worker.pid} != {os.getpid()}


def test_a_held_value_is_sent_once_and_kept_between_calls() -> None:
    items: list[int] = []
    with Worker() as worker:
        worker.hold(items)
        worker.send(grow, items)
        worker.send(grow, items)
        worker.send(grow, [])  # not held: a fresh copy each time
        assert [worker.receive() for _ in range(3)] == [1, 2, 1]
    assert items == []  # the worker grew its own copy


def test_an_exception_comes_back_with_what_it_said() -> None:
    with Worker() as worker:
        worker.send(refuse, "embase.ris")
        with pytest.raises(ParseError) as err:
            worker.receive()
        worker.send(pid_and_square, 3)  # and the worker goes on
        assert worker.receive()[1] == 9
    assert (err.value.path, err.value.line) == ("embase.ris", 812)


def test_a_worker_that_dies_is_reported() -> None:
    with Worker() as worker:
        worker.send(leave)
        with pytest.raises(WorkerFailed, match="exit status 3"):
            worker.receive()


def test_something_that_cannot_be_pickled_fails_before_it_is_sent() -> None:
    with Worker() as worker:
        with pytest.raises(Exception, match="pickle"):
            worker.send(lambda: 1)
        worker.send(pid_and_square, 2)
        assert worker.receive()[1] == 4


def test_a_worker_has_a_process_group_of_its_own() -> None:
    """So Ctrl-C from a terminal reaches only the caller, which ends its workers."""
    with Worker() as worker:
        worker.send(process_group)
        assert worker.receive() == worker.pid != os.getpgrp()


def test_ready_says_yes_only_once_an_answer_has_arrived_whole() -> None:
    """A caller that must never wait (the screen) polls ready(): an answer still arriving
    (a long one takes many pipefuls) is read ahead, never waited for."""
    answer = pickle.dumps((True, list(range(5000))), protocol=pickle.HIGHEST_PROTOCOL)
    message = struct.pack("!Q", len(answer)) + answer  # twice of it fits in a pipe
    with Worker() as worker:
        read_end, write_end = os.pipe()
        worker._answers = os.fdopen(read_end, "rb", buffering=0)  # answers we write ourselves
        with os.fdopen(write_end, "wb", buffering=0) as pipe:
            assert not worker.ready()
            pipe.write(message[:5])  # not even the length yet
            assert not worker.ready()
            pipe.write(message[5:9000])
            assert not worker.ready()
            pipe.write(message[9000:] + message)  # the rest, and a second answer whole
            assert worker.ready()
            assert worker.receive() == list(range(5000))
            assert worker.ready() and worker.receive() == list(range(5000))
            assert not worker.ready()
        assert worker.ready()  # the end of the answers: receive() would report it
        with pytest.raises(WorkerFailed):
            worker.receive()


def state(pid: int) -> str:
    """A process's state letter (Linux): T stopped, S sleeping, R running, Z ended."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_paused_worker_stops_where_it_is_and_goes_on() -> None:
    """The screen stops its ranking worker while a decision is drawn: the worker does
    nothing until let go, then answers what it was sent, as before."""
    with Worker() as worker:
        worker.send(pid_and_square, 2)
        assert worker.receive()[1] == 4
        worker.pause()
        assert wait_for(lambda: state(worker.pid) == "T")
        worker.send(pid_and_square, 3)
        time.sleep(0.2)
        assert not worker.ready()  # stopped: no answer comes
        worker.pause(False)
        assert worker.receive()[1] == 9 and state(worker.pid) != "T"
        worker.pause()
        started = time.monotonic()
    assert time.monotonic() - started < 2  # closing a stopped worker lets it go first


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_paused_worker_ends_when_its_caller_dies(tmp_path: Path) -> None:
    """A screen killed while its worker is stopped leaves no stopped process behind: the
    kernel wakes an orphaned stopped process group with SIGHUP and SIGCONT."""
    script = textwrap.dedent(
        """
        import os, sys
        from screening.workers import Worker
        worker = Worker(background=True)
        worker.pause()
        print(worker.pid, flush=True)
        os._exit(1)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    pid = int(done.stdout)

    def now() -> str:
        try:
            return state(pid)
        except FileNotFoundError:
            return "gone"

    assert wait_for(lambda: now() != "T")
    # and gone once it has run: an idle-priority process on busy cores may wait seconds
    assert wait_for(lambda: now() in ("Z", "gone"), 30)


def background_policy() -> tuple[int, int]:
    return os.sched_getscheduler(0), os.nice(0)


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's SCHED_IDLE policy")
def test_a_background_worker_runs_only_on_idle_cpu_time() -> None:
    with Worker(background=True) as worker:
        worker.send(background_policy)
        assert worker.receive()[0] == os.SCHED_IDLE
    with Worker() as worker:
        worker.send(background_policy)
        assert worker.receive() == (os.sched_getscheduler(0), os.nice(0))


def test_a_pool_gives_results_in_the_order_of_the_calls() -> None:
    with WorkerPool(2) as pool:
        answers = list(pool.in_order(pid_and_square, ((n,) for n in range(20)), ahead=2))
    assert [args for args, _ in answers] == [(n,) for n in range(20)]
    assert [square for _, (_, square) in answers] == [n * n for n in range(20)]
    assert len({pid for _, (pid, _) in answers}) == 2


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """What forkserver did (commit ae03785): each worker ran the caller's script again."""
    data = (FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()
    start, end = data.index(b"<PubmedArticle>"), data.rindex(b"</PubmedArticleSet>")
    xml = tmp_path / "many.xml"
    xml.write_bytes(data[:start] + data[start:end] * 100 + data[end:])
    script = tmp_path / "no_guard.py"
    script.write_text(
        textwrap.dedent(f"""
        from screening.importers import pubmed_xml
        from screening.importers.textfile import SourceFile
        pubmed_xml.PARALLEL_FROM_BYTES = 0
        pubmed_xml.os.sched_getaffinity = lambda _: {{0, 1}}
        print("script ran")
        print(sum(1 for _ in pubmed_xml.read(SourceFile.open({str(xml)!r}))))
        """)
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout.splitlines() == ["script ran", "600"]
