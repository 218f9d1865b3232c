"""The run-time half of the layer contract (lint-imports checks the static half)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import db
import extraction
import screening


def core_modules() -> list[str]:
    names = []
    for pkg in (db, screening, extraction):
        names.append(pkg.__name__)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."):
            if ".tui" not in info.name and ".cli" not in info.name:
                names.append(info.name)
    return names


# One interpreter imports every core module in turn (64 interpreters took 23 s of the suite).
# UI packages cannot be unloaded, so the first module that pulls one in is the one named.
_CHECK = """
import importlib, json, sys
ui = ("textual", "rich")
for name in sys.argv[1:]:
    importlib.import_module(name)
    loaded = sorted(m for m in ui if m in sys.modules)
    if loaded:
        print(json.dumps([name, loaded]))
        break
"""


def test_core_modules_import_no_ui() -> None:
    modules = core_modules()
    assert len(modules) > 40  # the walk found the packages, not an empty list
    out = subprocess.run(
        [sys.executable, "-c", _CHECK, *modules], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"importing {out.stdout.strip()}"


def test_help_answers_without_heavy_imports() -> None:
    code = (
        "import sys; from screening.cli import cli; print(*sorted(m for m in "
        "('textual', 'rich', 'lxml', 'Bio', 'rapidfuzz', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_status_reads_the_review_without_numpy_and_numpy_still_loads_later() -> None:
    code = (
        "import sys; from screening.cli import _import_sqlite_utils_without_numpy as load; "
        "load(); import sqlite_utils; print('numpy' in sys.modules); "
        "import numpy; print(numpy.float64(1.5) + 1)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "2.5"]


def test_every_command_listed_is_the_one_its_module_registers() -> None:
    """The root group loads a command when it is asked for: its table of names must match
    what the modules register, or a command would be missing from --help or unreachable."""
    import click

    from screening.cli import cli

    ctx = click.Context(cli)
    listed = cli.list_commands(ctx)
    assert all(cli.get_command(ctx, name) is not None for name in listed)
    assert sorted(cli.commands) == listed  # nothing registered that the table does not name
    export = cli.get_command(ctx, "export")
    assert isinstance(export, click.Group) and "sheet" in export.commands
