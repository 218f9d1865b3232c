from __future__ import annotations

import io
from pathlib import Path
from types import ModuleType

import pytest

from screening.citation import Citation, Section
from screening.export.ris import type_code, write_ris
from screening.importers import ris
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

# the normalised fields a round trip through RIS must keep
FIELDS = (
    "title abstract sections authors year journal journal_abbrev volume issue pages doi pmid "
    "pmcid issn language publication_types mesh_terms keywords urls record_type "
    "source_record_id"
).split()


def fields(c: Citation) -> dict[str, object]:
    return {name: getattr(c, name) for name in FIELDS}


def round_trip(citations: list[Citation], tmp_path: Path) -> list[Citation]:
    path = tmp_path / "out.ris"
    with path.open("w", encoding="utf-8", newline="") as out:
        assert write_ris(citations, out) == len(citations)
    return list(ris.read(SourceFile.open(path)))


@pytest.mark.parametrize("path", sorted((FIXTURES / "ris").iterdir()), ids=lambda p: p.name)
def test_ris_fixture_survives_read_write_read(path: Path, tmp_path: Path) -> None:
    first = list(ris.read(SourceFile.open(path)))
    again = round_trip(first, tmp_path)
    assert [fields(c) for c in again] == [fields(c) for c in first]


def pubmed_sources() -> list[tuple[str, Path]]:
    medline = sorted((FIXTURES / "medline").iterdir())
    xml = [
        p
        for p in sorted((FIXTURES / "entrez").glob("*/*.xml"))
        if "<PubmedArticleSet" in p.read_text("utf-8", errors="ignore")[:5000]
    ]
    return [("medline", p) for p in medline] + [("pubmed_xml", p) for p in xml]


@pytest.mark.parametrize(("module", "path"), pubmed_sources(), ids=lambda v: getattr(v, "name", v))
def test_pubmed_citations_survive_write_and_read(module: str, path: Path, tmp_path: Path) -> None:
    reader: ModuleType = pytest.importorskip(f"screening.importers.{module}")
    first = list(reader.read(SourceFile.open(path)))
    again = round_trip(first, tmp_path)
    assert [fields(c) for c in again] == [fields(c) for c in first]


def example() -> Citation:
    return Citation(
        raw="",
        line=1,
        title="Blue light for acne:\na trial",
        abstract="BACKGROUND: Acne is common.\n\nMETHODS: We randomised 40 people.",
        sections=[
            Section("BACKGROUND", "Acne is common."),
            Section("METHODS", "We randomised 40 people."),
        ],
        authors=["Gómez-Peña, Mónica", "Smith, JA"],
        year=2019,
        journal="Journal of Dermatology",
        journal_abbrev="J Dermatol",
        volume="12",
        issue="3",
        pages="349-369",
        doi="10.1000/abc.1",
        pmid="12345678",
        pmcid="PMC7654321",
        issn="1234-5678",
        language="English",
        publication_types=["Journal Article", "Randomized Controlled Trial"],
        mesh_terms=["Acne Vulgaris/therapy", "Humans"],
        keywords=["blue light"],
        urls=["https://example.org/a"],
        record_type="article",
        source_record_id="L1234",
        extra={"database": "Embase", "editors": ["Doe, Jane"]},
    )


def test_record_is_written_tag_by_tag() -> None:
    out = io.StringIO()
    assert write_ris([example()], out) == 1
    assert out.getvalue().split("\n") == [
        "TY  - JOUR",
        "TI  - Blue light for acne: a trial",
        "AU  - Gómez-Peña, Mónica",
        "AU  - Smith, JA",
        "PY  - 2019",
        "T2  - Journal of Dermatology",
        "J2  - J Dermatol",
        "VL  - 12",
        "IS  - 3",
        "SP  - 349",
        "EP  - 369",
        "DO  - 10.1000/abc.1",
        "SN  - 1234-5678",
        "LA  - English",
        "AN  - L1234",
        "C5  - 12345678",
        "N1  - PMID: 12345678",
        "C2  - PMC7654321",
        "M3  - Journal Article",
        "M3  - Randomized Controlled Trial",
        "KW  - blue light",
        "MH  - Acne Vulgaris/therapy",
        "MH  - Humans",
        "AB  - BACKGROUND: Acne is common.",
        "AB  - METHODS: We randomised 40 people.",
        "UR  - https://example.org/a",
        "DB  - Embase",
        "ED  - Doe, Jane",
        "ER  - ",
        "",
    ]


def test_pmid_mesh_and_sections_come_back_apart(tmp_path: Path) -> None:
    (back,) = round_trip([example()], tmp_path)
    assert (back.pmid, back.pmcid, back.source_record_id) == ("12345678", "PMC7654321", "L1234")
    assert back.keywords == ["blue light"]
    assert back.mesh_terms == ["Acne Vulgaris/therapy", "Humans"]
    assert back.sections == example().sections
    assert back.title == "Blue light for acne: a trial"
    assert back.extra["database"] == "Embase" and back.extra["editors"] == ["Doe, Jane"]


def test_records_are_separated_by_a_blank_line() -> None:
    out = io.StringIO()
    bare = Citation(raw="", line=1, title="Only a title")
    assert write_ris([bare, bare], out) == 2
    assert out.getvalue() == (
        "TY  - GEN\nTI  - Only a title\nER  - \n\nTY  - GEN\nTI  - Only a title\nER  - \n"
    )


@pytest.mark.parametrize(
    ("pages", "lines"),
    [
        ("e0006219", ["SP  - e0006219"]),
        ("1-1", ["SP  - 1-1"]),
        ("S12-S19", ["SP  - S12", "EP  - S19"]),
    ],
)
def test_pages_split_only_into_a_real_range(pages: str, lines: list[str]) -> None:
    out = io.StringIO()
    write_ris([Citation(raw="", line=1, pages=pages, record_type="article")], out)
    assert out.getvalue().split("\n")[1:-2] == lines


@pytest.mark.parametrize(
    ("record_type", "code"),
    [
        ("article", "JOUR"),
        ("book chapter", "CHAP"),
        ("conference paper", "CPAPER"),
        ("thesis", "THES"),
        ("elec", "ELEC"),  # an unknown code the reader kept lower-cased
        ("book series", "GEN"),
        (None, "GEN"),
    ],
)
def test_type_codes(record_type: str | None, code: str) -> None:
    assert type_code(record_type) == code
