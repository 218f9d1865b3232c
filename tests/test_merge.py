"""`metasift merge`: copies come back with nothing lost and nothing doubled, in any order; a
copy is only read; a copy of another review is refused; what cannot be placed is named."""

from __future__ import annotations

import atexit
import json
import shutil
import sqlite3
import tempfile
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from db.cluster_outcomes import kept_rows
from db.connection import open_review
from db.dedup import cluster_of
from db.errors import MetasiftError
from screening.cli import cli
from screening.decisions.copying import copy_review
from screening.decisions.kept_outcomes import read_kept
from screening.decisions.merging import merge_copies
from screening.importing import import_file
from screening.review import init_review, load_review
from tests.conftest import FIXTURES
from tests.kept_outcomes_check import assert_kept_equals_derived
from tests.merge_support import (
    decide,
    events,
    file_digest,
    new_main,
    record_ids,
    resolve,
    same_paper,
)


def _copy_for(main: Path, name: str, folder: Path) -> Path:
    with load_review(main) as review:
        return copy_review(review, name, folder).path


def _merge(main: Path, *copies: Path) -> list:
    with load_review(main) as review:
        return merge_copies(review.db, review.protocol, review.path, list(copies))


def _screen_in(copy: Path, reviewer: str, how_many: int, note: str | None = None) -> None:
    db = open_review(copy)
    for rid in record_ids(db)[:how_many]:
        decide(db, rid, reviewer, "exclude", note=note)
    db.close()


def test_merge_adds_a_copys_events_once(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    _screen_in(copy, "ana", 5, note="seen")
    first = _merge(main, copy)[0]
    tally = first.tallies["ana"]["decisions"]
    assert (tally.added, tally.present, tally.unplaceable, first.added) == (5, 0, 0, 5)
    with load_review(main) as review, load_review(copy) as theirs:
        assert events(review.db) == events(theirs.db)
    again = _merge(main, copy.parent)[0]  # the folder works as well as the file
    assert again.added == 0 and again.tallies["ana"]["decisions"].present == 5


def test_the_copy_is_only_read(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    _screen_in(copy, "ana", 3)
    by_hand = new_main(tmp_path, "by-hand")  # a file in WAL mode: a main file sent as it is
    _screen_in(by_hand / "review.db", "ben", 2)
    before = {p: file_digest(p) for p in (copy, by_hand / "review.db")}
    listing = {p: sorted(x.name for x in p.parent.iterdir()) for p in before}
    assert _merge(main, copy, by_hand)[1].added == 2
    for path, digest in before.items():
        assert file_digest(path) == digest
        assert sorted(x.name for x in path.parent.iterdir()) == listing[path]  # no -wal, -shm
    (by_hand / "review.db-wal").write_bytes(b"")  # as if someone had it open
    with pytest.raises(MetasiftError, match="another program has it open"):
        _merge(main, by_hand)


def test_a_copy_of_another_review_is_refused_and_nothing_is_merged(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    _screen_in(copy, "ana", 3)
    other = init_review(tmp_path / "other", title="Another review")
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(copy), str(other.parent)])
    assert out.exit_code == 1
    with load_review(other) as theirs, load_review(main) as review:
        uuid = theirs.db.execute("SELECT uuid FROM review").fetchone()[0]
        assert f"a copy of another review ('Another review', UUID {uuid})" in out.output
        assert "not of this one ('Merge tests'" in out.output
        assert review.db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_nothing_is_merged_into_a_reviewers_copy(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    to_ana = _copy_for(main, "ana", tmp_path / "to-ana")
    to_ben = _copy_for(main, "ben", tmp_path / "to-ben")
    _screen_in(to_ben, "ben", 3)
    out = CliRunner().invoke(cli, ["merge", "--review", str(to_ana), str(to_ben)])
    assert out.exit_code == 1
    assert "this is a reviewer's copy (`metasift copy`), not the main review" in out.output
    with load_review(to_ana) as ana:  # ben's verdicts would have been unblinded to ana
        assert ana.db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_events_on_records_the_main_file_lacks_are_reported(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    db = open_review(copy)
    import_file(db, FIXTURES / "ris" / "asreview_pubmed_zotero.ris", database="PubMed")
    if db.conn.in_transaction:
        db.conn.commit()
    extra = db.execute("SELECT id, uuid, title FROM records ORDER BY id DESC LIMIT 1").fetchone()
    decide(db, extra[0], "ana")
    decide(db, record_ids(db)[0], "ana")
    db.close()
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(copy)])
    assert out.exit_code == 0, out.output
    assert "ana: 1 screening decision added (1 not placed)" in out.output
    assert "Could not place events on 1 record this review" in out.output
    assert f"{extra[1]}  {extra[2]}" in out.output


def test_a_copys_protocol_is_reported_when_it_differs_and_never_merged(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    assert _merge(main, copy)[0].protocol == "same"
    toml = copy.with_name("review.toml")
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# ana's edit\n", encoding="utf-8")
    with load_review(main) as review:
        kept = review.db.execute("SELECT count(*) FROM protocol_versions").fetchone()[0]
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(copy.parent)])
    assert "Its protocol differs from this review's (edited in the copy?)" in out.output
    with load_review(main) as review:
        assert review.db.execute("SELECT count(*) FROM protocol_versions").fetchone()[0] == kept
    assert "ana's edit" not in (main / "review.toml").read_text(encoding="utf-8")


def test_a_copy_made_before_the_protocol_changed_says_so(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    toml = main / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# a later edit\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(copy)])
    assert "It was made under an earlier version of this review's protocol." in out.output


def test_dedup_verdicts_follow_record_uuids_when_local_ids_differ(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    db = open_review(copy)
    ids = record_ids(db)
    same_paper(db, ids[3], ids[7], "ana")
    decide(db, ids[3], "ana")
    db.close()
    with load_review(main) as review:  # the main file numbers its records the other way round
        review.db.execute("UPDATE records SET id = 1000 - id")
        review.db.conn.commit()
    result = _merge(main, copy)[0]
    assert result.reclustered
    with load_review(main) as review:
        a, b = 1000 - ids[7], 1000 - ids[3]  # a < b now: stored lowest id first
        stored = review.db.execute("SELECT record_a, record_b FROM dedup_decisions").fetchall()
        assert stored == [(a, b)]
        assert cluster_of(review.db, a).members == (a, b)
        decided = review.db.execute("SELECT record_id FROM decisions").fetchall()
        assert decided == [(b,)]


def test_an_older_copy_merges_the_columns_it_has(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    _screen_in(copy, "ana", 2)
    conn = sqlite3.connect(copy)  # as a copy made before resolutions and bulk batches
    conn.executescript(
        "DROP VIEW current_resolutions; DROP TABLE resolutions; "
        "ALTER TABLE decisions DROP COLUMN batch; PRAGMA user_version = 4;"
    )
    conn.close()
    result = _merge(main, copy)[0]
    assert result.added == 2 and list(result.tallies["ana"]) == ["decisions"]


def test_the_merge_report_in_json(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copies = []
    for name in ("ana", "ben"):
        copies.append(_copy_for(main, name, tmp_path / f"to-{name}"))
        _screen_in(copies[-1], name, 4)
    args = ["merge", "--review", str(main), *map(str, copies), "--json"]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert [r["added"] for r in report] == [4, 4]
    assert report[1]["tallies"] == {
        "ben": {"decisions": {"added": 4, "present": 0, "unplaceable": 0, "superseded": 0}}
    }
    assert report[1]["superseded"] == []


EARLY, LATE = "2026-02-01T00:00:00.000+00:00", "2026-02-02T00:00:00.000+00:00"


def test_a_merged_decision_older_than_one_already_here_is_named(tmp_path: Path) -> None:
    """ana excludes #3 in her copy, then includes it in the main file before merging: the
    include stays in force, and merge says the excluded #3 it brought does not count."""
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    db = open_review(copy)
    ids = record_ids(db)
    for rid in ids[:8]:
        decide(db, rid, "ana", "exclude", when=EARLY)
    db.close()
    with load_review(main) as review:
        decide(review.db, ids[2], "ana", "include", when=LATE)
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(copy)])
    assert out.exit_code == 0, out.output
    assert (
        f"  ana: 8 screening decisions added; 1 of them (#{ids[2]}, title-abstract) is older "
        "than ana's decision already here, which stays in force\n"
    ) in out.output
    with load_review(main) as review:
        in_force = review.db.execute(
            "SELECT verdict FROM current_decisions WHERE record_id = ?", [ids[2]]
        ).fetchone()
    assert in_force == ("include",)


def test_only_merged_decisions_that_lose_to_one_already_here_count(tmp_path: Path) -> None:
    """Not superseded: a merged decision later than the one here, one undone in the copy, one
    replaced by a later one of the copy's own, another reviewer's; superseded: one whose
    record the copy's merged duplicate verdict joins to one with the later decision (in force
    per cluster)."""
    main = new_main(tmp_path)
    copy = _copy_for(main, "ana", tmp_path / "to-ana")
    db = open_review(copy)
    ids = record_ids(db)  # the main file's too: the copy was made from it
    same_paper(db, ids[5], ids[6], "ana")  # merged, it joins them: counted after that
    decide(db, ids[0], "ana", "exclude", when=LATE)  # later than here: in force
    undone = decide(db, ids[1], "ana", "exclude", when=EARLY)
    decide(db, ids[1], "ana", "undo", when=EARLY, undoes=undone)
    decide(db, ids[2], "ana", "exclude", when=EARLY)
    decide(db, ids[2], "ana", "maybe", when="2026-02-03T00:00:00.000+00:00")  # later still
    decide(db, ids[3], "ana", "exclude", when=EARLY)  # superseded
    decide(db, ids[5], "ana", "exclude", when=EARLY)  # superseded through its duplicate
    decide(db, ids[7], "ana", "exclude", when=EARLY)
    decide(db, ids[7], "ana", "exclude", when=EARLY, stage="full-text")  # another stage
    db.close()
    with load_review(main) as review:
        for rid in ids[:4]:
            decide(review.db, rid, "ana", "include", when=EARLY if rid == ids[0] else LATE)
        decide(review.db, ids[6], "ana", "include", when=LATE)
        decide(review.db, ids[7], "ben", "include", when=LATE)  # ben's: ana's stays
        decide(review.db, ids[7], "ana", "include", when=LATE, stage="full-text")
    args = ["merge", "--review", str(main), str(copy), "--json"]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)[0]
    assert report["tallies"]["ana"]["decisions"]["superseded"] == 3
    assert report["superseded"] == [
        {"person": "ana", "table": "decisions", "record_id": rid, "stage": stage}
        for rid, stage in [
            (ids[3], "title-abstract"),
            (ids[5], "title-abstract"),
            (ids[7], "full-text"),
        ]
    ]
    again = json.loads(CliRunner().invoke(cli, args).output)[0]
    assert again["superseded"] == [] and again["tallies"]["ana"]["decisions"]["superseded"] == 0


def test_a_merged_resolution_older_than_one_already_here_is_named(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    copy = _copy_for(main, "cy", tmp_path / "to-cy")
    db = open_review(copy)
    ids = record_ids(db)
    resolve(db, ids[0], "cy", [], when=EARLY)
    resolve(db, ids[1], "cy", [], when=LATE)  # later than the one here: in force
    db.close()
    with load_review(main) as review:
        resolve(review.db, ids[0], "cy", [], when=LATE)
        resolve(review.db, ids[1], "cy", [], when=EARLY)
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(copy)])
    assert out.exit_code == 0, out.output
    assert (
        f"  cy: 2 resolutions added; 1 of them (#{ids[0]}, title-abstract) is older than a "
        "resolution already here, which stays in force\n"
    ) in out.output


TIMES = tuple(f"2026-02-0{d}T00:00:00.000+00:00" for d in range(1, 4))  # few: ties happen
operation = st.one_of(
    st.tuples(st.just("decide"), st.integers(0, 9), st.sampled_from(("include", "exclude")),
              st.sampled_from(TIMES)),
    st.tuples(st.just("undo"), st.integers(0, 20)),
    st.tuples(st.just("pair"), st.integers(0, 9), st.integers(0, 9),
              st.sampled_from(("same", "different"))),
)  # fmt: skip


def _work_in(copy: Path, reviewer: str, ops: list[tuple]) -> None:
    """A reviewer's session in their copy: decisions, undos of their own, duplicate verdicts."""
    db = open_review(copy)
    ids, made = record_ids(db), []
    for op in ops:
        if op[0] == "decide":
            made.append(decide(db, ids[op[1]], reviewer, op[2], when=op[3]))
        elif op[0] == "undo" and made:
            undone = made[op[1] % len(made)]
            decide(db, ids[0], reviewer, "undo", when=TIMES[-1], undoes=undone)
        elif op[0] == "pair" and op[1] != op[2]:
            same_paper(db, ids[op[1]], ids[op[2]], reviewer, op[3])
    db.close()


def _state(main: Path) -> tuple[object, ...]:
    """What every view reads: the events, the decisions in force, the clusters and the kept
    outcomes (by record UUID), the latter equal to a fresh derivation."""
    with load_review(main) as review:
        db = review.db
        in_force = db.execute("SELECT uuid FROM current_decisions ORDER BY uuid").fetchall()
        clusters = db.execute(
            "SELECT r.uuid, c.uuid FROM dedup_members m JOIN records r ON r.id = m.record_id "
            "JOIN records c ON c.id = m.canonical_id ORDER BY r.uuid"
        ).fetchall()
        assert_kept_equals_derived(db, review.protocol)
        uuids = dict(db.execute("SELECT id, uuid FROM records").fetchall())
        outcomes, votes = read_kept(db, review.protocol, kept_rows) or ([], [])
        kept = (
            sorted((o[0], uuids[o[1]], uuids[o[2]], *o[3:]) for o in outcomes),
            sorted((v[0], uuids[v[1]], *v[2:]) for v in votes),
        )
        return events(db), in_force, clusters, kept


@cache
def _empty_copies() -> list[Path]:
    tmp = Path(tempfile.mkdtemp(prefix="metasift-merge-copies-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    main = new_main(tmp)
    return [_copy_for(main, name, tmp / f"to-{name}") for name in ("ana", "ben")]


@settings(max_examples=12, deadline=None)
@given(ana=st.lists(operation, max_size=12), ben=st.lists(operation, max_size=12))
def test_copies_merge_to_the_same_review_in_either_order(
    tmp_path_factory: pytest.TempPathFactory, ana: list[tuple], ben: list[tuple]
) -> None:
    tmp = tmp_path_factory.mktemp("order")
    main = new_main(tmp)
    copies = [tmp / f"to-{name}" / "review.db" for name in ("ana", "ben")]
    for made, copy in zip(_empty_copies(), copies, strict=True):
        shutil.copytree(made.parent, copy.parent)  # every example starts from two empty copies
    _work_in(copies[0], "ana", ana)
    _work_in(copies[1], "ben", ben)
    other = new_main(tmp, "other")
    _merge(main, *copies)
    _merge(other, *reversed(copies))
    _merge(other, copies[0])  # and once more: nothing doubles
    merged = _state(main)
    assert merged == _state(other)
    held = set()
    for copy in copies:
        with load_review(copy) as theirs:
            held |= events(theirs.db)
    assert merged[0] == held  # nothing lost, nothing else


def _list_in(folder: Path, reviewers: str) -> None:
    """Set review.toml's reviewers in the review folder."""
    toml = folder / "review.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('reviewers = ["ana", "ben"]', reviewers), encoding="utf-8")


def test_a_copy_with_events_by_a_name_never_listed_is_refused_whole(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    to_ana = _copy_for(main, "ana", tmp_path / "to-ana")
    to_ben = _copy_for(main, "ben", tmp_path / "to-ben")
    _screen_in(to_ana, "ana", 3)
    _screen_in(to_ben, "ben", 3)
    _list_in(to_ben.parent, 'reviewers = ["ana", "ben", "bob"]')  # added in the copy only
    _screen_in(to_ben, "bob", 1)  # bob excludes a record only ben had decided
    db = open_review(to_ben)
    same_paper(db, *record_ids(db)[20:22], "zed")  # any kind of event, not only decisions
    db.close()
    before = file_digest(main / "review.db")
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(to_ana), str(to_ben)])
    assert out.exit_code == 1
    assert f"{to_ben}: holds events by bob, zed, not listed in this review's review.toml" in (
        out.output
    )
    assert "add them to review.toml's reviewers (or adjudicators) first, then merge again" in (
        out.output
    )
    assert "Nothing was merged" in out.output and str(to_ana) not in out.output
    assert file_digest(main / "review.db") == before  # not even ana's copy
    with load_review(main) as review:
        assert review.db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    _list_in(main, 'reviewers = ["ana", "ben", "bob", "zed"]')
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(to_ana), str(to_ben)])
    assert out.exit_code == 0, out.output
    assert "bob: 1 screening decision added" in out.output and "review.toml:" not in out.output


def test_a_reviewer_taken_off_review_toml_after_the_copy_still_merges(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    to_ben = _copy_for(main, "ben", tmp_path / "to-ben")
    _screen_in(to_ben, "ben", 2)
    with load_review(main):
        pass  # the team as it was is kept in review.db
    _list_in(main, 'reviewers = ["ana"]')
    out = CliRunner().invoke(cli, ["merge", "--review", str(main), str(to_ben)])
    assert out.exit_code == 0, out.output
    assert "ben: 2 screening decisions added" in out.output
    assert "No longer in review.toml: ben (an earlier version listed them" in out.output
    assert _merge(main, to_ben)[0].unlisted == ["ben"]


def test_a_review_listing_nobody_merges_any_name(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    _list_in(main, "")
    toml = main / "review.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('adjudicators = ["cy"]\n', ""), encoding="utf-8"
    )
    copy = _copy_for(main, "me", tmp_path / "to-me")
    _screen_in(copy, "me", 2)
    _screen_in(copy, "bob", 1)
    result = _merge(main, copy)[0]
    assert result.added == 3 and result.unlisted == []


def test_events_already_here_by_an_unlisted_name_do_not_block(tmp_path: Path) -> None:
    main = new_main(tmp_path)
    with load_review(main) as review:
        for rid in record_ids(review.db):  # made before review.toml listed anyone
            decide(review.db, rid, "me", "exclude")
    copy = _copy_for(main, "ana", tmp_path / "to-ana")  # title/abstract settled: me's travel
    with load_review(copy) as theirs:
        assert theirs.db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 46
    db = open_review(copy)
    decide(db, record_ids(db)[0], "ana", "include", stage="full-text")
    db.close()
    assert _merge(main, copy)[0].added == 1
