"""The run-time half of the layer contract (lint-imports checks the static half)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

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


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_no_ui(module: str) -> None:
    code = (
        f"import sys, {module}; print(*sorted(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing {module} loaded {out.stdout.strip()}"


def test_help_answers_without_heavy_imports() -> None:
    code = (
        "import sys; from screening.cli import cli; print(*sorted(m for m in "
        "('textual', 'rich', 'lxml', 'Bio', 'rapidfuzz') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
