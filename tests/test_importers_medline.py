from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import medline
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

MEDLINE = FIXTURES / "medline"
COUNTS = {
    "biopython_pubmed_result1.txt": 1,
    "biopython_pubmed_result2.txt": 4,
    "biopython_pubmed_result3.txt": 1,
    "reflib-node_cancer.nbib": 20,
    "reflib_blue-light.nbib": 80,
    "synthesisr_PubMed_example.txt": 3,
    "synthesisr_res_synth_methods.txt": 2,
}


def load(name: str) -> list[Citation]:
    return list(medline.read(SourceFile.open(MEDLINE / name)))


def by_pmid(name: str, pmid: str) -> Citation:
    return next(c for c in load(name) if c.pmid == pmid)


def write(tmp_path: Path, text: str) -> SourceFile:
    path = tmp_path / "hand_made.nbib"
    path.write_text(text, encoding="utf-8")
    return SourceFile.open(path)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_fixture_reads_with_its_record_count(name: str) -> None:
    records = load(name)
    assert len(records) == COUNTS[name]
    assert all(c.pmid and c.title and c.raw.startswith(f"PMID- {c.pmid}") for c in records)
    assert all(c.source_record_id == c.pmid for c in records)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_sniff_recognises_pubmed_exports(name: str) -> None:
    assert medline.sniff(SourceFile.open(MEDLINE / name).head())


def test_sniff_refuses_other_tagged_formats() -> None:
    ovid = FIXTURES / "ovid" / "knh_Embase_ovid_citavi_r3001-3002.ovd"
    ris = FIXTURES / "ris" / "asreview_pubmed_zotero.ris"
    assert not medline.sniff(SourceFile.open(ovid).head())
    assert not medline.sniff(SourceFile.open(ris).head())


def test_crlf_nbib_record_with_structured_abstract() -> None:
    first = load("reflib_blue-light.nbib")[0]
    assert first.line == 1
    assert first.pmid == "29657938"
    assert first.title == (
        "Formulation of Herbal Gel of Antirrhinum majus Extract and Evaluation of its "
        "Anti-Propionibacterium acne Effects."
    )
    assert first.doi == "10.4103/abr.abr_99_17"
    assert first.pmcid == "PMC5887696"
    assert [s.label for s in first.sections] == [
        "BACKGROUND",
        "MATERIALS AND METHODS",
        "RESULTS",
        "CONCLUSION",
    ]
    assert first.sections[2].text.startswith("The MIC of the extracts showed to be 0.25 μg/ml.")
    assert first.abstract.startswith("BACKGROUND: Antirrhinum majus contains aurone")
    assert "\n\nMATERIALS AND METHODS: Antibacterial activity" in first.abstract
    assert first.authors[0] == "Shahtalebi, Mohammad Ali"
    assert first.journal == "Advanced biomedical research"
    assert first.journal_abbrev == "Adv Biomed Res"
    assert (first.volume, first.issue, first.pages, first.year) == ("7", None, "53", 2018)
    assert first.issn == "2277-9175"
    assert first.keywords == ["Acne", "Antirrhinum majus", "Propionibacterium acnes", "blue light"]
    assert first.extra["status"] == "PubMed-not-MEDLINE"
    assert first.extra["pii"] == "ABR-7-53"
    assert first.extra["history"]["entrez"] == "2018/04/17 06:00"


def test_raw_is_the_record_verbatim_without_line_endings() -> None:
    first = load("reflib_blue-light.nbib")[0]
    lines = (MEDLINE / "reflib_blue-light.nbib").read_text(encoding="utf-8").splitlines()
    assert first.raw == "\n".join(lines[: lines.index("")])
    assert "\r" not in first.raw
    assert first.raw.endswith("eCollection 2018.")


def test_diacritics_mesh_qualifiers_and_original_title() -> None:
    record = by_pmid("reflib_blue-light.nbib", "20098847")
    assert record.line == 2442
    assert record.authors == [
        "de Arruda, Lúcia H F",
        "Kodani, Vanessa",
        "Bastos Filho, Antonio",
        "Mazzaro, Carla Bassanezi",
    ]
    assert record.language == "Portuguese"  # LA "por"
    assert record.extra["original_title"].startswith("Estudo clínico, prospectivo, aberto")
    assert "Acne Vulgaris/therapy" in record.mesh_terms
    assert "Benzoyl Peroxide/administration & dosage/adverse effects" in record.mesh_terms
    assert "Phototherapy" in record.mesh_terms
    assert not any("*" in term for term in record.mesh_terms)
    assert record.extra["mesh_major"] == [
        "Acne Vulgaris/therapy",
        "Benzoyl Peroxide/administration & dosage/adverse effects",
        "Dermatologic Agents/administration & dosage/adverse effects",
        "Phototherapy",
    ]
    assert "Randomized Controlled Trial" in record.publication_types
    assert record.pages == "463-468"  # PG "463-8" written out
    assert record.doi == "10.1590/s0365-05962009000500003"


def test_collective_author_comes_after_the_people() -> None:
    record = by_pmid("reflib_blue-light.nbib", "18688101")
    assert record.authors[-2:] == ["Khunger, Niti", "IADVL Task Force"]
    assert "Practice Guideline" in record.publication_types


def test_links_to_comments_and_updates_are_kept() -> None:
    commented = by_pmid("reflib_blue-light.nbib", "27575854")
    assert commented.extra["comment_in"] == [
        "Int J Dermatol. 2017 Dec;56(12):1489-1490. PMID: 28884800"
    ]
    updated = by_pmid("reflib_blue-light.nbib", "27670126")
    assert updated.extra["update_of"] == ["doi: 10.1002/14651858.CD007917"]


def test_wrapped_mesh_heading_and_major_topics() -> None:
    record = load("biopython_pubmed_result3.txt")[0]
    assert (
        "High-Intensity Focused Ultrasound Ablation/adverse effects/instrumentation/methods"
        in record.mesh_terms
    )
    assert [s.label for s in record.sections] == ["PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS"]


def test_old_record_with_print_issn_and_short_pages() -> None:
    record = load("biopython_pubmed_result1.txt")[0]
    assert record.title == "The Bio* toolkits--a brief overview."
    assert record.authors == ["Mangalam, Harry"]
    assert record.issn == "1467-5463"
    assert record.pages == "296-302"
    assert record.extra["mesh_major"] == [
        "Computational Biology",
        "Programming Languages",
        "Software",
    ]
    assert record.sections == []
    assert record.abstract.startswith("Bioinformatics research is often difficult")


def test_leading_blank_line_and_major_keyword_marks() -> None:
    first, second = load("synthesisr_res_synth_methods.txt")
    assert first.line == 2
    assert first.pmid == "32336025"
    assert first.title.startswith("Risk-Of-Bias VISualization (robvis): an R package")
    assert first.doi == "10.1002/jrsm.1411"
    assert second.authors == ["Westgate, Martin J"]
    wildflowers = by_pmid("synthesisr_PubMed_example.txt", "30868313")
    assert wildflowers.keywords[0] == "Agri-environment Schemes"  # OT "*Agri-environment Schemes"


def test_author_with_only_a_short_name_is_turned_round(tmp_path: Path) -> None:
    source = write(
        tmp_path, "PMID- 1\nTI  - A trial.\nAU  - Smith JA\nFAU - Doe, Jane\nAU  - Doe J\n"
    )
    (record,) = medline.read(source)
    assert record.authors == ["Smith, JA", "Doe, Jane"]


def test_records_without_a_blank_line_between_them_are_split(tmp_path: Path) -> None:
    source = write(tmp_path, "PMID- 1\nTI  - One.\nPMID- 2\nTI  - Two.\n")
    assert [(c.pmid, c.line) for c in medline.read(source)] == [("1", 1), ("2", 3)]


def test_space_only_continuation_is_a_paragraph_break_not_a_new_record(tmp_path: Path) -> None:
    source = write(tmp_path, "PMID- 1\nAB  - First part.\n      \n      Second part.\nTI  - T.\n")
    (record,) = medline.read(source)
    assert record.abstract == "First part. Second part."
    assert record.title == "T."


def test_book_chapter_keeps_its_book_title(tmp_path: Path) -> None:
    # the shape of the StatPearls record quoted in biopython issue #4557, abridged by hand
    source = write(
        tmp_path,
        "PMID- 29939664\nSTAT- Publisher\nPB  - StatPearls Publishing\nDP  - 2023 Jan\n"
        "TI  - Morvan Syndrome.\nBTI - StatPearls\nAB  - Morvan syndrome is rare.\n      \n"
        "      It was first described in 1890.\n",
    )
    (record,) = medline.read(source)
    assert (record.title, record.record_type, record.year) == (
        "Morvan Syndrome.",
        "book chapter",
        2023,
    )
    assert record.extra["book_title"] == "StatPearls"
    assert record.extra["publisher"] == "StatPearls Publishing"
    assert record.abstract == "Morvan syndrome is rare. It was first described in 1890."


def test_garbage_line_in_the_middle_names_its_line(tmp_path: Path) -> None:
    source = write(tmp_path, "\nPMID- 1\nTI  - A title\nthis line is no tag\nAB  - Text.\n")
    with pytest.raises(ParseError) as error:
        list(medline.read(source))
    assert error.value.line == 4
    assert str(error.value).startswith(f"{source.path}: line 4: not a MEDLINE line")


def test_continuation_before_any_tag_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "PMID- 1\n\n      orphan continuation\n")
    with pytest.raises(ParseError, match="continuation line with no tag") as error:
        list(medline.read(source))
    assert error.value.line == 3


def test_reader_streams_records_before_a_later_error(tmp_path: Path) -> None:
    text = (MEDLINE / "biopython_pubmed_result2.txt").read_text(encoding="utf-8")
    source = write(tmp_path, text + "\n<html>not medline</html>\n")
    records = medline.read(source)
    assert inspect.isgenerator(records)
    assert next(records).pmid == "16403221"
    with pytest.raises(ParseError):
        list(records)
