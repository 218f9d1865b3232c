"""The doubtful-pairs screen on a small real review: tests/fixtures/dedup/sample.csv imported
and deduplicated, opened the way `metasift dedup review` opens it.

python -m tests.tui.snapshot_apps.dedup_app     # or: textual run tests.tui.snapshot_apps.dedup_app
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from screening.dedup.canonical import DedupSettings
from screening.dedup.pair_review import DedupReview
from screening.review import load_review
from screening.tui.app import MetasiftApp, make_app
from screening.tui.dedup_screen import DedupScreen
from tests.dedup_support import copy_template, templates
from tests.tui.snapshot_apps import built_on_demand
from tests.tui.snapshot_apps.screening_app import FIXED_TIME


def build(
    tmp_path: Path,
    reviewer: str = "ana",
    prepare: Callable[[DedupReview], None] | None = None,
) -> MetasiftApp:
    """A copy of the deduplicated sample review in tmp_path/review and its pair screen for
    reviewer; prepare() may decide pairs beforehand."""
    review = load_review(copy_template(templates()[True], tmp_path))
    settings = DedupSettings(review.protocol.source_priority)
    pairs = DedupReview(review.db, reviewer, settings, clock=lambda: FIXED_TIME)
    if prepare is not None:
        prepare(pairs)
    title = f"metasift · duplicates · {review.protocol.title}"
    return make_app(lambda: DedupScreen(pairs), title=title)


__getattr__ = built_on_demand(build)


if __name__ == "__main__":
    __getattr__("app").run()
