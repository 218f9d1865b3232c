from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import wos, wos_tab
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

WOS = FIXTURES / "wos"
UTF8 = WOS / "wosfile_wos_tab_delimited_win_utf8.txt"
UTF16 = WOS / "wosfile_wos_tab_delimited_win_utf16.txt"
HEADER = "PT\tAU\tAF\tTI\tSO\tPY\tBP\tEP\tAR\tDI\tUT"


def read(path: Path) -> list[Citation]:
    return list(wos_tab.read(SourceFile.open(path)))


def write(tmp_path: Path, text: str) -> SourceFile:
    path = tmp_path / "savedrecs.txt"
    path.write_text(text, encoding="utf-8")
    return SourceFile.open(path)


@pytest.mark.parametrize("path", [UTF8, UTF16], ids=["utf8", "utf16"])
def test_tab_delimited_files_are_sniffed_and_give_50_records(path: Path) -> None:
    source = SourceFile.open(path)
    assert wos_tab.sniff(source.head())
    assert len(list(wos_tab.read(source))) == 50


def test_plain_text_and_other_formats_are_not_sniffed() -> None:
    assert not wos_tab.sniff(SourceFile.open(WOS / "wosfile_wos_plaintext.txt").head())
    assert not wos_tab.sniff("Title,Authors,DOI\nA,B,C\n")
    assert wos_tab.sniff("AU\tTI\tSO\tUT\r\nSmith, J\tA\tB\tWOS:1\r\n")


def test_first_row_maps_every_field() -> None:
    first = read(UTF8)[0]
    assert first.line == 2
    assert first.raw.startswith("J\tOwen-Smith, J; Powell, WW\t\t\t\tOwen-Smith, J; Powell, WW\t")
    assert first.title == (
        "Knowledge networks as channels and conduits: "
        "The effects of spillovers in the Boston biotechnology community"
    )
    assert first.authors == ["Owen-Smith, J", "Powell, WW"]
    assert (first.doi, first.year, first.pages) == ("10.1287/orsc.1030.0054", 2004, "5-21")
    assert first.source_record_id == "WOS:000220015600001"
    assert (first.journal, first.journal_abbrev) == ("ORGANIZATION SCIENCE", "Organ Sci.")
    assert first.keywords[-1] == "patenting"
    assert first.extra["keywords_plus"][0] == "STRATEGIC ALLIANCE FORMATION"


def test_utf8_and_utf16_exports_give_identical_citations() -> None:
    utf8, utf16 = read(UTF8), read(UTF16)
    assert [asdict(c) for c in utf8] == [asdict(c) for c in utf16]


def test_rows_match_the_plain_text_export_of_the_same_records() -> None:
    plain = {
        c.source_record_id: c for c in wos.read(SourceFile.open(WOS / "wosfile_wos_plaintext.txt"))
    }
    rows = read(UTF8)
    assert {c.source_record_id for c in rows} == set(plain)
    fields = ("title", "doi", "year", "authors", "journal", "pages", "keywords", "record_type")
    for row in rows:
        text = plain[row.source_record_id]
        assert [getattr(row, f) for f in fields] == [getattr(text, f) for f in fields]


def test_proceedings_paper_row() -> None:
    survey = next(c for c in read(UTF16) if c.source_record_id == "WOS:000237211000029")
    assert survey.record_type == "conference paper"
    assert survey.authors[:2] == ["Ni, Tao", "Schmidt, Greg S."]
    assert survey.extra["isbn"] == "1-4244-0223-9"


def test_trailing_tab_and_article_number(tmp_path: Path) -> None:
    row = "J\tLi, W\tLi, Wei\tSoil fauna\tEHS\t2020\t\t\tUNSP 1722034\t10.1080/X\tWOS:1\t"
    (citation,) = wos_tab.read(write(tmp_path, f"{HEADER}\t\n{row}\n\n"))
    assert citation.authors == ["Li, Wei"]
    assert (citation.pages, citation.doi, citation.raw) == ("1722034", "10.1080/x", row)


def test_row_missing_cells_is_an_error(tmp_path: Path) -> None:
    good = "J\tA, B\tA, Bee\tTitle\tSO\t2020\t1\t2\t\t\tWOS:1"
    source = write(tmp_path, f"{HEADER}\n{good}\nJ\tA, B\tA, Bee\tTitle split\n\tSO\t2020\n")
    with pytest.raises(ParseError, match="line 3: this row has 4 tab-separated cells .* 11"):
        list(wos_tab.read(source))


def test_row_with_text_past_the_header_is_an_error(tmp_path: Path) -> None:
    row = "J\tA, B\tA, Bee\tTitle\tSO\t2020\t1\t2\t\t\tWOS:1\tstray"
    with pytest.raises(ParseError, match="line 2: this row has 12"):
        list(wos_tab.read(write(tmp_path, f"{HEADER}\n{row}\n")))


def test_header_that_is_not_wos_tags_is_an_error(tmp_path: Path) -> None:
    source = write(tmp_path, "Title\tAuthors\nA\tB\n")
    with pytest.raises(ParseError, match="line 1: the header should name WoS field tags"):
        list(wos_tab.read(source))
