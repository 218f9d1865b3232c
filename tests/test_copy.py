"""`metasift copy --for NAME`: one reviewer's review folder, self-contained, holding nobody
else's verdicts even for someone reading the file with sqlite3."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from db.connection import REVIEWER_COPY_ID, open_review
from db.errors import MetasiftError
from screening.cli import cli
from screening.decisions.copying import copy_review
from screening.dedup.clusters import split_records
from screening.review import load_review
from tests.merge_support import decide, new_main, record_ids, resolve, same_paper


def _main_with_everyones_events(tmp_path: Path) -> Path:
    """ana, ben and cy each with decisions (notes too), duplicate verdicts, a resolution, and
    a split that flags the decisions on the old cluster."""
    main = new_main(tmp_path)
    with load_review(main) as review:
        db = review.db
        ids = record_ids(db)
        for i, rid in enumerate(ids[:6]):
            decide(db, rid, "ana", "include", note=f"ana note {i}")
            decide(db, rid, "ben", "exclude", note=f"ben secret {i}")
        same_paper(db, ids[10], ids[11], "ana")
        same_paper(db, ids[12], ids[13], "ben")
        same_paper(db, ids[0], ids[1], "ben")
        resolve(db, ids[2], "cy", ["x"])
        from screening.dedup.canonical import DedupSettings
        from screening.dedup.engine import prepare, recluster

        recluster(db, prepare(db), DedupSettings())
        split_records(db, [ids[1]], "ben")  # flags ana's and ben's decisions on ids[0]
    return main


def test_a_copy_holds_only_its_reviewers_events_with_a_rollback_journal(tmp_path: Path) -> None:
    main = _main_with_everyones_events(tmp_path)
    with load_review(main) as review:
        summary = copy_review(review, "ana", tmp_path / "to-ana")
    kept = {**dict.fromkeys(kept_tables(), 0), "decisions": 6, "dedup_decisions": 1}
    assert summary.kept == kept
    assert sorted(p.name for p in (tmp_path / "to-ana").iterdir()) == ["review.db", "review.toml"]
    assert (tmp_path / "to-ana" / "review.toml").read_bytes() == (main / "review.toml").read_bytes()
    conn = sqlite3.connect(summary.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == REVIEWER_COPY_ID
    for table, who in (("decisions", "reviewer"), ("dedup_decisions", "reviewer")):
        assert {r[0] for r in conn.execute(f"SELECT DISTINCT {who} FROM {table}")} == {"ana"}
    assert conn.execute("SELECT count(*) FROM resolutions").fetchone()[0] == 0
    flagged = {r[0] for r in conn.execute("SELECT detail FROM dedup_flags")}
    assert flagged and all("ana decided" in d for d in flagged)
    linkers = {r[0] for r in conn.execute("SELECT reviewer FROM dedup_members")}
    assert linkers <= {"ana", None}
    conn.close()


def test_nothing_of_anothers_verdicts_is_left_in_the_copys_bytes(tmp_path: Path) -> None:
    main = _main_with_everyones_events(tmp_path)
    with load_review(main) as review:
        path = copy_review(review, "ana", tmp_path / "to-ana").path
    raw = path.read_bytes()
    assert b"ana note 0" in raw
    assert b"ben secret" not in raw and b"ben decided" not in raw  # not even in free pages
    assert b"meets every criterion" not in raw  # cy's resolution


def test_an_adjudicators_copy_keeps_their_resolutions(tmp_path: Path) -> None:
    main = _main_with_everyones_events(tmp_path)
    with load_review(main) as review:
        summary = copy_review(review, "cy", tmp_path / "to-cy")
    assert summary.kept == {**dict.fromkeys(kept_tables(), 0), "resolutions": 1}


def test_a_copy_stays_self_contained_when_metasift_writes_to_it(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    with load_review(main) as review:
        path = copy_review(review, "ana", tmp_path / "to-ana").path
    db = open_review(path)
    decide(db, record_ids(db)[0], "ana")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["review.db", "review.toml"]
    with load_review(main) as review:  # the main file keeps WAL: several people write to it
        assert review.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_copy_refuses_a_name_not_in_the_protocol_and_a_folder_in_use(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    with load_review(main) as review:
        with pytest.raises(MetasiftError, match="'zed' is not one of review.toml's people"):
            copy_review(review, "zed", tmp_path / "to-zed")
        with pytest.raises(MetasiftError, match="not empty"):
            copy_review(review, "ana", tmp_path / "used")
    assert not (tmp_path / "to-zed").exists()
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
    blank = CliRunner().invoke(cli, ["copy", "--review", str(main), "--for", " ", "-o", "x"])
    assert blank.exit_code == 2 and "--for" in blank.output and "--reviewer" not in blank.output


def test_the_copy_command_says_what_it_wrote(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    with load_review(main) as review:
        decide(review.db, record_ids(review.db)[0], "ana")
        decide(review.db, record_ids(review.db)[0], "ben")
    target = tmp_path / "to-ana"
    args = ["copy", "--review", str(main), "--for"]
    out = CliRunner().invoke(cli, [*args, "ana", "-o", str(target)])
    assert out.exit_code == 0, out.output
    assert "for ana: 1 screening decision; 1 event of others left out" in out.output
    assert f"metasift merge {target}" in out.output
    refused = CliRunner().invoke(cli, [*args, "zed", "-o", str(tmp_path / "to-zed")])
    assert refused.exit_code == 1 and "'zed' is not one of" in refused.output


def kept_tables() -> list[str]:
    """Every per-person event table a copy keeps (extraction and risk of bias add theirs)."""
    from screening.decisions.event_tables import EVENT_TABLES

    return [t.name for t in EVENT_TABLES]


def test_a_settled_stage_travels_whole_so_full_text_is_the_teams_list(tmp_path: Path) -> None:
    from screening.decisions.reports import full_text_reports
    from screening.decisions.resolving import Adjudication

    main = new_main(tmp_path)
    with load_review(main) as review:
        db, ids = review.db, record_ids(review.db)
        for n, rid in enumerate(ids):
            decide(db, rid, "ana", "include" if n < 4 else "exclude")
            decide(db, rid, "ben", "include" if n < 2 else "exclude")
        with copy_review(review, "ana", tmp_path / "early").path.open("rb"):
            pass  # two conflicts open: title/abstract still blinds
        adjudication = Adjudication(db, review.protocol, "cy")
        adjudication.resolve("include", justification="meets every criterion")
        adjudication.resolve("exclude", "wrong population", "an animal study")
        team_list = full_text_reports(db, review.protocol)
        summary = copy_review(review, "ana", tmp_path / "to-ana")
    assert summary.settled == ("title-abstract",)
    with load_review(summary.path) as copy:
        assert full_text_reports(copy.db, copy.protocol) == team_list
        who = {r[0] for r in copy.db.execute("SELECT DISTINCT reviewer FROM decisions")}
        assert who == {"ana", "ben"}
        assert copy.db.execute("SELECT count(*) FROM resolutions").fetchone()[0] == 2
    with load_review(tmp_path / "early") as early:
        who = {r[0] for r in early.db.execute("SELECT DISTINCT reviewer FROM decisions")}
        assert who == {"ana"}


def test_copy_refuses_an_output_named_like_a_review_file(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    args = ["copy", "--review", str(main), "--for", "ana", "-o"]
    out = CliRunner().invoke(cli, [*args, str(tmp_path / "to-ana" / "review.db")])
    assert out.exit_code == 1
    assert "names a file, but the copy is a folder" in out.output
    assert f"-o {tmp_path / 'to-ana'}" in out.output  # the folder it meant
    assert not (tmp_path / "to-ana").exists()  # no folder named review.db left behind
    out = CliRunner().invoke(cli, [*args, str(tmp_path / "ana.db")])
    assert out.exit_code == 1 and f"-o {tmp_path / 'ana'}" in out.output
    assert not (tmp_path / "ana.db").exists()


def _dual(main: Path) -> None:
    toml = main / "review.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^decisions_required = .*$", "", text)
    text = text.replace(
        "[screening]\n", "[screening]\ndecisions_required = { title-abstract = 2, full-text = 2 }\n"
    )
    toml.write_text(text, encoding="utf-8")


def _stage_counts(path: Path) -> dict[str, tuple[int, int, int]]:
    from screening.decisions.progress import review_progress

    with load_review(path) as review:
        return {
            p.stage: (p.records, p.included, p.not_retrieved)
            for p in review_progress(review.db, review.protocol)
        }


def _full_text_settled(db: Database, ids: list[int], name: str) -> None:
    """name's full-text verdicts on the first three records: two includes, one not retrieved."""
    decide(db, ids[0], name, "include", stage="full-text")
    decide(db, ids[1], name, "include", stage="full-text")
    decide(db, ids[2], name, "not-retrieved", stage="full-text")


def test_full_text_settled_before_title_abstract_does_not_travel_whole(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    _dual(main)
    with load_review(main) as review:
        db, ids = review.db, record_ids(review.db)
        for name in ("ana", "ben"):
            for rid in ids[:3]:
                decide(db, rid, name, "include")
            _full_text_settled(db, ids, name)
        decide(db, ids[3], "ana", "exclude")  # title/abstract: ben's vote still due
        summary = copy_review(review, "ana", tmp_path / "to-ana")
    # the copy cannot list full text (ben's title/abstract votes stay blinded), so it holds
    # and claims no team outcome there
    assert summary.settled == ()
    assert _stage_counts(summary.path)["full-text"] == (0, 0, 0)
    with load_review(summary.path) as copy:
        who = {r[0] for r in copy.db.execute("SELECT DISTINCT reviewer FROM decisions")}
        assert who == {"ana"}
    out = CliRunner().invoke(
        cli, ["copy", "--review", str(main), "--for", "ben", "-o", str(tmp_path / "to-ben")]
    )
    assert out.exit_code == 0, out.output
    assert "Settled in full" not in out.output


def test_both_stages_settled_travel_whole_and_the_copy_shows_them(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    _dual(main)
    with load_review(main) as review:
        db, ids = review.db, record_ids(review.db)
        for name in ("ana", "ben"):
            for n, rid in enumerate(ids):
                decide(db, rid, name, "include" if n < 3 else "exclude")
            _full_text_settled(db, ids, name)
    target = tmp_path / "to-ana"
    args = ["copy", "--review", str(main), "--for", "ana", "-o", str(target)]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    assert (
        "Settled in full, so kept whole (everyone's decisions and resolutions): title-abstract, "
        "full-text; the full-text list is the team's outcome." in out.output
    )
    assert _stage_counts(target) == _stage_counts(main)
    assert _stage_counts(target)["full-text"] == (3, 2, 1)
