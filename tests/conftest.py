from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def review_path(tmp_path: Path) -> Path:
    """A fresh review folder (review.db + review.toml) made by `metasift init`'s core."""
    from screening.review import init_review

    init_review(tmp_path / "review", title="MSC for liver cirrhosis")
    return tmp_path / "review" / "review.db"


@pytest.fixture
def review_db(review_path: Path) -> Iterator[Database]:
    from db.connection import open_review

    db = open_review(review_path)
    yield db
    db.close()


@pytest.fixture(autouse=True)
def _colour_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # NO_COLOR in the shell would make every TUI snapshot monochrome (STYLE.md 3.3)
    monkeypatch.delenv("NO_COLOR", raising=False)
