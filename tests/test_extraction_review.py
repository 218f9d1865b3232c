"""The studies extraction works on: the reports included at full text, one study each, named
alike in every copy of the review."""

from __future__ import annotations

import uuid

from db.decisions import record_decisions
from screening.cli.extraction_review import included_studies, open_for_extraction
from screening.review import load_review, review_uuid
from tests.merge_support import new_main, record_ids


def decide(db, record_id: int, stage: str, verdict: str) -> None:
    record_decisions(db, [{
        "uuid": str(uuid.uuid4()), "record_id": record_id, "reviewer": "ana", "stage": stage,
        "verdict": verdict, "reason": None if verdict != "exclude" else "wrong population",
        "note": None, "tags": None, "undoes": None, "batch": None,
        "created_at": "2026-02-01T00:00:00.000+00:00",
    }])  # fmt: skip


def test_included_reports_are_the_studies_to_extract(tmp_path):
    main = new_main(tmp_path)
    with load_review(main) as review:
        ids = record_ids(review.db)
        for rid in ids[:3]:
            decide(review.db, rid, "title-abstract", "include")
        decide(review.db, ids[0], "full-text", "include")
        decide(review.db, ids[1], "full-text", "exclude")
        decide(review.db, ids[3], "full-text", "include")  # never sent to full text
        studies = included_studies(review)
        first = review.db.execute(
            "SELECT uuid, year FROM records WHERE id = ?", [ids[0]]
        ).fetchone()
        namespace = uuid.UUID(review_uuid(review.db))
    assert [s.record_ids for s in studies] == [(ids[0],)]
    assert studies[0].uuid == str(uuid.uuid5(namespace, first[0]))
    assert studies[0].label.endswith(str(first[1])) and not studies[0].label.startswith("Anonymous")
    with open_for_extraction(str(main), "ana", "screener") as review:
        assert [s.uuid for s in review.included_studies()] == [studies[0].uuid]
        assert review.reviewer == "ana" and review.adjudicators == ("cy",)
