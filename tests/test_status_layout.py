"""`metasift status` reads well: its columns hold on long database names, and counts of one
take the singular (db.plurals.counted)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from db.plurals import counted
from screening.cli import cli
from tests.conftest import FIXTURES


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_counted_takes_the_singular_for_one_only() -> None:
    assert [counted(n, "record") for n in (0, 1, 2, 1204)] == [
        "0 records",
        "1 record",
        "2 records",
        "1,204 records",
    ]
    assert counted(1, "study", "studies") == "1 study"
    assert counted(3, "study", "studies") == "3 studies"


def test_status_columns_line_up_on_long_database_names(tmp_path: Path) -> None:
    review = tmp_path / "review"
    assert invoke("init", review, "--title", "t").exit_code == 0
    for name, database in (
        ("cff_baseline_cochrane_endnote.ris", "Cochrane CENTRAL"),
        ("asreview_embase.ris", "Academic Search Premier"),
    ):
        result = invoke(
            "import", "--review", review, FIXTURES / "ris" / name, "--database", database
        )
        assert result.exit_code == 0, result.output
    lines = invoke("status", "--review", review).stdout.splitlines()
    sources = [line for line in lines if line.startswith("  #")]
    first = lines.index("  by database:") + 1
    by_database = lines[first : first + 2]
    assert "Academic Search Premier" in sources[1] and "Cochrane CENTRAL" in by_database[0]
    # every count ends in one column, whatever the length of the name before it
    assert len({_count_end(line) for line in sources + by_database}) == 1, lines


def _count_end(line: str) -> int:
    """Where the record count of a status row ends (a source row ends in its file name)."""
    match = re.search(r" (\d[\d,]*)(  \S+)?$", line)
    assert match, line
    return match.end(1)
