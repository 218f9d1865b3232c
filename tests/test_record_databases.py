"""Each record keeps the database it came from (issue 12): one naming rule, the identifiers
deduplication needs, a database per record in mixed files, RIS that round-trips them, and a
migration that names the records of existing reviews. Real exports only (tests/fixtures/
SOURCES.md): Cochrane Library CENTRAL, Embase.com, EBSCOhost, Ovid ERIC and APA PsycInfo, and
the Web of Science platform's BIOSIS Previews, Zoological Record and MEDLINE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlite_utils import Database

from db.connection import open_review
from db.database_names import accession_database, database_name, link_database
from db.dedup import found_in
from db.migrations import MIGRATIONS, migrate
from db.query_sql import record_ids_matching
from screening.cli import cli
from screening.importers import csv as csv_reader
from screening.importers import ris
from screening.importers.textfile import SourceFile
from screening.importing import import_file
from screening.query import parse_query
from tests.conftest import FIXTURES

EXAMPLES = Path(__file__).parent.parent / "examples"


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def by_database(db: Database, source_id: int | None = None) -> dict[str, int]:
    where, params = ("WHERE source_id = ?", [source_id]) if source_id else ("", [])
    sql = f"SELECT database, count(*) FROM records {where} GROUP BY database"
    return dict(db.execute(sql, params).fetchall())


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("ERIC <1992 to June 2024>", "ERIC"),  # Ovid, cff_baseline_eric_ovid.ris
        ("ERIC", "ERIC"),
        ("APA PsycInfo <2021>", "APA PsycInfo"),  # Ovid, cff_baseline_psychInfo_ovid.ris
        ("aph", "Academic Search Premier"),  # EBSCO, cff_baseline_cinahl.ris
        ("psyh", "APA PsycInfo"),  # EBSCO, citesource_psycinfo_64.ris
        ("Medline", "MEDLINE"),  # Embase.com, cff_baseline_embase.ris
        ("Cochrane Central Register of Controlled Trials (CENTRAL)", "Cochrane CENTRAL"),
        ("Academic Search Premier", "Academic Search Premier"),
        ("PTSDpubs", "PTSDpubs"),  # unknown names stay as written
        ("", None),
    ],
)
def test_one_rule_names_a_database_without_dates_or_codes(written: str, name: str | None) -> None:
    assert database_name(written) == name


@pytest.mark.parametrize(
    ("accession", "name"),
    [
        ("BIOSIS:PREV201800796061", "BIOSIS Previews"),
        ("ZOOREC:ZOOR15411078200", "Zoological Record"),
        ("MEDLINE:29782655", "MEDLINE"),
        ("WOS:000502504100001", "Web of Science"),
        ("CN-00778158", "Cochrane CENTRAL"),
        ("L644585435", "Embase"),
        ("EJ389705", None),  # an ERIC accession says nothing by its shape
        ("29782655", None),
    ],
)
def test_accession_numbers_name_their_database(accession: str, name: str | None) -> None:
    assert accession_database(accession) == name


def test_cochrane_ris_gives_pmid_accession_journal_and_database() -> None:
    first, second, third = ris.read(
        SourceFile.open(FIXTURES / "ris/cff_baseline_cochrane_endnote.ris")
    )
    assert (first.source_record_id, first.pmid, first.journal) == (
        "CN-00778158",
        "21314913",
        "Trials",
    )
    assert first.extra["database"] == "Cochrane CENTRAL"
    assert "C3" not in first.extra  # "PUBMED 21314913" was all it held
    assert (second.pmid, second.journal) == ("38407106", "Developmental psychology")
    assert second.extra["C3"] == ["PUBMED 38407106,EMBASE 643589775"]  # the Embase id stays
    assert (third.source_record_id, third.pmid) == ("CN-02575572", "37362617")


def test_cochrane_csv_gives_the_same_as_its_ris() -> None:
    rows = list(csv_reader.read(SourceFile.open(FIXTURES / "csv/cff_baseline_cochrane.csv")))
    records = list(ris.read(SourceFile.open(FIXTURES / "ris/cff_baseline_cochrane_endnote.ris")))
    same = ("source_record_id", "pmid", "journal", "year", "volume", "doi")
    assert [[getattr(c, f) for f in same] for c in rows] == [
        [getattr(c, f) for f in same] for c in records
    ]
    assert rows[1].extra["database"] == "Cochrane CENTRAL"
    assert rows[1].extra["embase_id"] == "EMBASE 643589775"


def test_embase_medline_records_keep_pmid_and_l_number() -> None:
    """Embase.com's MEDLINE records (DB - Medline only) have C5 and U2 like the others."""
    records = list(ris.read(SourceFile.open(FIXTURES / "ris/cff_baseline_embase.ris")))
    second = records[1]
    assert second.title.startswith("Erratum: Author Correction: A remarkable assemblage")
    assert (second.source_record_id, second.pmid) == ("L644585435", "38906957")
    assert "U2" not in second.extra and "C5" not in second.extra
    # found by searching Embase.com, which says the record is MEDLINE's
    assert (second.extra["database"], second.extra["other_databases"]) == ("Embase", ["MEDLINE"])
    assert all(r.pmid and r.source_record_id.startswith("L") for r in records)


def test_ebsco_csv_unwraps_dates_and_builds_pages() -> None:
    rows = list(csv_reader.read(SourceFile.open(FIXTURES / "csv/cff_baseline_cinahl.csv")))
    assert len(rows) == 10 and all(r.year for r in rows)
    first = rows[0]
    assert (first.year, first.pages, first.issn) == (2024, "1-60", "1932-6203")
    assert (first.record_type, first.publication_types) == ("article", ["Article"])
    assert (first.source_record_id, first.extra["database"]) == (
        "176404503",
        "Academic Search Premier",
    )
    # the same record from the same search exported as RIS (SP 1, EP 60)
    (same,) = [
        r
        for r in ris.read(SourceFile.open(FIXTURES / "ris/cff_baseline_cinahl.ris"))
        if r.source_record_id == "176404503"
    ]
    assert (same.year, same.pages, same.extra["database"]) == (
        2024,
        "1-60",
        first.extra["database"],
    )


@pytest.mark.parametrize(
    ("name", "database", "count"),
    [
        ("wos/litsearchr_WoS_biosis.txt", "BIOSIS Previews", 145),
        ("wos/litsearchr_WoS_zoological.txt", "Zoological Record", 133),
        ("wos/litsearchr_WoS_medline.txt", "MEDLINE", 10),
        ("ris/cff_baseline_eric_ovid.ris", "ERIC", 10),
        ("ris/cff_baseline_psychInfo_ovid.ris", "APA PsycInfo", 10),
        ("ris/cff_baseline_cinahl.ris", "Academic Search Premier", 9),
        ("ris/cff_baseline_cochrane_endnote.ris", "Cochrane CENTRAL", 3),
        ("csv/cff_baseline_cochrane.csv", "Cochrane CENTRAL", 3),
        ("csv/cff_baseline_cinahl.csv", "Academic Search Premier", 10),
        ("ris/cff_baseline_embase.ris", "Embase", 10),
        ("ris/asreview_pubmed_endnote.txt", "PubMed", 6),  # EndNote's DP "NLM"
        ("ris/asreview_ovid_psycinfo.ris", "APA PsycInfo", 6),  # no DB; Ovid's "D=psyc16" links
        ("decisions/rayyan_baseline.ris", "Embase", 10),  # Rayyan keeps Embase.com's links
        ("decisions/rayyan_baseline.csv", "Embase", 10),
        ("decisions/covidence_baseline.csv", "unnamed csv export", 10),  # nothing says
    ],
)
def test_each_export_is_named_for_its_database(
    review_db: Database, name: str, database: str, count: int
) -> None:
    summary = import_file(review_db, FIXTURES / name)
    assert (summary.database, summary.added) == (database, count)
    assert by_database(review_db, summary.source_id) == {database: count}


EBSCO = "https://search.ebscohost.com/login.aspx?direct=true&db=aph&AN=176404503"
OVID = "http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D={}&NEWS=N&AN={}"
COCHRANE = "https://www.cochranelibrary.com/central/doi/10.1002/central/CN-00778158/full"
EMBASE = "https://www.embase.com/search/results?subaction=viewrecord&id=L644585435&from=export"


@pytest.mark.parametrize(
    ("link", "name"),
    [
        (EBSCO, "Academic Search Premier"),  # cff_baseline_cinahl.csv
        (OVID.format("psyc16", "2019-65183"), "APA PsycInfo"),  # asreview_ovid_psycinfo.ris
        (COCHRANE, "Cochrane CENTRAL"),  # cff_baseline_cochrane_endnote.ris
        (EMBASE, "Embase"),  # cff_baseline_embase.ris
        ("https://doi.org/10.1371/journal.pone.0298242", None),
    ],
)
def test_links_name_their_database(link: str, name: str | None) -> None:
    assert link_database(link) == name


def test_rayyan_reexport_keeps_the_embase_records_database() -> None:
    """Rayyan replaces AN with its own id and drops DB, but keeps Embase.com's links."""
    records = list(ris.read(SourceFile.open(FIXTURES / "decisions/rayyan_baseline.ris")))
    second = records[1]
    assert second.title.startswith("Erratum: Author Correction: A remarkable assemblage")
    assert (second.source_record_id, second.extra["database"]) == ("rayyan-42924190", "Embase")


def test_web_of_science_record_keeps_its_database_and_pmid(review_db: Database) -> None:
    summary = import_file(review_db, FIXTURES / "wos/litsearchr_WoS_zoological.txt")
    row = next(review_db["records"].rows_where("source_id = ?", [summary.source_id], limit=1))
    assert (row["source_record_id"], row["pmid"], row["database"]) == (
        "ZOOREC:ZOOR15411078200",
        "29782655",
        "Zoological Record",
    )


def test_mixed_export_round_trips_identifiers_and_databases(tmp_path: Path) -> None:
    """The issue's case: PubMed XML and Embase RIS imported, exported as one RIS file and
    imported into another review: each record keeps its database and identifiers."""
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        assert invoke("init", folder, "--title", "t").exit_code == 0
    imported = invoke(
        "import", "--review", first, EXAMPLES / "pubmed_6_records.xml", EXAMPLES / "embase.ris"
    )
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "all.ris"
    exported = invoke("export", "records", "--review", first, "--format", "ris", "-o", out)
    assert exported.exit_code == 0, exported.output
    assert invoke("import", "--review", second, out).exit_code == 0
    ids = "SELECT database, pmid, source_record_id, title FROM records ORDER BY id"
    before, after = open_review(first / "review.db"), open_review(second / "review.db")
    assert after.execute(ids).fetchall() == before.execute(ids).fetchall()
    assert by_database(after) == {"PubMed": 6, "Embase": 6}
    (source,) = after["sources"].rows
    assert source["database"] == "PubMed, Embase"
    status = json.loads(invoke("status", "--review", second, "--json").stdout)
    assert status["databases"] == [
        {"database": "PubMed", "records": 6, "sources": 1},
        {"database": "Embase", "records": 6, "sources": 1},
    ]
    text = "C5  - 15368318"  # Embase.com's PMID tag, for the record Embase shares with MEDLINE
    assert text in out.read_text(encoding="utf-8")
    plain = invoke("status", "--review", second).stdout
    # one column of database names, as wide as the longest ("PubMed, Embase", the source's)
    assert "  #1   PubMed, Embase      12  all.ris\n  by database:\n" in plain
    assert "\n       PubMed               6\n       Embase               6\n" in plain
    # search and deduplication see each record's own database too
    embase = record_ids_matching(after, parse_query("source:embase").node)
    assert len(embase) == 6
    assert found_in(after, min(embase)) == ["Embase"]


def test_cochrane_identifiers_survive_export(tmp_path: Path, review_db: Database) -> None:
    import_file(review_db, FIXTURES / "ris/cff_baseline_cochrane_endnote.ris")
    out = tmp_path / "central.ris"
    from db.records import search_records
    from screening.export.ris import write_ris
    from screening.rows import row_citation

    with out.open("w", encoding="utf-8", newline="") as f:
        write_ris((row_citation(r) for r in search_records(review_db)), f)
    text = out.read_text(encoding="utf-8")
    assert "AN  - CN-00778158\nC5  - 21314913\n" in text and "DB  - Cochrane CENTRAL" in text
    back = list(ris.read(SourceFile.open(out)))
    assert [(c.source_record_id, c.pmid, c.extra["database"]) for c in back] == [
        ("CN-00778158", "21314913", "Cochrane CENTRAL"),
        ("CN-02677909", "38407106", "Cochrane CENTRAL"),
        ("CN-02575572", "37362617", "Cochrane CENTRAL"),
    ]


def test_migration_names_the_records_of_an_existing_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review made before m011: fields as the earlier version stored them for real records
    (tests/fixtures: Embase.com's MEDLINE record, a Zoological Record UT, EBSCO's code, an EBSCO
    CSV row whose only hint is its link, a PubMed record)."""
    monkeypatch.setattr("db.migrations.MIGRATIONS", MIGRATIONS[:9])
    db = open_review(tmp_path / "r.db", create=True)
    old = [  # (source's database, its format, source_record_id, extra, raw)
        ("Embase", "ris", None,
         '{"U2": ["L644585435"], "C5": ["38906957"], "database": "Medline"}', ""),
        ("Web of Science", "wos-tab", "ZOOREC:ZOOR15411078200", None, ""),
        ("aph", "ris", "176404503", '{"database": "aph"}', ""),
        ("unnamed csv export", "csv", "176404503", '{"publisher": "Public Library of Science"}',
         '{"PLink": "https://search.ebscohost.com/login.aspx?direct=true&db=aph&AN=176404503"}'),
        ("PubMed", "pubmed-xml", "19008416", None, "<PubmedArticle/>"),
        ("unnamed ris export", "ris", "99", '{"DP": ["NLM"]}',
         "TY  - JOUR\nID  - 99\nDP  - NLM\nER  - "),
    ]  # fmt: skip
    for n, (source, fmt, accession, extra, raw) in enumerate(old, start=1):
        row = {"kind": "file", "database": source, "format": fmt, "imported_at": "t"}
        source_id = db["sources"].insert(row).last_pk
        db["record_raw"].insert({"id": n, "raw": raw})
        row = {"uuid": f"u{n}", "source_id": source_id, "position": 1, "raw_id": n}
        db["records"].insert({**row, "source_record_id": accession, "extra": extra})
    monkeypatch.setattr("db.migrations.MIGRATIONS", MIGRATIONS)
    migrate(db)
    names = [row[0] for row in db.execute("SELECT database FROM records ORDER BY id")]
    assert names == [
        "Embase",
        "Zoological Record",
        "Academic Search Premier",
        "Academic Search Premier",
        "PubMed",
        "PubMed",
    ]
