"""EndNote XML, ProQuest and XLSX records written as RIS and read back keep their fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.importers import reader
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES
from tests.test_export_ris import fields, round_trip

FILES = [
    ("endnote-xml", FIXTURES / "endnote_xml" / "reflib_spidercite_demo_endnote20.xml"),
    ("endnote-xml", FIXTURES / "endnote_xml" / "reflib_dump_converted_endnote21.xml"),
    ("endnote-xml", FIXTURES / "endnote_xml" / "asysd_mendeley_export_first20.xml"),
    ("proquest", FIXTURES / "proquest" / "metaknowledge_ProQuest_TestFile.txt"),
    ("xlsx", FIXTURES / "xlsx" / "cff_baseline_embase.xlsx"),
    ("xlsx", FIXTURES / "xlsx" / "cff_baseline_eppireviewer.xlsx"),
    ("csv", FIXTURES / "csv" / "cff_baseline_embase_search_preamble.csv"),
]


@pytest.mark.parametrize(("fmt", "path"), FILES, ids=lambda v: getattr(v, "name", v))
def test_records_survive_ris_write_and_read(fmt: str, path: Path, tmp_path: Path) -> None:
    first = list(reader(fmt).read(SourceFile.open(path)))
    again = round_trip(first, tmp_path)
    expected = [fields(c) for c in first]
    for record in expected:  # a record of no known type is written TY GEN and reads back so
        record["record_type"] = record["record_type"] or "gen"
    assert [fields(c) for c in again] == expected
