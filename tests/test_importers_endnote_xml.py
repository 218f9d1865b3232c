"""EndNote XML, as EndNote 20/21 and Mendeley write it, checked against the standard library's
own XML parser reading the same files."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import detect_format, endnote_xml, ris
from screening.importers.textfile import SourceFile
from screening.importing import import_file
from screening.normalise import normalise_doi
from tests.conftest import FIXTURES

XML = FIXTURES / "endnote_xml"
ENDNOTE_20 = XML / "reflib_spidercite_demo_endnote20.xml"
ENDNOTE_21 = XML / "reflib_dump_converted_endnote21.xml"
MENDELEY = XML / "asysd_mendeley_export_first20.xml"
BLUE_LIGHT = XML / "reflib_blue-light_endnote20.xml"
BLUE_LIGHT_RIS = FIXTURES / "ris" / "reflib_blue-light_endnote.ris"
ALL = [(ENDNOTE_20, 10), (ENDNOTE_21, 25), (MENDELEY, 20), (BLUE_LIGHT, 102)]


def read(path: Path) -> list[Citation]:
    return list(endnote_xml.read(SourceFile.open(path)))


def stdlib_records(path: Path) -> list[dict[str, str | None]]:
    """The same fields read with xml.etree, the <style> runs joined by hand."""

    def text(record: ET.Element, path: str) -> str | None:
        found = record.find(path)
        return " ".join("".join(found.itertext()).split()) or None if found is not None else None

    return [
        {
            "title": text(r, "titles/title"),
            "author": text(r, "contributors/authors/author"),
            "year": text(r, "dates/year"),
            "doi": text(r, "electronic-resource-num"),
            "journal": text(r, "periodical/full-title"),
            "abstract": text(r, "abstract"),
        }
        for r in ET.parse(path).getroot().iterfind("records/record")
    ]


@pytest.mark.parametrize(("path", "count"), ALL, ids=lambda v: getattr(v, "name", v))
def test_each_flavour_is_detected_and_gives_every_record(path: Path, count: int) -> None:
    assert detect_format(SourceFile.open(path)) == "endnote-xml"
    assert len(read(path)) == count


@pytest.mark.parametrize(("path", "count"), ALL, ids=lambda v: getattr(v, "name", v))
def test_fields_match_an_independent_parse_record_by_record(path: Path, count: int) -> None:
    for ours, theirs in zip(read(path), stdlib_records(path), strict=True):
        assert ours.title == theirs["title"]
        assert (ours.authors[0] if ours.authors else None) == theirs["author"]
        assert ours.year == (int(theirs["year"]) if theirs["year"] else None)
        assert ours.doi == normalise_doi(theirs["doi"])
        if theirs["journal"]:
            assert ours.journal == theirs["journal"]
        assert (ours.abstract or "").replace("\n\n", " ") == (theirs["abstract"] or "")


def test_the_same_library_reads_the_same_from_endnote_xml_and_from_ris() -> None:
    """RefLib's blue-light library, exported by EndNote 20.2 both as XML and as RIS."""
    same = (
        "title abstract sections authors year journal volume issue pages doi pmid pmcid issn "
        "language keywords urls record_type source_record_id"
    ).split()
    from_ris = list(ris.read(SourceFile.open(BLUE_LIGHT_RIS)))
    from_xml = read(BLUE_LIGHT)
    assert len(from_xml) == len(from_ris) == 102
    for ours, theirs in zip(from_xml, from_ris, strict=True):
        assert {f: getattr(ours, f) for f in same} == {f: getattr(theirs, f) for f in same}
    assert sum(1 for c in from_xml if c.pmcid) == 18  # EndNote's PubMed import: custom2
    assert [c.language for c in from_xml].count("English; German") == 1


def test_endnote_20_record_reads_whole() -> None:
    first = read(ENDNOTE_20)[0]
    assert first.title.startswith("A multicenter, randomized, split-face clinical trial")
    assert first.authors[:2] == ["Antoniou, C.", "Dessinioti, C."]
    assert len(first.authors) == 9
    assert (first.year, first.journal, first.volume, first.issue, first.pages) == (
        2016, "Int J Dermatol", "55", "12", "1321-1328",
    )  # fmt: skip
    assert (first.doi, first.pmid, first.issn) == ("10.1111/ijd.13349", "27575854", "0011-9059")
    assert first.record_type == "article" and first.publication_types == ["Journal Article"]
    assert first.extra["database"] == "PubMed" and first.extra["database_provider"] == "NLM"
    assert first.extra["source_app"] == "EndNote"
    assert first.sections[0].label == "BACKGROUND"


def test_each_record_of_a_mixed_library_names_its_own_database() -> None:
    records = read(ENDNOTE_21)
    databases = [c.extra.get("database") for c in records]
    assert databases.count("MEDLINE") == 19
    assert databases.count("cin20") == 4 and databases.count("PHIL") == 2
    ovid = records[3]  # MEDLINE via Ovid: DOI as a URL, the PMID in accession-num
    assert ovid.title.startswith("Good problems to have?")
    assert ovid.authors[0] == "Angrist, M."
    assert (ovid.doi, ovid.pmid) == ("10.1186/s40504-020-00106-2", "33043412")
    assert ovid.extra["database_provider"] == "Ovid Technologies"
    cinahl = records[0]
    assert cinahl.journal == "Neurology" and cinahl.doi == "10.1212/wnl.0000000000012606"
    assert cinahl.authors == [] and cinahl.pmid is None
    phil = records[15]  # PHIL: no accession number, no DOI
    assert phil.title.startswith("Bioethical Issues in Disclosing APOE Genetic Information")
    assert (phil.pmid, phil.source_record_id, phil.doi) == (None, None, None)


def test_mendeley_types_are_read_by_name_not_number() -> None:
    records = read(MENDELEY)
    # Mendeley numbers Journal Article 0 and Generic 31 (EndNote's 31 is Statute)
    assert [c.publication_types[0] for c in records].count("Generic") == 4
    assert records[0].record_type == "article" and records[2].record_type is None
    first = records[0]
    assert first.title == "Myoclonus in older Cavalier King Charles Spaniels."
    assert first.authors == ["Rotter, Carina", "Whittaker, Danielle", "Rusbridge, Clare"]
    assert (first.year, first.volume, first.issue, first.pages) == (2022, "36", "3", "1032-1038")
    assert (first.doi, first.pmid) == ("10.1111/jvim.16404", "35319117")
    assert first.language == "English" and "Myoclonus" in first.keywords


def test_the_root_must_be_endnote_xml(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<library><records><record><titles/></record></records></library>")
    with pytest.raises(ParseError, match="root element is <library>"):
        read(path)


def test_a_cut_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(ENDNOTE_21.read_bytes()[:5000])
    with pytest.raises(ParseError) as err:
        read(path)
    assert err.value.line == 1 and "XML is broken" in str(err.value)


def test_external_entities_are_never_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4711")
    path = tmp_path / "evil.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        "<xml><records><record><titles><title>Before &x; after</title></titles>"
        "</record></records></xml>"
    )
    (citation,) = read(path)
    assert citation.title == "Before after"
    assert "TOPSECRET" not in repr(citation)


def test_a_billion_laughs_is_never_expanded(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    path = tmp_path / "laughs.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE xml [{laughs}]>'
        "<xml><records><record><titles><title>A &l9; B</title></titles></record></records></xml>"
    )
    started = time.perf_counter()
    try:  # libxml2 refuses the file outright (amplification limit), or reads it unexpanded
        titles = [c.title for c in read(path)]
    except ParseError as e:
        assert "amplification" in str(e) and e.line == 1
    else:
        assert titles == ["A B"]
    assert time.perf_counter() - started < 1


def test_import_lands_every_record_with_the_library_database(review_db: object) -> None:
    summary = import_file(review_db, ENDNOTE_21)  # type: ignore[arg-type]
    assert (summary.format, summary.added) == ("endnote-xml", 25)
