"""The import pipeline: format detection, one source per file, all or nothing, encodings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.importers import detect_format
from screening.importers.textfile import SourceFile
from screening.importing import import_file
from tests.conftest import FIXTURES

# Every real fixture, the format detection must name, and the records it holds.
EXPECTED = {
    "entrez/hawc/efetch_6_records.xml": ("pubmed-xml", 6),
    "entrez/biopython/pubmed2.xml": ("pubmed-xml", 2),
    "medline/reflib_blue-light.nbib": ("medline", 80),
    "medline/synthesisr_res_synth_methods.txt": ("medline", None),
    "ris/asreview_embase.ris": ("ris", None),
    "ris/asreview_ovid_psycinfo.ris": ("ris", None),
    "ris/reflib_blue-light_endnote.ris": ("ris", None),
    "ris/asreview_web_of_science_ris.txt": ("ris", None),
    "wos/wosfile_wos_plaintext.txt": ("wos", 50),
    "wos/knh_WoS_other_reference_software_r4001-4012.txt": ("wos", 12),
    "wos/wosfile_wos_tab_delimited_win_utf8.txt": ("wos-tab", 50),
    "wos/wosfile_wos_tab_delimited_win_utf16.txt": ("wos-tab", 50),
    "ovid/knh_Embase_ovid_citavi_r3001-3002.ovd": ("ovid", 2),
    "ovid/knh_Embase_ovid_endnote_r3001-3002.cgi": ("ovid", 2),
    "bibtex/synthesisr_Scopus_bib_example.bib": ("bibtex", None),
    "csv/colrev_pubmed_fitbit.csv": ("csv", 10),
    "csv/litstudy_scopus.csv": ("csv", None),
    "csv/asreview_embase.csv": ("csv", None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_is_detected_from_content(name: str, tmp_path: Path) -> None:
    # copied under a neutral name: detection must not lean on the extension
    copy = tmp_path / "export.dat"
    shutil.copy(FIXTURES / name, copy)
    assert detect_format(SourceFile.open(copy)) == EXPECTED[name][0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_imports_as_one_source(name: str, review_db) -> None:
    fmt, count = EXPECTED[name]
    summary = import_file(review_db, FIXTURES / name)
    assert summary.format == fmt
    assert summary.added > 0
    if count is not None:
        assert summary.added == count
    source = review_db["sources"].get(summary.source_id)
    assert source["record_count"] == summary.added
    assert source["file_name"] == Path(name).name
    assert len(source["sha256"]) == 64
    assert review_db["records"].count_where("source_id = ?", [summary.source_id]) == summary.added
    sql = "SELECT x.raw FROM records r JOIN record_raw x ON x.id = r.raw_id WHERE r.source_id = ?"
    raws = [raw for (raw,) in review_db.execute(sql, [summary.source_id])]
    assert len(raws) == summary.added and all(raws)
    assert review_db["record_raw"].count == review_db["records"].count  # none left over
    assert review_db["raw_in_flight"].count == 0


def test_import_is_committed_for_other_connections(review_path: Path) -> None:
    from db.connection import open_review

    db = open_review(review_path)
    summary = import_file(db, FIXTURES / "medline/biopython_pubmed_result2.txt")
    assert not db.conn.in_transaction
    db.close()
    other = open_review(review_path)
    assert other["records"].count == summary.added == 4
    assert other["sources"].count == 1
    other.close()


def test_database_names_come_from_the_file_or_the_format(review_db) -> None:
    assert import_file(review_db, FIXTURES / "ris/asreview_embase.ris").database == "Embase"
    # a Web of Science "all databases" search: three Core Collection records, one MEDLINE
    wos = import_file(review_db, FIXTURES / "wos/synthesisr_WoS_txt_example.txt")
    assert wos.database == "Web of Science, MEDLINE"
    named = review_db.execute(
        "SELECT source_record_id, database FROM records WHERE source_id = ? ORDER BY id",
        [wos.source_id],
    ).fetchall()
    assert named[2:4] == [
        ("WOS:000502504100001", "Web of Science"),
        ("MEDLINE:31858815", "MEDLINE"),
    ]
    named = import_file(review_db, FIXTURES / "ris/asreview_proquest.ris", database="ProQuest")
    assert named.database == "ProQuest"


def test_same_file_twice_adds_nothing(review_db, tmp_path: Path) -> None:
    first = import_file(review_db, FIXTURES / "medline/reflib-node_cancer.nbib")
    copy = tmp_path / "renamed.nbib"
    shutil.copy(FIXTURES / "medline/reflib-node_cancer.nbib", copy)
    again = import_file(review_db, copy)
    assert again.already_imported and again.added == 0
    assert again.source_id == first.source_id
    assert review_db["records"].count == first.added


def _snapshot(db) -> tuple[int, int]:
    return db["sources"].count, db["records"].count


def test_broken_file_leaves_the_review_as_it_was(review_db, tmp_path: Path) -> None:
    import_file(review_db, FIXTURES / "entrez/hawc/efetch_doi_21813142.xml")
    before = _snapshot(review_db)
    cut = tmp_path / "cut.xml"
    cut.write_bytes((FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()[:30000])
    with pytest.raises(ParseError) as e:
        import_file(review_db, cut)
    assert str(e.value).startswith(f"{cut}: line ")
    assert _snapshot(review_db) == before
    temp_tables = review_db.execute("SELECT name FROM temp.sqlite_master").fetchall()
    assert ("staged_records",) not in temp_tables


def test_ris_record_without_er_is_refused_whole(review_db, tmp_path: Path) -> None:
    text = (FIXTURES / "ris/synthesisr_Scopus_ris_example.ris").read_text(encoding="utf-8-sig")
    last_er = text.rstrip().rfind("ER  -")
    bad = tmp_path / "no_er.ris"
    bad.write_text(text[:last_er], encoding="utf-8")
    with pytest.raises(ParseError, match="no ER"):
        import_file(review_db, bad)
    assert _snapshot(review_db) == (0, 0)


def test_empty_and_binary_files_are_refused(review_db, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ris"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        import_file(review_db, empty)
    blank = tmp_path / "blank.ris"
    blank.write_bytes(b"\n\n  \n")
    with pytest.raises(ParseError, match="empty"):
        import_file(review_db, blank)
    binary = tmp_path / "export.pdf"
    binary.write_bytes(b"%PDF-1.4\n\x00\x01\x02\x03" * 100)
    with pytest.raises(ParseError, match="binary"):
        import_file(review_db, binary)
    assert _snapshot(review_db) == (0, 0)


def test_unknown_format_asks_for_format(review_db, tmp_path: Path) -> None:
    prose = tmp_path / "notes.txt"
    prose.write_text("These are my notes about the search.\nNothing to import here.\n")
    with pytest.raises(ParseError, match="--format"):
        import_file(review_db, prose)


def test_latin1_file_is_read_correctly(review_db, tmp_path: Path) -> None:
    text = (FIXTURES / "medline/biopython_pubmed_result1.txt").read_text(encoding="utf-8")
    text = text.replace("TI  - ", "TI  - Évaluation de la qualité: ", 1)
    latin = tmp_path / "latin1.nbib"
    latin.write_bytes(text.encode("latin-1"))
    summary = import_file(review_db, latin)
    assert summary.encoding == "cp1252"
    title = next(review_db["records"].rows)["title"]
    assert title.startswith("Évaluation de la qualité: ")


def test_crlf_and_bom_are_read(review_db, tmp_path: Path) -> None:
    text = (FIXTURES / "medline/biopython_pubmed_result1.txt").read_text(encoding="utf-8")
    crlf = tmp_path / "crlf.nbib"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    import_file(review_db, crlf)
    row = next(review_db["records"].rows)
    assert "\r" not in (row["title"] or "") and row["pmid"]


def test_undecodable_text_is_refused_with_a_line(review_db, tmp_path: Path) -> None:
    bad = tmp_path / "mixed.ris"
    # 0x81 is undefined in Windows-1252, so this is neither UTF-8 nor Latin-1 text
    bad.write_bytes(b"TY  - JOUR\nTI  - ok\nAU  - bad \x81\x8d name\nER  - \n")
    with pytest.raises(ParseError, match="line 3"):
        import_file(review_db, bad)


def test_forced_wrong_format_is_a_clean_error(review_db) -> None:
    with pytest.raises(ParseError) as e:
        import_file(review_db, FIXTURES / "ris/asreview_embase.ris", fmt="pubmed-xml")
    assert "asreview_embase.ris" in str(e.value)
    assert _snapshot(review_db) == (0, 0)


def test_records_built_on_every_core_equal_those_built_here(
    review_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PubMed XML stages fields built in worker processes; the rows must be the ones the
    one-process path builds, in the same order, raw text and line numbers included."""
    from screening.importers import pubmed_xml

    data = (FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()
    start, end = data.index(b"<PubmedArticle>"), data.rindex(b"</PubmedArticleSet>")
    many = data[:start] + data[start:end] * 100 + data[end:]  # 600 records, 3 worker batches
    (tmp_path / "serial.xml").write_bytes(many)
    (tmp_path / "parallel.xml").write_bytes(many + b"\n")  # another file, the same records
    import_file(review_db, tmp_path / "serial.xml")
    monkeypatch.setattr(pubmed_xml, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pubmed_xml.os, "sched_getaffinity", lambda _: {0, 1})
    summary = import_file(review_db, tmp_path / "parallel.xml")
    assert summary.added == 600

    def rows(source_id: int) -> list[dict]:
        sql = (
            "SELECT r.*, x.raw FROM records r JOIN record_raw x ON x.id = r.raw_id "
            "WHERE source_id = ? ORDER BY position"
        )
        return [
            {k: v for k, v in row.items() if k not in ("id", "uuid", "source_id", "raw_id")}
            for row in review_db.query(sql, [source_id])
        ]

    serial, parallel = rows(summary.source_id - 1), rows(summary.source_id)
    assert parallel == serial
    assert parallel[599]["position"] == 600 and parallel[0]["raw"].startswith("<PubmedArticle>")
    uuids = {r["uuid"] for r in review_db.query("SELECT uuid FROM records")}
    assert len(uuids) == 1200


def test_record_rows_follow_the_table_columns(review_db) -> None:
    """Every column of a staged record lands where its name says: each field has a value of its
    own, so two fields swapped (volume and issue, say) fail here."""
    from db.records import Staging
    from db.sources import insert_source
    from screening.citation import Citation, Section
    from screening.rows import citation_fields, citation_row, row_citation

    c = Citation(
        raw="<r/>", line=7, title="T", abstract="A", sections=[Section("AIM", "A")],
        authors=["A, B"], year=2001, journal="Journal", journal_abbrev="J", volume="12",
        issue="3", pages="4-5", doi="10.1/x", pmid="123", pmcid="PMC9", issn="1234-5678",
        language="eng", publication_types=["Trial"], mesh_terms=["Liver"], keywords=["MSC"],
        urls=["https://example.org/r"], record_type="article", source_record_id="L6",
        extra={"database": "Embase"},
    )  # fmt: skip
    assert citation_fields(c).pmid == "123"
    staging = Staging(review_db)
    staging.add([citation_row(c, 5)])
    with review_db.atomic():
        source_id = insert_source(review_db, {"kind": "file", "database": "D", "imported_at": "t"})
        staging.commit_into(source_id)
    staging.drop()
    sql = "SELECT r.*, x.raw FROM records r JOIN record_raw x ON x.id = r.raw_id"
    (row,) = review_db.query(sql)
    assert len(row.pop("uuid")) == 36
    assert row == {
        "id": 1, "source_id": source_id, "position": 5, "source_record_id": "L6",
        "record_type": "article", "title": "T", "abstract": "A",
        "abstract_sections": '[{"label": "AIM", "text": "A"}]', "authors": '["A, B"]',
        "year": 2001, "journal": "Journal", "journal_abbrev": "J", "volume": "12", "issue": "3",
        "pages": "4-5", "doi": "10.1/x", "pmid": "123", "pmcid": "PMC9", "issn": "1234-5678",
        "language": "eng", "publication_types": '["Trial"]', "mesh_terms": '["Liver"]',
        "keywords": '["MSC"]', "urls": '["https://example.org/r"]',
        "extra": '{"database": "Embase"}', "raw_id": 1, "line": 7, "raw": "<r/>",
        "database": "Embase",
    }  # fmt: skip
    assert row_citation(row) == c  # and back, every field by name


def test_a_refused_file_leaves_no_raw_text_behind(review_db, tmp_path: Path) -> None:
    import screening.importing as importing

    data = (FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()
    start, end = data.index(b"<PubmedArticle>"), data.rindex(b"</PubmedArticleSet>")
    broken = data[:start] + data[start:end] * 1000 + b"<PubmedArticle><oops>" + data[end:]
    (tmp_path / "broken.xml").write_bytes(broken)
    assert 6000 > importing.BATCH  # some batches were staged before the broken record
    with pytest.raises(ParseError):
        import_file(review_db, tmp_path / "broken.xml")
    assert review_db["records"].count == 0
    assert review_db["record_raw"].count == 0 and review_db["raw_in_flight"].count == 0
