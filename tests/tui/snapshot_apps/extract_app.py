"""The extraction screen on a small real review: the fixture PubMed records, two included at
full text, a form for the MSC-in-cirrhosis model review (tests/test_extraction_values.py's),
opened for ana the way `metasift extract` opens it.

python -m tests.tui.snapshot_apps.extract_app     # or: textual run tests.tui....
"""

from __future__ import annotations

import shutil
from pathlib import Path

from screening.cli.extraction_review import included_studies
from screening.review import load_review
from screening.tui.app import MetasiftApp, make_app
from tests.merge_support import new_main, record_ids
from tests.test_extraction_review import decide
from tests.test_extraction_values import FORM
from tests.tui.snapshot_apps import built_on_demand


def build(folder: Path, reviewer: str = "ana") -> MetasiftApp:
    from extraction.tui.extract_screen import ExtractScreen
    from extraction.values.worksheet import Worksheet

    if not (folder / "review.db").exists():
        made = new_main(folder.parent, folder.name + "-made")
        if folder.exists():
            folder.rmdir()  # the empty folder built_on_demand makes
        shutil.move(made, folder)
        toml = folder / "review.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + FORM, encoding="utf-8")
        with load_review(folder) as review:
            for rid in record_ids(review.db)[:2]:
                decide(review.db, rid, "title-abstract", "include")
                decide(review.db, rid, "full-text", "include")
    review = load_review(folder)
    sheets = [
        (s, Worksheet(review.db, review.protocol.form, reviewer, s.uuid))
        for s in included_studies(review)
    ]
    app = make_app(lambda: ExtractScreen(sheets), title="metasift · extraction")
    app.review = review  # type: ignore[attr-defined]  # for tests
    return app


__getattr__ = built_on_demand(build)


if __name__ == "__main__":
    __getattr__("app").run()
