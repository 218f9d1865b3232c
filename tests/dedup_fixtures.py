"""pytest fixtures for the dedup tests; test modules load them with
pytest_plugins = ("tests.dedup_fixtures",) and import helpers from tests.dedup_support."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.connection import open_review
from screening.dedup.keys import Keys
from tests.dedup_support import copy_template, keys_by_source_id, slips_review, templates


@pytest.fixture
def sample_path(tmp_path: Path) -> Path:
    """A review with the sample imported, not yet deduplicated."""
    return copy_template(templates()[False], tmp_path)


@pytest.fixture
def deduped_path(tmp_path: Path) -> Path:
    """A review with the sample imported and deduplicated once."""
    return copy_template(templates()[True], tmp_path)


@pytest.fixture
def deduped_db(deduped_path: Path) -> Iterator[Database]:
    db = open_review(deduped_path)
    yield db
    db.close()


@pytest.fixture(scope="session")
def sample_keys() -> dict[str, Keys]:
    """Comparison keys of every sample record, by its CSV record_id (DIAB00001, SRA00002...)."""
    return keys_by_source_id(templates()[False] / "review.db")


@pytest.fixture(scope="session")
def slip_keys() -> dict[str, Keys]:
    """Comparison keys of every record of sra_slips.csv, by its CSV record_id."""
    return keys_by_source_id(slips_review())
