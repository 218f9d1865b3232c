"""Normalisers every importer shares, so all formats agree on what a field looks like."""

from __future__ import annotations

import pytest

from screening.normalise import expand_pages, normalise_language


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("eng", "English"),  # PubMed XML, MEDLINE
        ("English", "English"),  # Embase, Scopus, Web of Science
        ("english", "English"),  # BibTeX langid
        ("en", "English"),
        ("eng; fre", "English; French"),
        ("English, Spanish", "English; Spanish"),
        ("eng; English", "English"),
        ("Serbo-Croatian (Roman)", "Serbo-Croatian (Roman)"),  # unknown: as written
        ("xyz", "Xyz"),
        ("", None),
        (None, None),
    ],
)
def test_languages_are_names(given: str | None, expected: str | None) -> None:
    assert normalise_language(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("463-8", "463-468"),
        ("1695-9", "1695-1699"),
        ("113-25", "113-125"),
        ("296-302", "296-302"),
        ("e0006219", "e0006219"),
        ("S12-S19", "S12-S19"),
        (None, None),
    ],
)
def test_short_page_ranges_are_written_out(given: str | None, expected: str | None) -> None:
    assert expand_pages(given) == expected
