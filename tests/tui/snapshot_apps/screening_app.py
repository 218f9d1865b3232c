"""The screening screen on a small real review (the fixture PubMed records, a test protocol).

python -m tests.tui.snapshot_apps.screening_app     # or: textual run tests.tui....
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from screening.decisions.session import ScreeningSession
from screening.review import load_review
from screening.tui.app import MetasiftApp, make_app
from screening.tui.screening_screen import ScreeningScreen
from tests.screening_fixtures import make_review
from tests.tui.snapshot_apps import built_on_demand

FIXED_TIME = "2026-01-05T09:30:00.000+00:00"  # snapshots never show today's date


def build(
    folder: Path,
    reviewer: str = "ana",
    stage: str = "title-abstract",
    prepare: Callable[[ScreeningSession], None] | None = None,
) -> MetasiftApp:
    """A review in folder (made once), its screen for reviewer and stage; prepare() may decide
    records beforehand (on the title/abstract session of the same reviewer)."""
    db_path = folder / "review.db"
    if not db_path.exists():
        make_review(folder)
    review = load_review(db_path)

    def fixed() -> str:
        return FIXED_TIME

    if prepare is not None:
        prepare(ScreeningSession(review.db, review.protocol, reviewer, clock=fixed))
    session = ScreeningSession(review.db, review.protocol, reviewer, stage, clock=fixed)
    app = make_app(lambda: ScreeningScreen(session), title=f"metasift · {review.protocol.title}")
    app.session = session  # type: ignore[attr-defined]  # for tests
    return app


__getattr__ = built_on_demand(build)


if __name__ == "__main__":
    __getattr__("app").run()
