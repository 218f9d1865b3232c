"""`metasift stop-screening`: the team's stop as an event (who, when, the rule and figures),
undoable, an adjudicator's in dual review; status and PRISMA count what it leaves unscreened;
merging copies carries it; review.toml's [screening] stopping is checked."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from db.connection import open_review
from screening.cli import cli
from screening.decisions.copying import copy_review
from screening.decisions.merging import merge_copies
from screening.protocol import ProtocolError, parse_protocol
from screening.review import load_review
from tests.merge_support import decide, new_main, record_ids

STOP = ("stop-screening", "--reason", "knee rule met")


def invoke(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--review", str(folder / "review.db")])


def screen_first(folder: Path, how_many: int, includes: int = 2, who: str = "ana") -> None:
    """`who` decides the first records, one a minute: the first `includes` included."""
    db = open_review(folder / "review.db")
    for i, rid in enumerate(record_ids(db)[:how_many]):
        when = f"2026-01-01T{i // 60:02d}:{i % 60:02d}:00.000+00:00"
        decide(db, rid, who, "include" if i < includes else "exclude", when=when)
    db.close()


def set_protocol(folder: Path, old: str, new: str) -> None:
    toml = folder / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def stops(folder: Path) -> list[dict]:
    db = open_review(folder / "review.db")
    rows = list(db["stopping_events"].rows_where(order_by="created_at"))
    db.close()
    return rows


def test_a_stop_keeps_who_when_the_rule_and_the_figures_shown(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    set_protocol(main, "pilot = 0", 'pilot = 0\nstopping = { rule = "consecutive-excludes" }')
    screen_first(main, 10)
    result = invoke(main, *STOP, "--reviewer", "ben", "--json")
    assert result.exit_code == 0, result.output
    (event,) = stops(main)
    assert (event["reviewer"], event["stage"], event["reason"], event["rule"]) == (
        "ben", "title-abstract", "knee rule met", "consecutive-excludes")  # fmt: skip
    figures = json.loads(event["figures"])
    assert (figures["screened"], figures["includes"], figures["since_last_include"]) == (10, 2, 8)
    assert [e["method"] for e in figures["estimates"]] == [
        "consecutive-excludes", "zero-event-bound", "knee", "random-sample"]  # fmt: skip
    assert json.loads(result.stdout)["unscreened"] == 36  # 46 records, 10 screened


def test_status_and_prisma_count_the_unscreened_as_excluded_by_automation(tmp_path: Path):
    main = new_main(tmp_path)
    screen_first(main, 10)
    assert invoke(main, *STOP, "--reviewer", "ana").exit_code == 0
    text = invoke(main, "status").stdout
    assert "stopping guidance (the team's settled records): 10 of 46 screened" in text
    assert "STOPPED by ana" in text and "36 records nobody screened count in PRISMA" in text
    stopped = json.loads(invoke(main, "status", "--json").stdout)["stopping"]["stopped"]
    assert (stopped["reviewer"], stopped["excluded_automatic"]) == ("ana", 36)
    prisma = invoke(main, "prisma", "--json")
    counts = json.loads(prisma.stdout)
    assert (counts["excluded_automatic"], counts["records_screened"]) == (36, 10)
    assert counts["excluded_automatic_reason"].endswith(": knee rule met")
    assert counts["checks"][0]["holds"], counts["checks"][0]  # screened = identified - removed
    assert counts["unsettled"]["records"] == 0
    assert "automation tools: 36 (screening stopped by ana" in invoke(main, "prisma").stdout


def test_undo_puts_the_records_back_and_keeps_both_events(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    screen_first(main, 10)
    assert invoke(main, *STOP, "--reviewer", "ana").exit_code == 0
    again = invoke(main, *STOP, "--reviewer", "ana")
    assert again.exit_code == 1 and "already stopped by ana" in again.stderr
    assert invoke(main, "stop-screening", "--undo", "--reviewer", "ben").exit_code == 0
    stop, undo = stops(main)
    assert undo["undoes"] == stop["uuid"] and undo["reviewer"] == "ben"
    counts = json.loads(invoke(main, "prisma", "--json").stdout)
    assert (counts["excluded_automatic"], counts["records_screened"]) == (0, 46)
    nothing = invoke(main, "stop-screening", "--undo", "--reviewer", "ana")
    assert nothing.exit_code == 1 and "not stopped" in nothing.stderr


def test_a_stop_needs_a_reason_and_title_abstract(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    bare = invoke(main, "stop-screening", "--reviewer", "ana")
    assert bare.exit_code == 1 and "give the reason" in bare.stderr
    full_text = invoke(main, *STOP, "--reviewer", "ana", "--stage", "full-text")
    assert full_text.exit_code == 1 and "title-abstract screening only" in full_text.stderr
    assert stops(main) == []


def test_a_stop_before_anything_is_screened_or_after_everything_is_refused(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    early = invoke(main, *STOP, "--reviewer", "ana")
    assert early.exit_code == 1
    assert "no record is screened yet; a stop now would count all 46" in early.stderr
    screen_first(main, 46)
    late = invoke(main, *STOP, "--reviewer", "ana")
    assert late.exit_code == 1 and "every record has a decision" in late.stderr
    assert stops(main) == []


def test_in_dual_review_only_an_adjudicator_records_the_teams_stop(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    set_protocol(main, "title-abstract = 1,", "title-abstract = 2,")
    screen_first(main, 4)
    refused = invoke(main, *STOP, "--reviewer", "ana")
    assert refused.exit_code == 1 and "adjudicators" in refused.stderr
    assert invoke(main, *STOP, "--reviewer", "cy").exit_code == 0
    assert [s["reviewer"] for s in stops(main)] == ["cy"]


def test_a_stop_made_in_a_copy_merges_once(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    with load_review(main) as review:
        copy = copy_review(review, "ana", tmp_path / "to-ana").path
    screen_first(copy.parent, 5)
    assert invoke(copy.parent, *STOP, "--reviewer", "ana").exit_code == 0
    for _ in range(2):
        with load_review(main) as review:
            merge_copies(review.db, review.protocol, review.path, [copy])
    assert [(s["reviewer"], s["reason"]) for s in stops(main)] == [("ana", "knee rule met")]
    assert json.loads(invoke(main, "prisma", "--json").stdout)["excluded_automatic"] == 41


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('stopping = { rule = "kne" }', "stopping.rule: must be one of consecutive-excludes"),
        ('stopping = { rule = "knee", recal_target = 0.9 }', "did you mean recall_target?"),
        ('stopping = { rule = "random-sample" }', "random-sample rule needs it"),
        ("stopping = { consecutive_excludes = 0 }", "whole number from 1"),
        ("stopping = { confidence = 95 }", "between 0 and 1"),
    ],
)
def test_the_protocols_stopping_rule_is_checked(line: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_protocol(f'title = "t"\n[screening]\n{line}\n')


def test_the_protocols_stopping_rule_is_read() -> None:
    text = '[screening]\nstopping = { rule = "random-sample", random_after = 500 }\n'
    rule = parse_protocol(text).stopping
    assert (rule.rule, rule.random_after, rule.recall_target, rule.confidence) == (
        "random-sample", 500, 0.95, 0.95)  # fmt: skip


def test_help_loads_no_scipy() -> None:
    # (numpy is not checked: sqlite_utils imports it whenever it is installed)
    code = (
        "import sys; from screening.cli import cli; cli(['stop-screening', '--help'], "
        "standalone_mode=False); print(*sorted(m for m in ('scipy', 'textual') "
        "if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == ""


def test_prisma_still_balances_on_a_deduplicated_review(tmp_path: Path) -> None:
    """Three exports of one search, deduplicated: 50 clusters screened (10 included), then
    the stop; the unscreened clusters move from screened to excluded by automation."""
    from tests.studies_support import decide as decide_at
    from tests.studies_support import run
    from tests.test_prisma import _template, clusters

    shutil.copytree(_template(), tmp_path / "review")
    path = tmp_path / "review" / "review.db"
    found = clusters(path)
    db = open_review(path)
    for i, members in enumerate(found[:50]):
        decide_at(db, members[-1], "title-abstract", "include" if i < 10 else "exclude")
    db.close()
    assert run(path, *STOP, "--reviewer", "ana").exit_code == 0
    counts = json.loads(run(path, "prisma", "--json").stdout)
    assert counts["excluded_automatic"] == len(found) - 50
    assert counts["records_screened"] == 50 and counts["records_excluded"] == 40
    assert counts["database_results"] - counts["duplicates"] - counts["excluded_automatic"] == 50
    assert [c["holds"] for c in counts["checks"][:2]] == [True, True], counts["checks"]
