"""Reliability: a full disk and a read-only review: one clear line, exit 1, nothing lost.

    python benchmarks/reliability_disks.py [--quick]

Full disk: a small tmpfs (`mount -t tmpfs`, which needs root; where it is refused the check
says "not run": SQLite's `PRAGMA max_page_count` is a per-connection setting that a command in
its own process would not see) holds a small real review (tests/screening_fixtures.py), then a
file fills every byte left (and, a second time, all but 96 KB: room to open the review and
start a command, not to finish an import). On it:
`import` of a real export, `dedup`, `export records` onto the full disk, a PubMed harvest
from the local E-utilities server, and a decision in the screening screen (Pilot, in a
process of its own). Read-only: the same review on a tmpfs remounted read-only (a read-only
disk), and the review file alone bind-mounted read-only in a writable folder (a read-only
file; root ignores file modes, so chmod cannot make one here): `status`, `records`,
`export records` to a writable folder, `import`, `dedup`, and opening the screen.

An input is clean when the command either did its work (exit 0, no traceback: reading a
read-only review is fine) or refused in one line, exit 1, saying the cause ("full" or
"no space"; "read-only"), with every table as it was (dumps compared). The screen's decision
is clean when the screen stays up and its status line says the decision was not saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability_lines import (  # noqa: E402
    ROOT,
    Tally,
    arguments,
    message_problems,
    metasift_env,
    run_metasift,
    table_dump,
)

FULL = r"full|no space"
READ_ONLY = r"read-only|read only"
BIG_IMPORT = ROOT / "tests" / "fixtures" / "ris" / "asreview_embase.ris"
DISK_SIZE = "6m"  # the review takes about 1 MB; the rest is filled
ROOM = 96 * 1024  # "nearly full": room to open the review, not to import a 1.9 MB export


# -- the disks ----------------------------------------------------------------------------------


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def tmpfs(where: Path) -> Iterator[bool]:
    """A small tmpfs at where (True), or a plain folder where mounting is refused (False)."""
    where.mkdir(parents=True)
    mounted = mount("-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(where))
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk: Path, room: int = 0) -> None:
    """Write filler files until the disk has not one block left, then free room bytes."""
    number = len(list(disk.glob("filler-*")))
    with contextlib.suppress(OSError), (disk / f"filler-{number}").open("wb") as f:
        chunk = b"\0" * 65536
        while True:
            f.write(chunk)
            f.flush()
    with contextlib.suppress(OSError), (disk / f"filler-{number}-tail").open("wb") as f:
        while True:
            f.write(b"\0" * 512)
            f.flush()
    if room:
        filler = disk / f"filler-{number}"
        os.truncate(filler, max(0, filler.stat().st_size - room))


# -- the screen, in a process of its own --------------------------------------------------------


async def decide_once(folder: Path, open_only: bool) -> None:
    from db.errors import MetasiftError
    from tests.tui.snapshot_apps.screening_app import build

    try:  # opening reads the review as `metasift screen` does, which prints this one line
        app = build(folder, "ana")
    except MetasiftError as e:
        print(f"REFUSED {e}", flush=True)
        return
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print("OPEN", flush=True)
        if open_only:
            return
        await pilot.press("i")
        await pilot.pause()
        status = str(pilot.app.screen.query_one("#status").render())
        print(f"STATUS {status}", flush=True)
        print("UP" if pilot.app.is_running else "DOWN", flush=True)


def run_screen(folder: Path, open_only: bool) -> tuple[list[str], str]:
    """Open the screen on folder's review (and decide once): what went wrong, and what its
    status line said after the decision."""
    flag = "--open-only" if open_only else "--decide"
    run = subprocess.run(
        [sys.executable, __file__, flag, str(folder)],
        env=metasift_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    refused = next((x[8:] for x in run.stdout.splitlines() if x.startswith("REFUSED ")), "")
    if refused:  # refused before it opened, in one line: clean if that line says why
        said = re.search(f"{FULL}|{READ_ONLY}", refused, re.I)
        return ([] if said else [f"refused without saying why: {refused[:200]}"]), refused
    if "OPEN" not in run.stdout:
        error = (run.stderr.strip().splitlines() or ["no word"])[-1]
        return [f"the screen did not open: {error[:200]}"], ""
    status = next((x[7:] for x in run.stdout.splitlines() if x.startswith("STATUS ")), "")
    if not open_only and ("Traceback" in run.stderr or "UP" not in run.stdout):
        return [f"the screen went down: {run.stderr.strip()[-200:]!r}"], status
    return [], status


def decision_input(db_path: Path, tally: Tally) -> None:
    """A decision on the full disk: saved and shown so, or not saved and the screen says so."""
    before = table_dump(db_path)
    problems, status = run_screen(db_path.parent, open_only=False)
    saved, changed = "u undoes" in status, table_dump(db_path) != before
    if status and not problems and not changed and re.search(f"{FULL}|{READ_ONLY}", status, re.I):
        tally.add([])  # refused at opening (or not saved), said why, nothing changed
        return
    if not problems and saved != changed:
        problems.append(f"status line {status!r}, yet the review {'did not ' * saved}change")
    if not problems and not saved and not re.search(f"{FULL}|not saved", status, re.I):
        problems.append(f"status line does not say it was not saved: {status!r}")
    tally.add([f"screen decision: {p}" for p in problems])


# -- the checks ---------------------------------------------------------------------------------


def command_input(
    db_path: Path,
    args: Sequence[object],
    cause: str,
    tally: Tally,
    env: dict[str, str] | None = None,
) -> None:
    """One command on the review: clean when it worked, or refused cleanly changing nothing."""
    before = table_dump(db_path)
    run = run_metasift([*args, "--review", db_path], env=env)
    problems = [f"{args[0]}: {p}" for p in message_problems(run, cause)]
    after = table_dump(db_path)
    lost = len(set(before) - set(after))  # rows (as SQL lines) gone or changed
    if run.returncode != 0 and after != before:
        problems.append(f"{args[0]}: refused, yet the review changed")
    tally.add(problems, lost if run.returncode != 0 else 0)
    said = (run.stderr.strip().splitlines() or [""])[-1][:160]
    tally.note(f"{args[0]} -> exit {run.returncode} {said}")


def full_disk(tmp: Path, tally: Tally, room: int) -> str:
    """The commands on a disk with room bytes free (0: full)."""
    from tests.entrez_corpus import synthetic_corpus
    from tests.entrez_server import EntrezServer
    from tests.screening_fixtures import make_review

    disk = tmp / f"disk-{room}"
    with tmpfs(disk) as mounted:
        if not mounted:
            return "not run: mount -t tmpfs was refused"
        db_path = make_review(disk / "review")
        with EntrezServer(synthetic_corpus(60, small=True)) as server:
            env = metasift_env(METASIFT_EUTILS_URL=server.url, NCBI_EMAIL="b@example.org")
            for args in (
                ["import", BIG_IMPORT],
                ["dedup"],
                ["export", "records", "--format", "csv", "-o", disk / "records.csv"],
                ["search", "pubmed", "synthetic"],
            ):
                fill(disk, room)
                command_input(db_path, args, FULL, tally, env)
        fill(disk, room)
        decision_input(db_path, tally)
    return "tmpfs"


def read_only(tmp: Path, tally: Tally, whole_disk: bool) -> None:
    from tests.screening_fixtures import make_review

    name = "disk-ro" if whole_disk else "file-ro"
    with tmpfs(tmp / name) as mounted:
        if not mounted:
            return
        db_path = make_review(tmp / name / "review")
        if whole_disk:
            locked = mount("-o", "remount,ro", str(tmp / name))
        else:
            locked = mount("--bind", str(db_path), str(db_path))
            locked = locked and mount("-o", "remount,bind,ro", str(db_path))
        if not locked:
            tally.add([f"{name}: could not make it read-only"])
            return
        try:
            for args in (
                ["status"],
                ["records"],
                ["export", "records", "--format", "csv", "-o", tmp / f"{name}.csv"],
                ["import", BIG_IMPORT],
                ["dedup"],
            ):
                command_input(db_path, args, READ_ONLY, tally)
            problems, _ = run_screen(db_path.parent, open_only=True)
            tally.add([f"{name} screen: {p}" for p in problems])
        finally:
            if not whole_disk:
                subprocess.run(["umount", str(db_path)], capture_output=True)


def main() -> int:
    args = arguments(
        __doc__.splitlines()[0],
        ("--decide", {"help": "child: decide once on the screen of this review folder"}),
        ("--open-only", {"help": "child: open the screen of this review folder, then quit"}),
    )
    if args.decide or args.open_only:
        asyncio.run(decide_once(Path(args.decide or args.open_only), bool(args.open_only)))
        return 0
    if os.geteuid() != 0:
        print("disks | not run: mounting a small tmpfs needs root")
        return 0
    tally = Tally("disks", lost_label="rows lost")
    with tempfile.TemporaryDirectory(prefix="rel-disks-") as tmp:
        how = full_disk(Path(tmp), tally, room=0)
        full_disk(Path(tmp), tally, room=ROOM)
        read_only(Path(tmp), tally, whole_disk=True)
        read_only(Path(tmp), tally, whole_disk=False)
    return tally.report(f"full disk on {how}; {tally.inputs} commands in {tally.elapsed:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
