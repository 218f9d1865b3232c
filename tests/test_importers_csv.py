from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import csv as csv_reader
from screening.importers import detect_format
from screening.importers.textfile import SourceFile
from screening.normalise import split_authors
from tests.conftest import FIXTURES

CSV = FIXTURES / "csv"
EMBASE = CSV / "asreview_embase.csv"
EMBASE_NEWLINES = CSV / "asreview_embase_newpage.csv"
PUBMED_BOM = CSV / "colrev_pubmed_fitbit.csv"
PUBMED = CSV / "colrev_pubmed-chatbot.csv"
SCOPUS = CSV / "litstudy_scopus.csv"


def read(path: Path, **options: object) -> list[Citation]:
    return list(csv_reader.read(SourceFile.open(path), **options))


def write(tmp_path: Path, text: str, name: str = "sheet.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("path", "count"),
    [(EMBASE, 6), (EMBASE_NEWLINES, 6), (PUBMED_BOM, 10), (PUBMED, 6), (SCOPUS, 58)],
)
def test_every_export_is_sniffed_and_gives_every_row(path: Path, count: int) -> None:
    source = SourceFile.open(path)
    assert csv_reader.sniff(source.head())
    assert detect_format(source) == "csv"
    citations = read(path)
    assert len(citations) == count
    assert all(c.title for c in citations)


def test_embase_source_and_openurl_give_journal_volume_pages_and_doi() -> None:
    first, second, third = read(EMBASE)[:3]
    assert first.title == (
        "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert first.authors == ["Liu, R.", "Adler, D.G."]
    assert (first.journal, first.year, first.volume, first.issue, first.pages) == (
        "Endoscopic Ultrasound",
        2014,
        "3",
        "3",
        "152-160",
    )
    assert (first.doi, first.issn) == ("10.4103/2303-9027.138783", "2226-7190")
    assert first.extra["database"] == "Embase"
    assert first.extra["emtree_major"] == [
        "endoscopic ultrasonography",
        "gastrointestinal malformation (diagnosis)",
        "gastrointestinal tract duplication cyst (diagnosis)",
    ]
    # commas inside Emtree's brackets qualify a term; they do not split it
    assert first.keywords[:3] == [
        "article",
        "bronchogenic duplication cyst (diagnosis, surgery)",
        "colonic duplication cyst (diagnosis, surgery)",
    ]
    assert second.doi == "10.1002/cncr.20369" and second.issn == "0008-543X"
    assert third.journal_abbrev == "Int. J. Surg. Case Rep."
    assert (third.volume, third.issue, third.pages) == ("54", None, "83-86")
    assert third.extra["emtree_drug"][0] == "cytokeratin 20 (endogenous compound)"


def test_embase_cells_with_line_breaks_keep_their_paragraphs_and_row_lines() -> None:
    citations = read(EMBASE_NEWLINES)
    assert [c.line for c in citations] == [2, 5, 8, 11, 14, 17]
    first = citations[0]
    assert first.abstract is not None
    assert first.abstract.startswith("TEST\n\nGastrointestinal tract duplication cysts are rare")
    assert first.doi == "10.4103/2303-9027.138783"
    plain = read(EMBASE)[0]
    assert first.title == plain.title and first.authors == plain.authors


def test_raw_is_the_row_as_a_json_object_of_header_and_cell() -> None:
    first = read(EMBASE)[0]
    raw = json.loads(first.raw)
    assert list(raw)[:3] == ["Title", "Original Title", "Author Names"]
    assert raw["Author Names"] == "Liu R., Adler D.G."
    assert raw["Source"] == "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"


def test_pubmed_csv_with_bom_reads_pmid_pmcid_and_citation_parts() -> None:
    citations = read(PUBMED_BOM)
    first, second = citations[:2]
    assert first.pmid == first.source_record_id == "34957939"
    assert first.title.startswith("Wrist-worn devices for the measurement of heart rate")
    assert first.authors == [
        "Hajj-Boutros, G",
        "Landry-Duval, MA",
        "Comtois, AS",
        "Gouspillou, G",
        "Karelis, AD",
    ]
    assert (first.journal, first.journal_abbrev, first.year) == (
        "Eur J Sport Sci",
        "Eur J Sport Sci",
        2022,
    )
    assert first.volume is None  # "2022 Jan 31:1-13": ahead of print, no volume yet
    assert first.doi == "10.1080/17461391.2021.2023656"
    assert second.pmcid == "PMC8971973"
    assert (second.volume, second.issue, second.pages) == ("25", "3", "181-188")
    assert second.extra == {"database": "PubMed", "create_date": "2022/02/02"}


def test_pubmed_csv_all_quoted_with_empty_unquoted_cells() -> None:
    by_pmid = {c.pmid: c for c in read(PUBMED)}
    chatbot = by_pmid["35227408"]
    assert chatbot.authors == ["Lim, SM", "Shiau, CWC", "Cheng, LJ", "Lau, Y"]
    assert (chatbot.volume, chatbot.issue, chatbot.pages) == ("53", "2", "334-347")
    assert chatbot.doi == "10.1016/j.beth.2021.09.007"
    assert chatbot.pmcid is None
    assert by_pmid["34713095"].pages == "617013"
    assert by_pmid["35137107"].doi == "10.1093/jamia/ocac014"


def test_scopus_csv_maps_eid_pubmed_id_and_keywords() -> None:
    citations = read(SCOPUS)
    namd = citations[0]
    assert namd.title == "Scalable molecular dynamics with NAMD"
    assert namd.authors[:2] == ["Phillips, J.C.", "Braun, R."]
    assert namd.authors[8] == "Kalé, L."
    assert namd.source_record_id == "2-s2.0-27344436659"
    assert (namd.year, namd.volume, namd.issue, namd.pages) == (2005, "26", "16", "1781-1802")
    assert (namd.journal, namd.journal_abbrev) == (
        "Journal of Computational Chemistry",
        "J. Comput. Chem.",
    )
    assert (namd.doi, namd.issn, namd.language) == ("10.1002/jcc.20289", "0192-8651", "English")
    assert (namd.publication_types, namd.record_type) == (["Review"], "article")
    assert namd.keywords == ["Biomolecular simulation", "Molecular dynamics", "Parallel computing"]
    assert namd.extra["index_keywords"][:2] == ["Algorithms", "C (programming language)"]
    assert namd.extra["database"] == "Scopus"
    hofestadt = next(c for c in citations if "Hofestädt, R." in c.authors)
    assert hofestadt.source_record_id == "2-s2.0-80054983310"


def test_scopus_rows_with_an_extra_funding_text_cell_line_up() -> None:
    """56 of the 58 rows have a "Funding Text 2" cell the header does not name."""
    by_eid = {c.source_record_id: c for c in read(SCOPUS)}
    somekh = by_eid["2-s2.0-85105695654"]
    assert somekh.pmid == "33839306"  # not the CODEN "JBIOB" one column to the left
    assert (somekh.language, somekh.journal_abbrev) == ("English", "J. Biomed. Informatics")
    assert somekh.issn == "1532-0464"
    mufins = by_eid["2-s2.0-85030102047"]
    raw = json.loads(mufins.raw)
    assert raw["Funding Text 2"].startswith("Development of MUFINS was funded by BBSRC")
    assert raw["EID"] == "2-s2.0-85030102047"


def test_generic_sheet_with_aliases_semicolons_and_record_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "record_id;Primary_Title;Author;Publication_Year;Secondary_Title;DOI;Keywords\n"
        'r1;Exercise for knee pain;"Smith, J.; Doe, A.";2019;Pain;https://doi.org/10.1000/ABC;'
        "knee, pain\n\n"
        "r2;Second;Müller, Jörg;2020;;;\n",
    )
    first, second = read(path)
    assert first.source_record_id == "r1"
    assert first.authors == ["Smith, J.", "Doe, A."]
    assert (first.year, first.journal, first.doi) == (2019, "Pain", "10.1000/abc")
    assert first.keywords == ["knee", "pain"]
    assert (second.line, second.authors) == (4, ["Müller, Jörg"])


def test_a_database_column_names_each_records_database(tmp_path: Path) -> None:
    # metasift's own CSV export has one: its records keep their databases when imported again
    path = write(tmp_path, "title,database\nFirst,PubMed\nSecond,Embase\nThird,\n")
    first, second, third = read(path)
    assert (first.extra["database"], second.extra["database"]) == ("PubMed", "Embase")
    assert "database" not in third.extra  # the source's name, as for any unnamed record


def test_user_mapping_wins_over_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, "Title,Headline,Digital Object Identifier\nWrong,Right,10.5555/XYZ\n")
    (citation,) = read(path, columns={"title": "headline", "doi": "Digital Object Identifier"})
    assert citation.title == "Right"
    assert citation.doi == "10.5555/xyz"


def test_tab_delimited_sheet_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "Title\tAuthors\tYear\nA, B and C\tLi X\t2001\n", "sheet.tsv")
    (citation,) = read(path)
    assert (citation.title, citation.authors, citation.year) == ("A, B and C", ["Li, X"], 2001)


def test_no_title_column_names_the_columns_and_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Year\nx,2019\n")
    with pytest.raises(ParseError) as info:
        read(path)
    assert info.value.line == 1
    assert info.value.message == (
        "no title column; columns are: 'Name'; 'Year'; map one with --column title=NAME"
    )


def test_mapping_to_a_missing_column_or_unknown_field_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "Title,Year\nx,2019\n")
    with pytest.raises(ParseError, match="no column 'Headline' for title"):
        read(path, columns={"title": "Headline"})
    with pytest.raises(ParseError, match="cannot map 'colour'"):
        read(path, columns={"colour": "Year"})


def test_row_with_more_cells_than_the_header_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'Title,Year\n"A",2019\n"B, with",a comma,2020\n')
    with pytest.raises(ParseError) as info:
        read(path)
    assert info.value.line == 3
    assert "3 cells but the header has 2 columns" in info.value.message


def test_trailing_empty_cells_and_short_rows_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "Title,Year,DOI\nA,2019,,,\nB\n")
    assert [(c.title, c.year) for c in read(path)] == [("A", 2019), ("B", None)]


def test_unclosed_quote_names_the_row_where_it_opened(tmp_path: Path) -> None:
    path = write(tmp_path, 'Title,Year\nA,2019\n"B,2020\nC,2021\n')
    with pytest.raises(ParseError) as info:
        read(path)
    assert info.value.line == 3
    assert "malformed CSV" in info.value.message


def test_split_authors_cell_forms() -> None:
    assert split_authors("Smith J., Doe A.") == ["Smith, J.", "Doe, A."]
    assert split_authors("Smith, J.; Doe, A.") == ["Smith, J.", "Doe, A."]
    assert split_authors("Smith, John, Doe, Jane") == ["Smith, John", "Doe, Jane"]
    assert split_authors("Lim SM, Xu L") == ["Lim, SM", "Xu, L"]
    assert split_authors("WHO Study Group") == ["WHO Study Group"]
    assert split_authors("") == []


def test_sniff_wants_a_title_column_and_two_columns() -> None:
    assert csv_reader.sniff("Title,Authors\n")
    assert csv_reader.sniff("\ufeffPMID,Title,Authors\n")
    assert csv_reader.sniff("id;primary_title\n")
    assert not csv_reader.sniff("Title\n")
    assert not csv_reader.sniff("Name,Year\n")
    assert not csv_reader.sniff("TY  - JOUR\n")


def test_windows_1252_sheet_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("Title;Authors\nCaf\xe9 study;M\xfcller J.\n".encode("cp1252"))
    (citation,) = read(path)
    assert (citation.title, citation.authors) == ("Café study", ["Müller, J."])
