"""Apps for the snapshot tests, one per screen, each on a small real review made from
tests/fixtures; each also runs by hand: python -m tests.tui.snapshot_apps.<name>."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from screening.tui.app import MetasiftApp


def built_on_demand(build: Callable[[Path], MetasiftApp]) -> Callable[[str], MetasiftApp]:
    """A module __getattr__ for `textual run`, which looks up `app`: the review is built only
    then, in a folder of its own, not on every import."""

    def __getattr__(name: str) -> MetasiftApp:
        if name == "app":
            return build(Path(tempfile.mkdtemp(prefix="metasift-snapshot-")))
        raise AttributeError(name)

    return __getattr__
