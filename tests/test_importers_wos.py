from __future__ import annotations

from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation, Section
from screening.importers import wos
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

WOS = FIXTURES / "wos"
KNH = WOS / "knh_WoS_other_reference_software_r4001-4012.txt"
WOSFILE = WOS / "wosfile_wos_plaintext.txt"


def read(path: Path) -> list[Citation]:
    return list(wos.read(SourceFile.open(path)))


def by_ut(path: Path) -> dict[str | None, Citation]:
    return {c.source_record_id: c for c in read(path)}


def write(tmp_path: Path, text: str) -> SourceFile:
    path = tmp_path / "savedrecs.txt"
    path.write_text(text, encoding="utf-8")
    return SourceFile.open(path)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("knh_WoS_other_reference_software_r4001-4012.txt", 12),
        ("rispy_example_wos.txt", 2),
        ("synthesisr_WoS_ciw_example.ciw", 5),
        ("synthesisr_WoS_txt_example.txt", 4),
        ("wosfile_wos_plaintext.txt", 50),
    ],
)
def test_plain_text_files_give_every_record_and_are_sniffed(name: str, count: int) -> None:
    source = SourceFile.open(WOS / name)
    assert wos.sniff(source.head())
    citations = list(wos.read(source))
    assert len(citations) == count
    assert all(c.title and c.source_record_id and c.raw.endswith("\nER") for c in citations)


def test_tab_delimited_and_other_formats_are_not_sniffed() -> None:
    tab = SourceFile.open(WOS / "wosfile_wos_tab_delimited_win_utf8.txt")
    assert not wos.sniff(tab.head())
    assert not wos.sniff("TY  - JOUR\nAU  - Smith, J\nER  - \n")
    assert not wos.sniff("PMID- 12345\nPT  - Journal Article\n")


def test_clarivate_record_maps_every_field() -> None:
    first = read(KNH)[0]
    assert first.line == 3
    assert first.title == (
        "Caregivers' views on stigmatization and discrimination of people "
        "affected by leprosy in Ghana"
    )
    assert first.authors == ["Asampong, Emmanuel", "Gyeke, Mavis Dako Plusminus", "Oduro, Razak"]
    assert first.pmid == "29377890"
    assert first.doi == "10.1371/journal.pntd.0006219"
    assert first.source_record_id == "WOS:000424022700066"
    assert (first.year, first.volume, first.issue, first.pages) == (2018, "12", "1", "e0006219")
    assert first.journal == "PLOS NEGLECTED TROPICAL DISEASES"
    assert first.journal_abbrev == "Plos Neglect. Trop. Dis."
    assert (first.issn, first.language) == ("1935-2735", "English")
    assert (first.publication_types, first.record_type) == (["Article"], "article")
    assert first.keywords == []
    assert first.extra == {"keywords_plus": ["MENTAL-HEALTH", "STIGMA", "INDIA"]}


def test_raw_is_the_record_verbatim_from_pt_to_er() -> None:
    first = read(KNH)[0]
    lines = KNH.read_text(encoding="utf-8-sig").splitlines()
    end = lines.index("ER")
    assert first.raw == "\n".join(lines[2 : end + 1])
    assert first.raw.startswith("PT J\nAU Asampong, E\n   Gyeke, MDP\n")


def test_heading_lines_in_an_abstract_become_sections() -> None:
    second = read(KNH)[1]
    assert [s.label for s in second.sections] == ["Background", "Methods/findings", "Conclusions"]
    assert second.sections[2].text.startswith("If left unaddressed, identified gaps")
    assert second.abstract is not None
    assert second.abstract.startswith("Background: Efforts are underway to scale-up")
    assert "\n\nMethods/findings: We systematically searched" in second.abstract


def test_group_author_follows_the_people() -> None:
    deworm = by_ut(KNH)["WOS:000424022700008"]
    assert len(deworm.authors) == 20
    assert deworm.authors[-1] == "DeWorm3 Implementation Sci Team"


def test_electronic_issn_is_kept_beside_the_print_one() -> None:
    record = by_ut(KNH)["WOS:000424003200018"]
    assert record.issn == "1553-7366"
    assert record.extra["eissn"] == "1553-7374"


def test_thomson_reuters_header_and_keywords() -> None:
    first = read(WOSFILE)[0]
    assert SourceFile.open(WOSFILE).head().startswith("FN Thomson Reuters Web of Science\u2122")
    assert first.source_record_id == "WOS:000220015600001"
    assert first.authors == ["Owen-Smith, J", "Powell, WW"]
    assert first.doi == "10.1287/orsc.1030.0054"
    assert first.pages == "5-21"
    # DE wraps onto a continuation line in the middle of the list
    assert first.keywords == [
        "knowledge networks",
        "economic geography",
        "spillovers",
        "biotechnology",
        "patenting",
    ]
    assert first.extra["keywords_plus"][:2] == [
        "STRATEGIC ALLIANCE FORMATION",
        "HIGH-TECHNOLOGY INDUSTRY",
    ]


def test_proceedings_paper_in_a_book_series() -> None:
    survey = by_ut(WOSFILE)["WOS:000237211000029"]
    assert survey.title == (
        "A survey of large high-resolution display technologies, techniques, and applications"
    )
    assert survey.record_type == "conference paper"
    assert survey.authors[0] == "Ni, Tao"
    assert survey.extra["isbn"] == "1-4244-0223-9"
    assert survey.pages == "223"  # EP "+" (end page unknown) is dropped


def test_inline_labels_on_separate_paragraphs_become_sections() -> None:
    morel = by_ut(WOSFILE)["WOS:000269220900008"]
    assert [s.label for s in morel.sections] == [
        "Background",
        "Methodology/Principal Findings",
        "Conclusions/Significance",
    ]


def test_wrapped_abstract_joins_its_lines() -> None:
    soil = read(WOS / "synthesisr_WoS_txt_example.txt")[0]
    assert soil.abstract is not None
    assert soil.abstract.startswith(
        "Introduction: Wetland soil fauna support material cycling and restoration processes"
    )
    assert soil.sections == []
    assert "\n" not in soil.abstract


def test_article_number_and_medline_accession() -> None:
    records = read(WOS / "synthesisr_WoS_ciw_example.ciw")
    assert records[0].pages == "1722034"  # AR "UNSP 1722034"
    assert records[0].extra["eissn"] == "2332-8878"
    mir = records[3]
    assert mir.source_record_id == "MEDLINE:31858815"
    assert (mir.pmid, mir.doi) == ("31858815", "10.1080/21691401.2019.1703724")


def test_begin_and_end_page() -> None:
    first = read(WOS / "rispy_example_wos.txt")[0]
    assert (first.pages, first.pmid, first.doi) == ("7003-7016", "15170338", "10.1021/bi049798f")


def test_structured_abstract_with_capital_labels_is_split() -> None:
    sections = wos._abstract(["BACKGROUND: One thing. METHODS: Another."])[1]
    assert sections == [Section("BACKGROUND", "One thing."), Section("METHODS", "Another.")]


def test_exports_pasted_together_read_as_one(tmp_path: Path) -> None:
    export = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A\nUT WOS:1\nER\n\nEF\n"
    source = write(tmp_path, export + export.replace("WOS:1", "WOS:2"))
    assert [c.source_record_id for c in wos.read(source)] == ["WOS:1", "WOS:2"]


def test_record_cut_off_by_end_of_file_names_its_start(tmp_path: Path) -> None:
    source = write(tmp_path, "FN Clarivate\nVR 1.0\nPT J\nTI A\nER\n\nPT J\nTI B\n   more\n")
    with pytest.raises(ParseError, match="line 7: .*not closed by ER") as error:
        list(wos.read(source))
    assert error.value.path.endswith("savedrecs.txt")


def test_ef_inside_a_record_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "FN Clarivate\nVR 1.0\nPT J\nTI A\nUT WOS:1\n\nEF\n")
    with pytest.raises(ParseError, match="line 3: .*no ER line before the EF line at 7"):
        list(wos.read(source))


def test_new_record_before_er_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "FN Clarivate\nVR 1.0\nPT J\nTI A\nPT J\nTI B\nER\nEF\n")
    with pytest.raises(ParseError, match="line 3: .*no ER line before the PT line at 5"):
        list(wos.read(source))


def test_untagged_line_inside_a_record_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "FN Clarivate\nVR 1.0\nPT J\nTI A title\n  two spaces only\nER\n")
    with pytest.raises(ParseError, match="line 5: neither a tagged line nor a continuation"):
        list(wos.read(source))


def test_continuation_outside_a_record_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "FN Clarivate\nVR 1.0\n   stray\nPT J\nER\n")
    with pytest.raises(ParseError, match="line 3: expected a tagged line"):
        list(wos.read(source))
