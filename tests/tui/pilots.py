"""Running a snapshot app under Pilot for a test, and the screen it shows, for the screen
tests that drive an app built on a review folder (app.review closed after)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

from textual.pilot import Pilot
from textual.screen import Screen

from screening.tui.app import MetasiftApp

S = TypeVar("S", bound=Screen)


async def piloting(app: MetasiftApp, size: tuple[int, int] = (120, 40)) -> AsyncIterator[Pilot]:
    """A pilot on app once it has drawn; the review it opened is closed afterwards."""
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield pilot
    app.review.close()  # type: ignore[attr-defined]


def screen_as(pilot: Pilot, kind: type[S]) -> S:
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen
