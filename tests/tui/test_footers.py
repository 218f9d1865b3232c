"""At 80x24, the smallest terminal we support, every screen's footer still shows `q` (quit)
and `?` (help) on top, whatever else it has to cut."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Footer

from screening.tui.app import MetasiftApp
from tests.tui.snapshot_apps import (
    dedup_app,
    extract_app,
    resolve_app,
    rob_consensus_app,
    screening_app,
)
from tests.tui.test_consensus_screen import conflicted

SCREENS: dict[str, Callable[[Path], MetasiftApp]] = {
    "screening": lambda tmp: screening_app.build(tmp / "review"),
    "screening full text": lambda tmp: screening_app.build(tmp / "review", stage="full-text"),
    "resolve": lambda tmp: resolve_app.build(tmp / "review"),
    "resolve full text": lambda tmp: resolve_app.build(tmp / "review", stage="full-text"),
    "dedup review": dedup_app.build,
    "extract": lambda tmp: extract_app.build(tmp / "review"),
    "consensus": lambda tmp: conflicted(tmp / "review")[0],
    "rob consensus": lambda tmp: rob_consensus_app.build(tmp / "review"),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("name", SCREENS)
async def test_footer_keeps_quit_and_help_visible(
    name: str, size: tuple[int, int], tmp_path: Path
) -> None:
    app = SCREENS[name](tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = {getattr(k, "key", None): k for k in footer.query("FooterKey")}
        for key in ("q", "question_mark"):
            region = keys[key].region
            assert region.right <= size[0] and region.y == size[1] - 1, (key, region)
            # what the terminal shows at the key's cell is the key itself, not a key drawn over it
            assert app.screen.get_widget_at(region.x, region.y)[0] is keys[key]
            assert app.screen.get_widget_at(region.right - 1, region.y)[0] is keys[key]
