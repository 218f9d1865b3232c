from __future__ import annotations

import io
from pathlib import Path

from screening.citation import Citation, Section
from screening.export.bibtex import citation_key, write_bibtex
from screening.importers import bibtex
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

SCOPUS = FIXTURES / "bibtex" / "synthesisr_Scopus_bib_example.bib"
ROUND_TRIP_FIELDS = (
    "title",
    "abstract",
    "sections",
    "authors",
    "year",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "language",
    "publication_types",
    "mesh_terms",
    "keywords",
    "urls",
    "record_type",
)


def read(path: Path) -> list[Citation]:
    return list(bibtex.read(SourceFile.open(path)))


def round_trip(tmp_path: Path, citations: list[Citation]) -> tuple[str, list[Citation]]:
    out = io.StringIO()
    assert write_bibtex(citations, out) == len(citations)
    path = tmp_path / "export.bib"
    path.write_text(out.getvalue(), encoding="utf-8")
    return out.getvalue(), read(path)


def fields(c: Citation) -> dict[str, object]:
    return {name: getattr(c, name) for name in ROUND_TRIP_FIELDS}


def test_scopus_fixture_reads_back_the_same_after_writing(tmp_path: Path) -> None:
    original = read(SCOPUS)
    text, again = round_trip(tmp_path, original)
    assert [fields(c) for c in again] == [fields(c) for c in original]
    assert [c.source_record_id for c in again] == [c.source_record_id for c in original]
    assert [c.extra["database"] for c in again] == ["Scopus"] * 3
    assert [c.extra["bibtex_key"] for c in again] == [
        "li2020soil",
        "cao2020impacts",
        "tang2020application",
    ]
    assert text.startswith("@article{li2020soil,\n  author = {Li, W. and Dou, Z. and")
    assert "  shortjournal = {Ecosyst. Health Sustain.},\n" in text


def test_special_characters_sections_and_every_kept_field_round_trip(tmp_path: Path) -> None:
    citation = Citation(
        raw="",
        line=0,
        title="{Braces} & 50% of $5 #1 under_score ~tilde^ back\\slash -- and ---",
        abstract="BACKGROUND: Why.\n\nMETHODS: How; 1990–2000.",
        sections=[Section("BACKGROUND", "Why."), Section("METHODS", "How; 1990–2000.")],
        authors=["Müller, Jörg", "WHO Study Group", "Smith, John, Jr", "Johnson and Johnson, Inc."],
        year=2019,
        journal="Revista Española de Cardiología",
        journal_abbrev="Rev Esp Cardiol",
        volume="72",
        issue="3",
        pages="e101-e110",
        doi="10.1016/j.rec.2018.05.001",
        pmid="30077569",
        pmcid="PMC1234567",
        issn="1885-5857",
        language="Spanish",
        publication_types=["Journal Article", "Randomized Controlled Trial"],
        mesh_terms=["Humans", "Heart Failure/therapy"],
        keywords=["heart failure", "exercise"],
        urls=["https://example.org/a_b%20c", "https://example.org/second"],
        record_type="article",
        extra={"editors": ["Doe, Jane"], "publisher": "Elsevier", "database": "PubMed"},
    )
    text, (again,) = round_trip(tmp_path, [citation])
    assert fields(again) == fields(citation)
    assert again.extra["editors"] == ["Doe, Jane"]
    assert again.extra["publisher"] == "Elsevier"
    assert "  pages = {e101--e110},\n" in text
    assert "  pmid = {30077569},\n" in text
    assert "  mesh = {Humans; Heart Failure/therapy},\n" in text
    assert "{WHO Study Group}" in text


def test_chapters_write_booktitle_and_keys_stay_unique(tmp_path: Path) -> None:
    chapter = Citation(raw="", line=0, title="The Chapter", journal="The Book",
                       authors=["Li, W."], year=2020, record_type="book chapter")  # fmt: skip
    twin = Citation(raw="", line=0, title="The Chapter again", authors=["Li, W."], year=2020)
    text, (first, second) = round_trip(tmp_path, [chapter, twin])
    assert text.startswith("@incollection{li2020chapter,\n")
    assert "  booktitle = {The Book},\n" in text
    assert "@misc{li2020chapterb,\n" in text
    assert (first.journal, first.record_type) == ("The Book", "book chapter")
    assert second.record_type is None


def test_citation_key_for_a_record_without_authors_or_year() -> None:
    assert citation_key(Citation(raw="", line=0, title="On the Ölbaum")) == "anonolbaum"
    assert citation_key(Citation(raw="", line=0, authors=["Ñúñez, A."], year=1999)) == "nunez1999"


def test_a_pubmed_book_with_its_isbns_exports(tmp_path: Path) -> None:
    """PubMed's book records carry every ISBN (a list): found by benchmarks/reliability.py."""
    from screening.importers import pubmed_xml

    book = FIXTURES / "entrez" / "hawc" / "efetch_pubmedbookarticle_26468569.xml"
    citations = list(pubmed_xml.read(SourceFile.open(book)))
    assert isinstance(citations[0].extra["isbn"], list)
    out = io.StringIO()
    write_bibtex(citations, out)
    isbns = "; ".join(citations[0].extra["isbn"])
    assert f"isbn = {{{isbns}}}" in out.getvalue()
