"""Study links and full texts as events: copies agree on study UUIDs, merging brings links
back once, and a dedup merge or split keeps them attached and flags them for a look."""

from __future__ import annotations

import json
from pathlib import Path

from db.connection import open_review
from db.report_flags import report_flags
from screening.dedup.canonical import DedupSettings
from screening.dedup.clusters import split_records
from screening.dedup.engine import prepare, recluster
from tests.merge_support import same_paper
from tests.studies_support import new_review, run, send_to_full_text


def studies(path: Path) -> list[dict]:
    result = run(path, "studies", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def groups(path: Path) -> list[list[int]]:
    return [[r["record_id"] for r in s["reports"]] for s in studies(path)]


def make_copy(main: Path, name: str, folder: Path) -> Path:
    result = run(main, "copy", "--for", name, "-o", str(folder))
    assert result.exit_code == 0, result.output
    return folder / "review.db"


def test_copies_agree_and_merging_brings_each_link_back_once(tmp_path: Path) -> None:
    main = new_review(tmp_path)
    everyone = ("ana", "ben")  # a copy holds its reviewer's decisions only
    send_to_full_text(main, {1: "include", 2: "include", 3: "include", 4: "include"}, everyone)
    run(main, "studies", "link", "2", "--to", "1", "--reviewer", "cy")
    ana, ben = make_copy(main, "ana", tmp_path / "ana"), make_copy(main, "ben", tmp_path / "ben")
    assert studies(ana) == studies(main)  # the same UUIDs, and cy's link kept in every copy
    assert run(ana, "studies", "link", "4", "--to", "3", "--reviewer", "ana").exit_code == 0
    pdf = tmp_path / "ben" / "helping-hands.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    attached = run(ben, "fulltext", "attach", "4", str(pdf), "--reviewer", "ben")
    assert attached.exit_code == 0, attached.output
    for _ in range(2):  # the second time adds nothing
        assert run(main, "merge", str(ana.parent), str(ben.parent)).exit_code == 0
    assert groups(main) == [[1, 2], [3, 4]]
    assert studies(main)[1]["uuid"] == studies(ana)[1]["uuid"]
    assert studies(main)[1]["reports"][1]["full_texts"] == [
        "helping-hands.pdf"
    ]  # relative: the PDF travels with the folder
    db = open_review(main)
    counts = [
        db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("study_links", "full_texts")
    ]
    db.close()
    assert counts == [2, 1]


def test_a_dedup_merge_keeps_links_and_full_texts_and_flags_them(tmp_path: Path) -> None:
    main = new_review(tmp_path)
    send_to_full_text(main, {1: "include", 2: "include", 3: "include", 4: "include"})
    run(main, "studies", "link", "4", "--to", "3", "--reviewer", "ana")
    run(main, "fulltext", "attach", "2", "https://example.org/dislip-em.pdf", "--reviewer", "ana")
    db = open_review(main)
    same_paper(db, 1, 2, "ana")  # a person says 1 and 2 are one paper
    recluster(db, prepare(db), DedupSettings())
    db.close()
    found = studies(main)
    assert groups(main) == [[1], [3, 4]]
    report = found[0]["reports"][0]
    assert report["records"] == [1, 2]
    assert report["full_texts"] == ["https://example.org/dislip-em.pdf"]
    assert report["flags"] == [
        "the cluster of #2 merged with #1: the full text https://example.org/dislip-em.pdf "
        "attached by ana stays on it; look again"
    ]
    assert "      ! the cluster of #2 merged with #1: " in run(main, "studies").stdout
    # attaching again is the second look: the flag is settled
    run(main, "fulltext", "attach", "1", "https://example.org/dislip-em-2.pdf", "--reviewer", "ana")
    assert studies(main)[0]["reports"][0]["flags"] == []


def test_a_split_flags_the_link_and_the_report_left_is_its_own_study(tmp_path: Path) -> None:
    main = new_review(tmp_path)
    db = open_review(main)
    same_paper(db, 3, 4, "ana")
    recluster(db, prepare(db), DedupSettings())
    db.close()
    send_to_full_text(main, {1: "include", 3: "include"})
    run(main, "studies", "link", "4", "--to", "1", "--reviewer", "ana")  # 4: a member of #3
    assert groups(main) == [[1, 3]]
    db = open_review(main)
    split_records(db, [4], "ana")
    db.close()
    send_to_full_text(main, {4: "include"})
    found = studies(main)
    assert groups(main) == [[1, 4], [3]]  # the link stayed on #4, where it was made
    flagged = {r["record_id"]: r["flags"] for s in found for r in s["reports"]}
    confirmed = run(main, "studies", "link", "4", "--to", "1", "--reviewer", "ana")
    assert (
        confirmed.stdout
        == f"#4 stays in {found[0]['label']}; what dedup flagged on it is settled\n"
    )
    assert all(r["flags"] == [] for s in studies(main) for r in s["reports"])
    assert flagged[4] == [
        "the cluster of #4 split from #3: the study link by ana "
        f"({found[0]['uuid'][:8]}) stays on it; look again"
    ]


def test_a_new_canonical_record_flags_the_reports_events(tmp_path: Path) -> None:
    main = new_review(tmp_path)
    send_to_full_text(main, {1: "include", 2: "include"})
    run(main, "studies", "link", "2", "--to", "1", "--reviewer", "ana")
    db = open_review(main)
    before = {1: (1, 1, 1), 2: (2, 1, 1)}  # one cluster, #1 canonical, then #2
    after = {1: (1, 1, 2), 2: (2, 1, 2)}
    db.conn.executemany(
        "INSERT INTO dedup_members (record_id, cluster_id, canonical_id) VALUES (?, ?, ?)",
        before.values(),
    )
    flags = report_flags(db, before, after)
    unchanged = report_flags(db, after, after)
    db.close()
    assert [(f["record_id"], f["reason"], f["event"]) for f in flags] == [
        (2, "canonical", "study_links")
    ]
    assert flags[0]["detail"].startswith(
        "the cluster of #2 has a new canonical record, #2: the study link"
    )
    assert unchanged == []
