"""The resolve screen on a small real review: the fixture PubMed records screened by ana and
ben, who disagree on records 7 and 8 (tests/resolve_fixtures.py), opened for cleo, the
adjudicator, the way `metasift resolve` opens it.

python -m tests.tui.snapshot_apps.resolve_app     # or: textual run tests.tui....
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from screening.decisions.resolving import Adjudication
from screening.review import load_review
from screening.tui.app import MetasiftApp, make_app
from screening.tui.resolve_screen import ResolveScreen
from tests.resolve_fixtures import LATER, copy_conflicted, ticking
from tests.tui.snapshot_apps import built_on_demand


def build(
    folder: Path,
    adjudicator: str = "cleo",
    stage: str = "title-abstract",
    prepare: Callable[[Adjudication], None] | None = None,
) -> MetasiftApp:
    """The conflicted review in folder (made once) and its resolve screen for adjudicator;
    prepare() may resolve conflicts beforehand."""
    db_path = folder / "review.db"
    if not db_path.exists():
        copy_conflicted(folder)
    review = load_review(db_path)
    if prepare is not None:
        prepare(Adjudication(review.db, review.protocol, adjudicator, stage, clock=ticking(LATER)))
    adjudication = Adjudication(
        review.db, review.protocol, adjudicator, stage, clock=ticking(LATER)
    )
    title = f"metasift · conflicts · {review.protocol.title}"
    app = make_app(lambda: ResolveScreen(adjudication), title=title)
    app.adjudication = adjudication  # type: ignore[attr-defined]  # for tests
    return app


# the review goes in a folder of its own: copy_conflicted makes it, and refuses one that exists
__getattr__ = built_on_demand(lambda tmp: build(tmp / "review"))


if __name__ == "__main__":
    __getattr__("app").run()
