"""Opening a full text (a PDF's path or a link) with what the system opens such things with:
xdg-open on Linux and the BSDs, open on macOS, the file's association on Windows. The
command is started and left to run; nothing waits for the viewer to close."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence

from db.errors import MetasiftError

Launch = Callable[[Sequence[str]], object]


def opener_command(target: str, platform: str = sys.platform) -> list[str] | None:
    """The command that opens target on this platform; None on Windows (os.startfile)."""
    if platform.startswith("win"):
        return None
    return ["open" if platform == "darwin" else "xdg-open", target]


def open_location(target: str, launch: Launch | None = None, platform: str = sys.platform) -> None:
    """Open a path or URL in the system's viewer; launch runs the command (tests pass their
    own). A viewer that cannot be started (no xdg-open installed) is a MetasiftError."""
    command = opener_command(target, platform)
    try:
        if command is None:
            os.startfile(target)  # type: ignore[attr-defined]  # Windows only; mypy runs on Linux
        else:
            (launch or _detached)(command)
    except OSError as e:
        program = command[0] if command else "the file's association"
        raise MetasiftError(f"cannot open {target} with {program}: {e.strerror or e}") from e


def _detached(command: Sequence[str]) -> object:
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the viewer outlives the screen, and Ctrl-C here spares it
    )
