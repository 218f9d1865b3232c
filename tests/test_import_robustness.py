"""Issue 11's importer defects, each as it was reproduced: hostile text, CR-only CSV, a bogus
encoding, a NUL in PubMed XML, records with nothing to keep, files cut short, a forced format
that does not fit, and the Ctrl-C message."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from db.errors import ParseError
from screening.cli import cli
from screening.importers import FORMATS, reader
from screening.importers.textfile import SourceFile
from screening.importing import import_file
from tests.conftest import FIXTURES
from tests.importer_mutations import dump, fixtures_by_format

HOSTILE_RIS = "TY  - JOUR\nTI  - Evil \x1b]0;PWNED\x07 \x1b[2J red\nAU  - Mallory\x9b\nER  - \n"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|\\u00[01]")
MEDLINE = FIXTURES / "medline/biopython_pubmed_result2.txt"  # 4 records
CITAVI = FIXTURES / "ovid/knh_Embase_ovid_citavi_r3001-3002.ovd"  # 2 records
FITBIT = FIXTURES / "csv/colrev_pubmed_fitbit.csv"  # 10 records


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def records(db: Database, source_id: int) -> list[dict]:
    return list(db["records"].rows_where("source_id = ?", [source_id], order_by="position"))


def test_hostile_ris_title_lands_without_its_control_characters(review_db, tmp_path) -> None:
    path = tmp_path / "evil.ris"
    path.write_text(HOSTILE_RIS, encoding="utf-8")
    (record,) = records(review_db, import_file(review_db, path).source_id)
    assert record["title"] == "Evil ]0;PWNED [2J red"
    assert json.loads(record["authors"]) == ["Mallory"]
    raw = review_db.execute("SELECT raw FROM record_raw WHERE id = ?", [record["raw_id"]])
    assert "\x1b]0;PWNED" in raw.fetchone()[0]  # the raw record stays verbatim


def test_hostile_csv_cells_land_without_control_characters_in_any_column(
    review_db, tmp_path
) -> None:
    path = tmp_path / "evil.csv"
    row = '"Evil \x1b]0;PWNED\x07 red","Doe, J\x1b[2J","a\x08b; c",2020'
    path.write_text(f"Title,Authors,Keywords,Year\n{row}\n", encoding="utf-8")
    (record,) = records(review_db, import_file(review_db, path).source_id)
    assert record["title"] == "Evil ]0;PWNED red"
    assert json.loads(record["authors"]) == ["Doe, J[2J"]
    assert json.loads(record["keywords"]) == ["ab", "c"]
    columns = [k for k in record if k not in ("raw_id", "uuid")]
    assert not [k for k in columns if isinstance(record[k], str) and CONTROL.search(record[k])]


def test_csv_with_cr_only_line_ends_imports(tmp_path: Path, review_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(b'Title,Year\r"A",2020\r')
    result = invoke("import", "--review", review_path, path, "--database", "hand sheet")
    assert result.exit_code == 0, result.output
    assert "1 record added" in result.stdout


@pytest.mark.parametrize("encoding", ["bogus", "hex", "idna", "punycode"])
def test_unknown_encoding_is_one_clear_error(tmp_path, review_path, encoding) -> None:
    result = invoke("import", "--review", review_path, "--encoding", encoding, FITBIT)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {FITBIT}: --encoding '{encoding}' is not a text")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_nul_inside_pubmed_xml_is_a_one_line_error(tmp_path, review_db) -> None:
    data = (FIXTURES / "entrez/hawc/efetch_6_records.xml").read_bytes()
    at = data.index(b"<ArticleTitle>", 20000) + 20  # past the binary-file check's 8 KB
    path = tmp_path / "nul.xml"
    path.write_bytes(data[:at] + b"\x00" + data[at:])
    before = dump(review_db)
    with pytest.raises(ParseError) as error:
        import_file(review_db, path)
    assert "\n" not in str(error.value)
    assert str(error.value).startswith(f"{path}: line ")
    assert dump(review_db) == before


def test_decoding_error_names_its_line(tmp_path, review_db) -> None:
    lines = FITBIT.read_bytes().split(b"\n")
    lines[3] = b"\xff" + lines[3]  # after the BOM, so read as UTF-8 without a first check
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(ParseError) as error:
        import_file(review_db, path)
    assert error.value.line == 4


def test_empty_pmid_record_is_left_out_with_its_line(tmp_path, review_path) -> None:
    text = MEDLINE.read_text(encoding="utf-8")
    second = text.index("\nPMID- ", 10) + 1
    path = tmp_path / "stray.txt"
    path.write_text(text[:second] + "PMID- \nOWN - NLM\n\n" + text[second:], encoding="utf-8")
    line = text[:second].count("\n") + 1
    result = invoke("import", "--review", review_path, path)
    assert result.exit_code == 0, result.output
    assert "4 records added from PubMed (medline), source #1, 1 left out" in result.stdout
    assert f"Warning: {path}: line {line}: left out a record with neither a title" in result.stderr


def test_empty_ovid_record_number_is_left_out_not_a_refusal(tmp_path, review_db) -> None:
    text = CITAVI.read_text(encoding="utf-8")
    second = text.index("<3002. >")
    path = tmp_path / "gap.ovd"
    path.write_text(text[:second] + "<9. >\n\n" + text[second:], encoding="utf-8")
    summary = import_file(review_db, path)
    assert (summary.added, summary.skipped) == (2, 1)
    line = text[:second].count("\n") + 1
    assert summary.warnings == [
        f"{path}: line {line}: left out a record with neither a title nor an identifier "
        "(DOI, PMID, PMCID or the database's record id)"
    ]


def test_a_file_of_records_with_nothing_to_keep_is_refused(tmp_path, review_db) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("PMID- \nOWN - NLM\n\nPMID- \nOWN - NLM\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no records found in this medline file"):
        import_file(review_db, path)


def cut(tmp_path: Path, source: Path, before: str, keep: int) -> tuple[Path, int]:
    """source cut keep characters into the last occurrence of before; (file, its last line)."""
    text = source.read_text(encoding="utf-8")
    end = text.rindex(before) + keep
    path = tmp_path / f"cut{source.suffix}"
    path.write_text(text[:end], encoding="utf-8")
    return path, text[:end].count("\n") + 1


@pytest.mark.parametrize(
    ("source", "before", "keep", "whole"),
    [
        (MEDLINE, "\nAU  - ", 9, 3),
        (CITAVI, "\nAU  - ", 9, 1),
        (FITBIT, '","Lancet"', 1, 9),  # after the fifth of the last row's eleven cells
    ],
    ids=["medline", "ovid", "csv"],
)
def test_a_cut_file_imports_its_whole_records_and_warns_where_it_was_cut(
    tmp_path, review_db, source, before, keep, whole
) -> None:
    path, last_line = cut(tmp_path, source, before, keep)
    summary = import_file(review_db, path)
    assert summary.added == whole
    (warning,) = summary.warnings
    assert warning.startswith(f"{path}: line {last_line}: the file ends ")
    assert "the export was cut short" in warning


def test_csv_cut_inside_a_quoted_cell_keeps_the_rows_before(tmp_path, review_db) -> None:
    text = FITBIT.read_text(encoding="utf-8")
    row = text.rindex('\n"') + 1  # the last row opens with a quoted cell
    path = tmp_path / "cut.csv"
    path.write_text(text[: row + 5], encoding="utf-8")
    summary = import_file(review_db, path)
    assert summary.added == 9
    row_line = text[:row].count("\n") + 1
    assert f"inside a quoted cell of the row from line {row_line}" in summary.warnings[0]


def test_whole_real_files_give_no_warnings(review_db) -> None:
    for path in (MEDLINE, CITAVI, FITBIT, FIXTURES / "medline/synthesisr_PubMed_example.txt"):
        summary = import_file(review_db, path)
        assert (summary.warnings, summary.skipped) == ([], 0), path


def test_every_forced_format_is_refused_on_the_other_formats_fixtures(review_db) -> None:
    """Each format forced on one real file of every other format: refused with the review
    unchanged, unless the forced format's own check accepts the file too (a tab-delimited
    Web of Science file has a title column, so it reads as CSV)."""
    accepted = []
    for fmt, paths in sorted(fixtures_by_format(100_000).items()):
        for forced in sorted(set(FORMATS) - {fmt}):
            before = dump(review_db)
            try:
                summary = import_file(review_db, paths[0], fmt=forced)
            except ParseError as error:
                assert str(error).startswith(f"{paths[0]}: "), error
                assert dump(review_db) == before
            else:
                assert reader(forced).sniff(SourceFile.open(paths[0]).head()), (forced, fmt)
                accepted.append((forced, fmt))
                review_db["records"].delete_where("source_id = ?", [summary.source_id])
                review_db["sources"].delete_where("id = ?", [summary.source_id])
    assert accepted == [("csv", "wos-tab")]


def test_medline_forced_as_ovid_is_refused_by_the_cli(review_path: Path) -> None:
    path = FIXTURES / "medline/reflib-node_cancer.nbib"
    result = invoke("import", "--review", review_path, "--format", "ovid", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: line 1: this is a medline file, not ovid: leave out --format "
        "(or use --format medline); nothing was imported\n"
    )


def test_ctrl_c_message_says_the_space_is_reused_and_names_vacuum(review_path: Path) -> None:
    with mock.patch("screening.cli.imports.import_file", side_effect=KeyboardInterrupt):
        result = invoke("import", "--review", review_path, FITBIT)
    assert result.exit_code == 1
    assert "SQLite reuses it for the next import" in result.stderr
    assert "`metasift vacuum`" in result.stderr
    assert result.stderr.count("\n") == 1


def test_every_text_column_of_a_record_is_cleaned() -> None:
    """A column added to RecordFields must be added to record_checks' lists too."""
    from db.records import RecordFields
    from screening import record_checks

    checked = {*record_checks._TEXT_COLUMNS, *record_checks._JSON_COLUMNS}
    assert set(RecordFields._fields) - checked == {"uuid", "year", "line"}


def test_many_records_left_out_show_twenty_warnings_and_a_count(tmp_path, review_path) -> None:
    path = tmp_path / "strays.txt"
    strays = "PMID- \nOWN - NLM\n\n" * 25
    path.write_text(strays + MEDLINE.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke("import", "--review", review_path, path)
    assert result.exit_code == 0, result.output
    assert "4 records added from PubMed (medline), source #1, 25 left out" in result.stdout
    assert result.stderr.count(f"Warning: {path}: line ") == 20
    assert f"Warning: {path}: 5 more warnings like these" in result.stderr


def test_a_workbook_damaged_by_one_byte_is_refused_not_a_traceback(tmp_path, review_db) -> None:
    # input 5172 of the 10,000-input XLSX run: one byte of an attribute name in the sheet's
    # XML changed, and openpyxl raised TypeError for the attribute it did not know
    data = bytearray((FIXTURES / "xlsx/cff_baseline_embase.xlsx").read_bytes())
    data[3470] = ord("W")
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    before = dump(review_db)
    with pytest.raises(ParseError, match=r"the sheet is broken after row 0 \(Selection"):
        import_file(review_db, path)
    assert dump(review_db) == before
