from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import medline, ovid
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

CITAVI = FIXTURES / "ovid" / "knh_Embase_ovid_citavi_r3001-3002.ovd"
ENDNOTE = FIXTURES / "ovid" / "knh_Embase_ovid_endnote_r3001-3002.cgi"


def load(path: Path) -> list[Citation]:
    return list(ovid.read(SourceFile.open(path)))


def write(tmp_path: Path, text: str) -> SourceFile:
    path = tmp_path / "hand_made.ovd"
    path.write_text(text, encoding="utf-8")
    return SourceFile.open(path)


@pytest.mark.parametrize("path", [CITAVI, ENDNOTE], ids=["citavi", "endnote"])
def test_both_flavours_are_sniffed_as_ovid_and_not_as_medline(path: Path) -> None:
    head = SourceFile.open(path).head()
    assert ovid.sniff(head)
    assert not medline.sniff(head)


def test_sniff_refuses_a_pubmed_export() -> None:
    head = SourceFile.open(FIXTURES / "medline" / "reflib-node_cancer.nbib").head()
    assert not ovid.sniff(head)


def test_both_flavours_give_the_same_normalised_records() -> None:
    citavi, endnote = load(CITAVI), load(ENDNOTE)
    assert len(citavi) == len(endnote) == 2
    for a, b in zip(citavi, endnote, strict=True):
        fields_a, fields_b = dataclasses.asdict(a), dataclasses.asdict(b)
        for ignored in ("raw", "line"):
            del fields_a[ignored], fields_b[ignored]
        assert fields_a == fields_b
    assert [c.line for c in citavi] == [1, 72]
    assert [c.line for c in endnote] == [1, 75]


def test_embase_conference_abstract_fields() -> None:
    record = load(CITAVI)[0]
    assert record.title == (
        "Quality of life in patients with primary ciliary dyskinesia: A systematic review."
    )
    assert record.authors == ["Behan, L.", "Rubbo, B.", "Lucas, J.S.", "Galvin, A.D."]
    assert record.doi == "10.1186/s12919-018-0099-8"  # DO "http://dx.doi.org/10.1186/..."
    assert record.source_record_id == "621381829"
    assert record.pmid is None  # an Embase accession number is not a PMID
    assert (record.journal, record.volume, record.issue, record.pages, record.year) == (
        "BMC Proceedings",
        "12",
        "Supplement 3",
        None,
        2018,
    )
    assert record.issn == "1753-6561"
    assert record.language == "English"
    assert record.publication_types == ["Conference Abstract"]
    assert record.record_type == "conference abstract"
    assert record.extra["database"] == "Embase"
    assert record.extra["ovid_number"] == "3001"
    assert record.extra["conference"] == (
        "2nd BEAT-PCD Conference and 3rd PCD Training School: Part 2. Spain"
    )


def test_emtree_headings_lose_their_major_marks() -> None:
    record = load(CITAVI)[0]
    assert record.mesh_terms[:3] == ["adult", "anxiety", "awareness"]
    assert "Kartagener syndrome" in record.mesh_terms
    assert len(record.mesh_terms) == 20
    assert record.extra["mesh_major"] == ["Kartagener syndrome", "quality of life"]


@pytest.mark.parametrize("path", [CITAVI, ENDNOTE], ids=["citavi", "endnote"])
def test_title_case_abstract_labels_become_sections(path: Path) -> None:
    record = load(path)[0]
    assert [s.label for s in record.sections] == [
        "Background",
        "Method(s)",
        "Result(s)",
        "Conclusion(s)",
    ]
    assert record.sections[1].text.startswith("We searched MEDLINE, EBSCO")
    assert record.abstract.startswith("Background: As in most rare diseases")
    assert "\n\nConclusion(s): Health-related quality of life decreases" in record.abstract


def test_unlabelled_abstract_stays_plain() -> None:
    second = load(ENDNOTE)[1]
    assert second.sections == []
    assert second.abstract.startswith("Primary ciliary dyskinesia is a rare, autosomal recessive")
    assert second.authors == ["Dyskinesia, P.C.", "Server, E.A."]
    assert second.source_record_id == "621381823"


def test_raw_keeps_each_flavour_verbatim() -> None:
    citavi_lines = CITAVI.read_text(encoding="utf-8").splitlines()
    first = load(CITAVI)[0]
    assert first.raw == "\n".join(citavi_lines[:70])
    endnote = load(ENDNOTE)[0]
    # the EndNote flavour writes abstract paragraphs at column 0
    assert "\nMethod(s): We searched MEDLINE" in endnote.raw
    assert endnote.raw.endswith("CR  - Copyright 2018 Elsevier B.V., All rights reserved.")


def test_search_history_before_the_first_record_is_skipped(tmp_path: Path) -> None:
    history = "Database: Embase\nSearch Strategy:\n----\n1     (bmc or plos).jx. (2)\n\n"
    source = write(tmp_path, history + CITAVI.read_text(encoding="utf-8"))
    records = list(ovid.read(source))
    assert [c.line for c in records] == [6, 77]
    assert records[0].raw.startswith("<3001. >\nVN  - Ovid Technologies")


def test_ovid_medline_record_uses_its_accession_as_pmid(tmp_path: Path) -> None:
    # Hand-written in the Ovid MEDLINE layout from the PubMed record in
    # biopython_pubmed_result1.txt; no real Ovid MEDLINE export is among the fixtures.
    source = write(
        tmp_path,
        "<1>\nVN  - Ovid Technologies\nDB  - Ovid MEDLINE(R)\nUI  - 12230038\n"
        "AU  - Mangalam H\nFA  - Mangalam, Harry\n"
        "TI  - The Bio* toolkits--a brief overview.\n"
        "SO  - Briefings in Bioinformatics. 3(3):296-302, 2002 Sep.\n"
        "MH  - *Computational Biology/mt [Methods]\n",
    )
    (record,) = ovid.read(source)
    assert record.pmid == "12230038"
    assert record.authors == ["Mangalam, Harry"]
    assert (record.journal, record.volume, record.issue, record.pages, record.year) == (
        "Briefings in Bioinformatics",
        "3",
        "3",
        "296-302",
        2002,
    )
    assert record.mesh_terms == ["Computational Biology/mt [Methods]"]


def test_untagged_line_right_after_a_record_number_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "<1. >\nthis line has no tag\nTI  - A title\n")
    with pytest.raises(ParseError, match="expected a tag line") as error:
        list(ovid.read(source))
    assert error.value.line == 2
    assert str(error.value).startswith(f"{source.path}: line 2: ")


def test_record_number_with_nothing_after_it_is_a_cut_short_export(tmp_path: Path) -> None:
    # issue 11: the whole records import and the cut is a warning, not a refusal
    source = write(tmp_path, CITAVI.read_text(encoding="utf-8") + "<3003. >\n")
    assert [r.source_record_id for r in ovid.read(source)] == ["621381829", "621381823"]
    (warning,) = source.warnings
    assert warning.line == 128
    assert "the file ends in the middle of the record that starts on line 128" in warning.message


def test_file_without_records_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "Database: Embase\nno records were exported\n")
    with pytest.raises(ParseError, match="found no Ovid records") as error:
        list(ovid.read(source))
    assert error.value.line == 1
