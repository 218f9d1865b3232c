"""Measuring a command as a whole process, shared by the benchmarks."""

from __future__ import annotations

import subprocess
import sys

_WRAPPER = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "dt = time.perf_counter() - t; sys.stderr.write(p.stderr); "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(dt, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, sep='\\t'); "
    "print(p.stdout, end=''); sys.exit(p.returncode)"
)


def peak_rss(cmd: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system, children included), peak RSS (MiB) and
    stdout of cmd, run under a fresh wrapper process so each peak is its own."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    first, _, rest = out.stdout.partition("\n")
    seconds, cpu, mib = (float(x) for x in first.split("\t"))
    return seconds, cpu, mib, rest
