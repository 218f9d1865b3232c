"""Every importer on mutated real files (hypothesis): each input imports, or is refused with a
one-line MetasiftError naming the file and the review unchanged; never another exception.

The mutations and the check live in tests/importer_mutations.py, which the full-size run
(benchmarks/reliability_importers.py, 10,000 inputs per format) shares. Here: 40 inputs per
format, derandomised so CI sees the same cases every run, with 200 KB fields in place of
the benchmark's 5 MB ones.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.connection import open_review
from screening.importers import FORMATS
from screening.review import init_review
from tests.importer_mutations import MUTATIONS, ImportCheck, big_field, fixtures_by_format, mutate

FIXTURES_BY_FORMAT = fixtures_by_format(100_000)
MUTATIONS_HERE = [*MUTATIONS, big_field(200_000)]


@pytest.fixture(scope="module")
def check(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImportCheck]:
    folder = tmp_path_factory.mktemp("mutations")
    init_review(folder / "review", title="mutations")
    db = open_review(folder / "review" / "review.db")
    yield ImportCheck(db, FIXTURES_BY_FORMAT["ovid"][0], folder)
    db.close()


@pytest.fixture(scope="module")
def expected(check: ImportCheck) -> dict[Path, int]:
    """Records in each unmutated fixture."""
    return {path: check.records_in(path) for ps in FIXTURES_BY_FORMAT.values() for path in ps}


def test_every_format_has_real_fixtures_to_mutate() -> None:
    assert set(FORMATS) <= set(FIXTURES_BY_FORMAT), set(FORMATS) - set(FIXTURES_BY_FORMAT)


@pytest.mark.parametrize("fmt", sorted(FIXTURES_BY_FORMAT))
def test_mutated_files_import_or_are_refused_cleanly(
    fmt: str, check: ImportCheck, expected: dict[Path, int], tmp_path_factory
) -> None:
    work = tmp_path_factory.mktemp(fmt)

    @settings(
        max_examples=40,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        path=st.sampled_from(FIXTURES_BY_FORMAT[fmt]),
        rng=st.randoms(use_true_random=False),
        forced=st.sampled_from(["auto", fmt]),
    )
    def one_input(path: Path, rng: random.Random, forced: str) -> None:
        mutant = mutate(path.read_bytes(), rng, MUTATIONS_HERE)
        target = work / path.name
        target.write_bytes(mutant.data)
        outcome = check.run(target, forced, expected[path], mutant.keeps_records)
        assert outcome.clean, f"{mutant.kind}, --format {forced}: {outcome.problem}"
        assert not outcome.lost, f"{mutant.kind}: {outcome.lost} records lost"

    one_input()
