"""ScreeningSession on a real review: decisions, undo, notes, tags, filters, bulk, blinding."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from db.errors import ReviewBusy
from db.studies import FULL_TEXTS, record_events
from screening.decisions.session import ScreeningError, ScreeningSession
from screening.query import SearchError
from screening.review import Review, load_review
from tests.other_process import committed_rows, write_lock_held
from tests.screening_fixtures import FIRST_TITLE, LONG_PMID, RCT_PMID, make_review


@pytest.fixture
def review_file(tmp_path: Path) -> Path:
    return make_review(tmp_path / "rev")


@pytest.fixture
def review(review_file: Path) -> Iterator[Review]:
    with load_review(review_file) as r:
        yield r


def session(review: Review, reviewer: str = "ana", stage: str = "title-abstract"):
    return ScreeningSession(review.db, review.protocol, reviewer, stage)


def committed(path: Path) -> list[tuple]:
    """The decisions as another process sees them: only what was committed."""
    return committed_rows(
        path,
        "SELECT record_id, reviewer, stage, verdict, reason, note, tags, undoes, batch "
        "FROM decisions ORDER BY id",
    )


def test_starts_on_first_record_and_include_is_committed_at_once(review, review_file) -> None:
    s = session(review)
    assert s.current().citation.title == FIRST_TITLE
    event = s.decide("include")
    assert committed(review_file) == [(1, "ana", "title-abstract", "include", *[None] * 5)]
    assert event.record_id == 1 and s.current_id == 2
    assert s.counts().verdicts == {"include": 1, "exclude": 0, "maybe": 0}
    assert s.counts().undecided == 9


def test_reason_is_optional_at_title_abstract_and_required_at_full_text(review) -> None:
    ta = session(review)
    ta.decide("exclude")
    ta.decide("exclude", "wrong population")
    assert ta.decision(2).reason == "wrong population"
    with pytest.raises(ScreeningError, match="not an exclusion reason"):
        ta.decide("exclude", "too long")
    with pytest.raises(ScreeningError, match="only an exclusion"):
        ta.decide("include", "wrong population")
    with pytest.raises(ScreeningError, match="not-retrieved"):
        ta.decide("not-retrieved")
    ta.go_to(7)
    ta.decide("include")
    ft = session(review, stage="full-text")
    assert ft.pool == [7]
    with pytest.raises(ScreeningError, match="needs a reason"):
        ft.decide("exclude")
    ft.decide("not-retrieved")
    assert ft.counts().verdicts["not-retrieved"] == 1


def test_undo_restores_the_previous_decision_and_goes_back(review, review_file) -> None:
    s = session(review)
    s.decide("maybe")  # record 1
    s.go_to(1)
    s.decide("exclude", "wrong outcome")  # changes its mind on record 1
    s.decide("include")  # record 2
    assert [d.record_id for d in s.undo()] == [2]
    assert s.current_id == 2 and s.decision(2) is None
    assert [d.verdict for d in s.undo()] == ["exclude"]
    assert s.decision(1).verdict == "maybe"  # the earlier decision is in force again
    rows = committed(review_file)
    assert [r[3] for r in rows] == ["maybe", "exclude", "include", "undo", "undo"]
    assert rows[3][7] is not None and rows[4][7] is not None
    # a fresh session on the file folds the events the same way
    again = session(review)
    assert again.decision(1).verdict == "maybe" and again.decision(2) is None
    assert again.current_id == 2  # the first undecided record


def test_note_waits_for_a_decision_then_rides_on_it(review, review_file) -> None:
    s = session(review)
    assert s.set_note("  dose unclear ") is False  # undecided: kept as a draft
    assert s.set_tags(["animal", " later ", "animal", ""]) is False
    assert committed(review_file) == []
    s.decide("maybe")
    assert committed(review_file)[0][3:7] == ("maybe", None, "dose unclear", '["animal", "later"]')
    s.go_to(1)
    assert s.set_note("") is True  # decided: a new event with the same verdict
    assert s.decision(1).verdict == "maybe" and s.decision(1).note is None
    assert s.decision(1).tags == ("animal", "later")
    assert s.tags() == ["animal", "later"]


def test_blinding_another_reviewers_decisions_are_never_read(review) -> None:
    review.protocol = replace(review.protocol, dual_share={"title-abstract": 1.0, "full-text": 1.0})
    ben = session(review, "ben")
    for _ in range(3):
        ben.decide("include")
    ana = session(review)
    assert ana.current_id == 1 and ana.decision(1) is None
    assert ana.counts().decided == 0
    assert ana.set_filter(status="include") == 0
    # one of two required decisions: ben's includes are pending and reach no full text
    assert session(review, stage="full-text").pool == []
    assert ana.tags() == []


def test_with_one_decision_required_a_colleagues_verdict_settles_the_record(review) -> None:
    ben = session(review, "ben")
    for _ in range(3):
        ben.decide("include")
    ana = session(review)
    assert 1 not in ana.pool and ana.current_id == 4  # done by ben: not ana's to screen
    assert ana.counts().decided == 0 and ana.decision(1) is None
    # full text starts from the stage's outcome, whoever settled it
    assert session(review, stage="full-text").pool == [1, 2, 3]


def test_full_text_lists_own_includes_and_maybes_with_links(review) -> None:
    s = session(review)
    for rid, verdict in [(7, "include"), (8, "maybe"), (9, "exclude"), (1, "include")]:
        s.go_to(rid)
        s.decide(verdict)
    s.go_to(1)
    s.undo()  # the include of record 1 is undone: it leaves the full-text list
    ft = session(review, stage="full-text")
    assert ft.pool == [7, 8]
    view = ft.current()
    assert view.citation.pmid == RCT_PMID
    assert view.earlier.verdict == "include"
    assert view.full_text[0] == "https://doi.org/10.3290/j.qi.a30176"
    assert f"https://pubmed.ncbi.nlm.nih.gov/{RCT_PMID}/" in view.full_text


def test_report_location_comes_first_at_full_text(review) -> None:
    s = session(review)
    s.go_to(7)
    s.decide("include")
    record_events(review.db, FULL_TEXTS, [(7, "pdfs/hajizadeh2013.pdf")], "ana")
    pdf = review.path.parent / "pdfs" / "hajizadeh2013.pdf"  # stored relative, shown absolute
    assert session(review, stage="full-text").current().full_text[0] == str(pdf)


def test_filters_by_decision_tag_and_search(review) -> None:
    s = session(review)
    s.decide("include")  # record 1
    s.set_tags(["check"])  # record 2, undecided: the tags go with its decision
    s.decide("exclude", "wrong population")
    assert s.set_filter(status="undecided") == 8
    assert s.set_filter(status="exclude") == 1 and s.current_id == 2
    s.go_to(5)
    assert s.set_filter(status="all", tag="check") == 1 and s.current_id == 2
    s.clear_filter()
    assert s.set_filter(query="type:review") == 1
    assert s.current().citation.pmid == LONG_PMID
    assert s.set_filter(query="-type:review year:2008") == 6
    assert s.set_filter(query='chlorhexidine "postoperative sensitivity"') == 1
    assert s.set_filter(query="title:rats year:>2004") == 1
    assert s.set_filter(query="source:pubmed mesh:humans") == 6
    assert s.filter.describe() == "source:pubmed mesh:humans"
    with pytest.raises(SearchError, match="close the quotes"):
        s.set_filter(query='"unclosed')
    with pytest.raises(SearchError, match="not a year"):
        s.set_filter(query="year:recent")


def test_bulk_needs_a_filter_counts_first_and_undoes_as_one(review, review_file) -> None:
    s = session(review)
    with pytest.raises(ScreeningError, match="filtered list"):
        s.plan_bulk("exclude", "wrong study design")
    s.go_to(2)
    s.decide("include")
    s.set_filter(query="year:2008")  # records 1-6
    plan = s.plan_bulk("exclude", "wrong study design")
    assert plan.record_ids == (1, 2, 3, 4, 5, 6)
    assert (plan.undecided, plan.unchanged) == (5, 0)
    events = s.apply_bulk(plan)
    assert {e.batch for e in events} == {events[0].batch} and events[0].batch
    assert s.counts().verdicts["exclude"] == 6
    assert s.plan_bulk("exclude", "wrong study design").record_ids == ()
    undone = s.undo()
    assert len(undone) == 6
    assert s.decision(2).verdict == "include" and s.decision(1) is None
    rows = committed(review_file)
    assert [r[3] for r in rows].count("undo") == 6


def test_unknown_stage_and_missing_reviewer_are_refused(review) -> None:
    with pytest.raises(ScreeningError, match="not in review.toml's stages"):
        session(review, stage="data-extraction")
    with pytest.raises(ScreeningError, match="reviewer"):
        session(review, reviewer=" ")


def test_empty_filter_result_has_no_current_record(review) -> None:
    s = session(review)
    assert s.set_filter(query="pmid:1") == 0
    assert s.current() is None
    with pytest.raises(ScreeningError, match="no record here"):
        s.decide("include")


def test_duplicates_are_screened_once_and_decisions_follow_the_cluster(tmp_path) -> None:
    from screening.dedup.engine import run_dedup
    from tests.screening_fixtures import ENTREZ, FILES

    # efetch_batch1_retmax3.xml holds the first three records of efetch_6_records.xml again
    path = make_review(tmp_path / "dup", FILES + (ENTREZ / "hawc" / "efetch_batch1_retmax3.xml",))
    with load_review(path) as review:
        before = session(review)
        assert len(before.pool) == 13
        before.go_to(11)  # the second copy of record 1
        before.decide("include")
        run_dedup(review.db)
        assert not review.db.conn.in_transaction
        after = session(review)
        assert list(after.pool) == list(range(1, 11))  # 11-13 are copies of 1-3
        assert after.duplicates == {11: 1, 12: 2, 13: 3}
        assert after.decision(1).verdict == "include"  # decided on the copy, counts for 1
        assert after.counts().verdicts["include"] == 1
        assert after.record(1).found_in == ("PubMed (efetch_6_records.xml)",)


def test_a_busy_review_file_saves_nothing_and_keeps_the_draft(review, review_file) -> None:
    s = session(review)
    assert s.set_note("check the dose") is False  # a draft until the decision
    with write_lock_held(review.db, review_file), pytest.raises(ReviewBusy, match="is busy"):
        s.decide("include")
    assert committed(review_file) == [] and s.current_id == 1
    s.decide("include")
    assert committed(review_file)[0][5] == "check the dose"


def test_a_busy_review_file_fails_a_bulk_decision_and_keeps_its_drafts(review, review_file) -> None:
    s = session(review)
    assert s.set_note("check the dose") is False  # record 1: drafts until a decision
    s.go_to(3)
    assert s.set_tags(["animal study"]) is False
    s.set_filter(query="year:2008")  # records 1-6
    plan = s.plan_bulk("exclude", "wrong study design")
    with write_lock_held(review.db, review_file), pytest.raises(ReviewBusy, match="is busy"):
        s.apply_bulk(plan)
    assert committed(review_file) == [] and s.counts().decided == 0
    assert s.record(1).note == "check the dose" and s.record(3).tags == ("animal study",)
    s.apply_bulk(plan)  # the same plan, once the file is free: the drafts go with it
    rows = committed(review_file)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert (rows[0][5], rows[2][6]) == ("check the dose", '["animal study"]')
    assert s.drafts == {}


def test_the_pilot_round_comes_first_and_ends_with_the_teams_agreement(review) -> None:
    review.protocol = replace(review.protocol, pilot=3)
    ben = session(review, "ben")
    assert list(ben.pool[:3]) == [1, 2, 3]
    for verdict in ("include", "exclude", "exclude"):
        ben.decide(verdict, "wrong population" if verdict == "exclude" else None)
    assert ben.pilot_done(3) == "Pilot round done (3 records). No colleague has screened it yet."
    ana = session(review)
    assert list(ana.pool[:3]) == [1, 2, 3]  # the pilot's records, for everyone, in one order
    ana.decide("include")
    assert ana.pilot_done(1) is None  # two pilot records still to go
    ana.decide("include")
    ana.decide("exclude")
    # by hand: agree on 2 of 3; kappa = (2/3 - 4/9) / (1 - 4/9) = 0.40
    assert ana.pilot_done(3) == "Pilot round done (3 records). With ben: 67% agree, kappa 0.40."


def test_undo_takes_back_a_note_or_tags_one_at_a_time_and_says_which(review, review_file) -> None:
    s = session(review)
    s.go_to(2)
    s.decide("maybe")
    s.go_to(2)
    assert s.set_note("dose?") is True and s.set_tags(["rct"]) is True
    assert s.set_note("dose?") is True  # unchanged: no event, so no empty step for undo
    assert [r[3] for r in committed(review_file)] == ["maybe", "maybe", "maybe"]
    assert [s.undone_part(d) for d in s.undo()] == ["tags"]
    assert s.decision(2).note == "dose?" and s.decision(2).tags == ()
    assert [s.undone_part(d) for d in s.undo()] == ["note"]
    assert s.decision(2).verdict == "maybe" and s.decision(2).note is None
    assert [s.undone_part(d) for d in s.undo()] == ["maybe"]
    assert s.decision(2) is None


def test_tags_differing_only_in_case_are_one_tag_spelt_as_first_used(review, review_file) -> None:
    s = session(review)
    assert s.set_tags(["rct", " RCT ", "Rct"]) is False
    assert s.record(1).tags == ("rct",)
    s.decide("include")  # record 1: its tags are saved with it
    s.set_tags(["RCT", "Dose"])  # record 2: the tag saved on record 1 keeps its spelling
    s.decide("include")
    assert [r[6] for r in committed(review_file)] == ['["rct"]', '["rct", "Dose"]']
    assert s.tags() == ["Dose", "rct"]
    assert s.set_filter(tag="RCT") == 2  # the filter matches without regard to case too


def test_unsaved_names_the_records_whose_note_waits_for_a_decision(review) -> None:
    s = session(review)
    s.set_note("dose?")  # record 1, undecided
    s.go_to(3)
    s.set_tags(["rct"])
    assert s.unsaved() == [1, 3]
    s.set_tags([" "])  # cleared: nothing left to lose on record 3
    assert s.unsaved() == [1]
    s.go_to(1)
    s.decide("include")
    assert s.unsaved() == []
    s.undo()  # the note of an undone first decision waits again for the next one
    assert s.unsaved() == [1] and s.record(1).note == "dose?"


def test_bulk_on_a_filter_matching_nothing_is_refused(review) -> None:
    s = session(review)
    assert s.set_filter(query="pmid:1") == 0
    with pytest.raises(ScreeningError, match="nothing to decide"):
        s.plan_bulk("include")
