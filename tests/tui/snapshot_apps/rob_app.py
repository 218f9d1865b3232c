"""The risk-of-bias screen on a small real review: the fixture PubMed records, two included
at full text, opened for ana with RoB 2 the way `metasift rob` opens it.

python -m tests.tui.snapshot_apps.rob_app     # or: textual run tests.tui.snapshot_apps.rob_app
"""

from __future__ import annotations

import shutil
from pathlib import Path

from screening.cli.extraction_review import included_studies
from screening.review import load_review
from screening.tui.app import MetasiftApp, make_app
from tests.merge_support import new_main, record_ids
from tests.test_extraction_review import decide
from tests.tui.snapshot_apps import built_on_demand


def build(folder: Path, reviewer: str = "ana", instrument: str = "rob2") -> MetasiftApp:
    from extraction.rob.form import RobForm
    from extraction.rob.instrument import find_instrument
    from extraction.tui.rob_screen import RobScreen

    if not (folder / "review.db").exists():
        made = new_main(folder.parent, folder.name + "-made")
        if folder.exists():
            folder.rmdir()  # the empty folder built_on_demand makes
        shutil.move(made, folder)
        with load_review(folder) as review:
            for rid in record_ids(review.db)[:2]:
                decide(review.db, rid, "title-abstract", "include")
                decide(review.db, rid, "full-text", "include")
    review = load_review(folder)
    studies = included_studies(review)
    form = RobForm(review.db, find_instrument(instrument), reviewer, studies)
    app = make_app(lambda: RobScreen(form), title="metasift · risk of bias")
    app.review = review  # type: ignore[attr-defined]  # for tests
    app.form = form  # type: ignore[attr-defined]
    return app


__getattr__ = built_on_demand(build)


if __name__ == "__main__":
    __getattr__("app").run()
