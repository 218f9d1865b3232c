from __future__ import annotations

from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import detect_format, ris
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

RIS = FIXTURES / "ris"
COUNTS = {
    "asreview_embase.ris": 6,
    "asreview_ovid_psycinfo.ris": 6,
    "asreview_proquest.ris": 6,
    "asreview_pubmed_endnote.txt": 6,
    "asreview_pubmed_zotero.ris": 6,
    "asreview_scopus.ris": 6,
    "asreview_web_of_science_ris.txt": 10,
    "citesource_WoS_79.ris": 79,
    "citesource_psycinfo_64.ris": 64,
    "citesource_search1_166.ris": 166,
    "citesource_pubmed_46.ris": 46,
    "cff_baseline_cinahl.ris": 9,
    "cff_baseline_cochrane_endnote.ris": 3,
    "cff_baseline_embase.ris": 10,
    "cff_baseline_eric_ovid.ris": 10,
    "cff_baseline_psychInfo_ovid.ris": 10,
    "reflib_blue-light_endnote.ris": 102,
    "synthesisr_ASP_ris_example.ris": 4,
    "synthesisr_Ovid_ris_example.ris": 4,
    "synthesisr_Scopus_ris_example.ris": 3,
}


def read(name: str) -> list[Citation]:
    return list(ris.read(SourceFile.open(RIS / name)))


def write(tmp_path: Path, text: str) -> SourceFile:
    path = tmp_path / "export.ris"
    path.write_text(text, encoding="utf-8")
    return SourceFile.open(path)


def test_every_fixture_is_listed() -> None:
    assert sorted(p.name for p in RIS.iterdir()) == sorted(COUNTS)


@pytest.mark.parametrize(("name", "count"), COUNTS.items())
def test_every_dialect_reads_whole_and_is_detected_as_ris(name: str, count: int) -> None:
    source = SourceFile.open(RIS / name)
    assert ris.sniff(source.head())
    assert detect_format(source) == "ris"
    citations = list(ris.read(source))
    assert len(citations) == count
    # universal newlines, as SourceFile reads them (str.splitlines would also split at U+2028)
    with open(RIS / name, encoding="utf-8-sig", newline=None) as f:
        lines = f.read().split("\n")
    for c in citations:
        assert c.title and c.year
        assert c.raw.startswith("TY  - ") and "\nER  -" in c.raw
        assert c.raw.split("\n")[0] == lines[c.line - 1]


def test_other_formats_are_not_sniffed() -> None:
    assert not ris.sniff("PMID- 21553931\nOWN - NLM\nTI  - A title\n")
    assert not ris.sniff("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n")
    assert not ris.sniff("<1. >\nVN  - Ovid Technologies\nDB  - Embase\n")
    assert ris.sniff("\ufeff\n1.\nTY  - JOUR\n")


def test_embase_record_takes_l_number_pmid_and_affiliations() -> None:
    first, second = read("asreview_embase.ris")[:2]
    assert first.line == 1  # the BOM does not hide the first TY
    assert first.title == (
        "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert first.authors == ["Liu, R.", "Adler, D.G."]
    assert first.source_record_id == "L373791783"
    assert first.doi == "10.4103/2303-9027.138783"
    assert (first.journal, first.volume, first.issue, first.pages) == (
        "Endoscopic Ultrasound",
        "3",
        "3",
        "152-160",
    )
    assert (first.issn, first.language, first.year) == ("2226-7190", "English", 2014)
    assert first.publication_types == ["Article"] and first.record_type == "article"
    assert first.pmid is None
    assert first.extra["database"] == "Embase"
    assert first.extra["M1"][0].startswith("(Liu R.; Adler D.G., douglas.adler@hsc.utah.edu)")
    # C5 is the MEDLINE PMID of records Embase shares with MEDLINE (DB - Medline next to it)
    assert second.pmid == "15368318"
    assert second.extra["other_databases"] == ["MEDLINE"]  # db.database_names' spelling


def test_scopus_record_takes_pmid_article_number_and_eid() -> None:
    records = read("asreview_scopus.ris")
    first, second = records[:2]
    assert first.extra["N1"][0] == "Export Date: 18 November 2019"
    assert first.extra["database"] == "Scopus"
    assert first.issn == "0306-4530"  # "03064530 (ISSN)"
    assert first.pages == "104501"  # C7, the article number, when there are no pages
    assert first.source_record_id == "2-s2.0-85074596690"  # from the UR link
    assert first.pmid is None
    assert second.pmid == "31421429"  # Scopus puts the PubMed ID in C2
    assert first.publication_types == ["Review"]


def test_web_of_science_ris_keeps_accession_and_iso_abbreviation() -> None:
    first = read("asreview_web_of_science_ris.txt")[0]
    assert first.source_record_id == "WOS:000444108200009"
    assert first.journal == "JOURNAL OF APPLIED RESEARCH IN MEMORY AND COGNITION"
    assert first.journal_abbrev == "J. Appl. Res. Mem. Cogn."
    assert first.extra["J9"] == ["J APPL RES MEM COGN"]
    assert first.extra["N1"] == [
        "Times Cited in Web of Science Core Collection: 5\nTotal Times Cited: 7\n"
        "Cited Reference Count: 30"
    ]


def test_wos_ris_with_lone_carriage_returns_and_other_record_types() -> None:
    records = read("citesource_WoS_79.ris")
    assert (
        records[0].extra["AD"][1] == "Univ Toronto, Dalla Lana Sch Publ Hlth, Toronto, ON, Canada"
    )
    kinds = {c.record_type for c in records}
    assert kinds == {"article", "conference paper", "book chapter", "book"}
    chapter = next(c for c in records if c.record_type == "book chapter")
    assert chapter.extra["editors"] == ["Senior, C", "Butler, MJR"]


def test_ovid_numbers_trailing_nl_and_link_text() -> None:
    records = read("asreview_ovid_psycinfo.ris")
    first = records[0]
    assert first.line == 2  # after the "1." line
    assert first.source_record_id == "2019-65183-001"  # Ovid's ID
    assert first.doi == "10.1002/cpp.2398"  # from "http://dx.doi.org/..."
    assert first.journal == "Clinical Psychology & Psychotherapy"
    assert first.journal_abbrev == "Clin Psychol Psychother"  # the NL line after ER
    assert first.raw.endswith("\nER  -\nNL  - Clin Psychol Psychother")
    assert "Link to the Ovid" not in first.raw
    assert first.pages is None  # "SP - No" / "EP - Specified"
    # a PsycINFO classification code is not a publication type
    assert first.publication_types == []
    assert first.extra["M3"] == ["Health & Mental Health Treatment & Prevention [3300]"]
    assert records[1].keywords[0] == "*Body Image"


def test_endnote_continuation_lines_and_pubmed_ids() -> None:
    first = read("asreview_pubmed_endnote.txt")[0]
    assert first.line == 2
    assert first.pmid == first.source_record_id == "21553931"
    assert first.pages == "349-369"  # "349-69", written out as MEDLINE's reader does
    assert first.journal == "Clin Pharmacokinet"
    assert first.keywords[:3] == [
        "Animals",
        "Anti-Inflammatory Agents/adverse effects/pharmacokinetics/*pharmacology",
        "Boswellia/*chemistry",
    ]
    assert len(first.keywords) == 10
    assert first.extra["N1"][0].startswith("1179-1926\nAbdel-Tawab, Mona\nWerz, Oliver\n")
    assert first.extra["ID"] == ["369"]  # EndNote's own record number, not an accession


def test_endnote_pmcid_and_structured_abstract() -> None:
    first = read("reflib_blue-light_endnote.ris")[0]
    assert (first.pmid, first.pmcid) == ("29657938", "PMC5887696")
    assert [s.label for s in first.sections] == [
        "BACKGROUND",
        "MATERIALS AND METHODS",
        "RESULTS",
        "CONCLUSION",
    ]
    assert first.abstract and first.abstract.startswith("BACKGROUND: Antirrhinum majus contains")
    assert "\n\nMATERIALS AND METHODS: Antibacterial activity" in first.abstract
    assert first.extra["SN"] == ["2277-9175 (Print)\n2277-9175"]
    assert first.issn == "2277-9175"
    # continuation lines stay in their value, one line each
    affiliations = first.extra["AD"][0].split("\n")
    assert len(affiliations) == 5
    assert affiliations[-1].startswith("Isfahan Pharmaceutical Sciences Research Center")


def test_zotero_pubmed_full_journal_and_abbreviation() -> None:
    records = read("asreview_pubmed_zotero.ris")
    first = records[0]
    assert first.journal == "Przeglad gastroenterologiczny"
    assert first.journal_abbrev == "Prz Gastroenterol"
    assert first.issn == "1895-5770"
    assert first.pmid is None  # Zotero's RIS carries no PMID here
    background = records[1].sections[0]
    assert background.label == "BACKGROUND"
    assert background.text.startswith("Obesity is considered a risk factor")


def test_ebsco_psycinfo_pmid_note_and_diacritics() -> None:
    records = read("citesource_psycinfo_64.ris")
    first = records[0]
    assert first.source_record_id == "2023-15354-001"
    assert first.urls == [
        "https://search.ebscohost.com/login.aspx?direct=true&db=psyh&AN=2023-15354-001"
        "&site=ehost-live&scope=site"
    ]
    assert first.extra["UR"] == [
        "ORCID: 0000-0003-1124-2999",
        "jinjia.163@163.com",
        "pgx@zhejianglab.com",
    ]
    with_pmid = next(c for c in records if c.pmid)
    assert with_pmid.pmid == "33343428"  # "Accession Number: 2020-98025-001. PMID: 33343428"
    spanish = next(c for c in records if c.title == "Gambling phenotypes in older adults")
    assert spanish.authors[1:3] == ["Jiménez-Murcia, Susana", "del Pino-Gutiérrez, Amparo"]
    assert {c.record_type for c in records} == {"article", "thesis", "book chapter", "book"}


def test_ebsco_asp_doi_in_l3_copyright_line_and_second_language_abstract() -> None:
    records = read("synthesisr_ASP_ris_example.ris")
    first = records[0]
    assert first.authors[:2] == ["Rodríguez-Pastor, Ruth", "Luque-Larena, Juan José"]
    assert first.title.startswith("“Living on the edge”: The role of field margins")
    assert first.doi == "10.1016/j.agee.2016.06.041"
    assert first.source_record_id == "117372971"  # "Accession Number:" note
    assert first.abstract and first.abstract.endswith("[ABSTRACT FROM AUTHOR]")
    assert "Copyright of" not in first.abstract
    assert first.extra["copyright"][0].startswith("Copyright of Agriculture, Ecosystems")
    chinese = records[3]
    assert chinese.title == "2ZGK-6 型可调宽窄行高速水稻插秧机设计与试验."
    assert chinese.abstract and "\n\n针对我国水稻生产" in chinese.abstract


def test_proquest_accession_and_database() -> None:
    first = read("asreview_proquest.ris")[0]
    assert first.source_record_id == "2214991469; 51887"
    assert first.extra["database"] == "PTSDpubs"
    assert first.doi == "10.1002/jts.22387"
    assert first.issn == "0894-9867"


def test_lenient_lines_empty_type_and_trailing_spaces(tmp_path: Path) -> None:
    source = write(tmp_path, "TY  -\nTI  - A title   \nAU  - Smith JA\nPY  - 2020\nER  -\n")
    (only,) = ris.read(source)
    assert (only.record_type, only.title, only.authors, only.year) == (
        None,
        "A title",
        ["Smith, JA"],
        2020,
    )


def test_unknown_type_codes_are_kept_lower_cased(tmp_path: Path) -> None:
    (only,) = ris.read(write(tmp_path, "TY  - ELEC\nTI  - A web page\nER  - \n"))
    assert only.record_type == "elec"


def test_records_stream_before_a_broken_one(tmp_path: Path) -> None:
    text = "TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\n"
    records = ris.read(write(tmp_path, text))
    assert next(records).title == "One"
    with pytest.raises(ParseError) as error:
        next(records)
    assert error.value.line == 5
    assert str(error.value).endswith("line 5: record starting at line 5 has no ER line")


def test_new_record_before_er_is_an_error(tmp_path: Path) -> None:
    text = "TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \n"
    with pytest.raises(ParseError, match="record starting at line 1 has no ER line") as error:
        list(ris.read(write(tmp_path, text)))
    assert error.value.line == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("AU  - Smith, J\nTY  - JOUR\nER  - \n", 1),
        ("1.\nTI  - Before\nTY  - JOUR\nER  - \n", 2),
        ("TY  - JOUR\nER  - \n\nTI  - No TY\nER  - \n", 4),
        ("TY  - JOUR\nER  - \nER  - \n", 3),
    ],
)
def test_tag_line_outside_a_record_is_an_error(tmp_path: Path, text: str, line: int) -> None:
    with pytest.raises(ParseError, match="every RIS record starts with 'TY  - '") as error:
        list(ris.read(write(tmp_path, text)))
    assert error.value.line == line


def test_file_without_records_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no RIS record") as error:
        list(ris.read(write(tmp_path, "Some notes\nwith no tags\n")))
    assert error.value.line == 1
