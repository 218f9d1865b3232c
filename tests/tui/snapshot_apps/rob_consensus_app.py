"""The risk-of-bias consensus screen on a small real review: the fixture PubMed records, two
included at full text; ana and ben have assessed the first with RoB 2 and both are done, D1
judged differently (ben answered 1.2 No, with support text and a quote); ben has not finished
the second, so it stays blinded. Opened for the adjudicator cy, as `metasift rob consensus`.

python -m tests.tui.snapshot_apps.rob_consensus_app
"""

from __future__ import annotations

from pathlib import Path

from screening.cli.extraction_review import included_studies
from screening.tui.app import MetasiftApp, make_app
from tests.test_rob_answers import ALL_LOW
from tests.tui.snapshot_apps import built_on_demand
from tests.tui.snapshot_apps.rob_app import build as build_rob

BEN_D1 = "1.1=Y,1.2=N,1.3=N"
NOTES = {  # who -> question -> (support, quote, page): what each typed in the form
    # ana's page as entries made before the page was stored as its number keep it
    "ana": {"1.2": ("central telephone randomisation", "allocation by telephone", "p. 3")},
    "ben": {"1.2": ("envelopes not said to be sealed", "sealed envelopes", "4")},
}


def assess(db, instrument, study: str, who: str, answers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from extraction.rob import ledger
    from extraction.rob.ledger import Target

    target = Target(instrument, study, "", who)
    for domain, pairs in answers.items():
        for pair in pairs.split(","):
            question, given = pair.split("=")
            support, quote, page = NOTES.get(who, {}).get(question, (None, None, None))
            ledger.answer(db, target, domain, question, given,
                          support=support, quote=quote, page=page)  # fmt: skip


def build(folder: Path, study: str | None = None) -> MetasiftApp:
    from extraction.rob import ledger
    from extraction.rob.adjudication import RobConsensus
    from extraction.rob.instrument import find_instrument
    from extraction.rob.ledger import Target
    from extraction.tui.rob_consensus_screen import RobConsensusScreen

    rob2 = find_instrument("rob2")
    review = build_rob(folder).review  # type: ignore[attr-defined]
    studies = included_studies(review)
    first, second = studies[0].uuid, studies[1].uuid
    if not review.db.execute("SELECT count(*) FROM rob_answers").fetchone()[0]:
        assess(review.db, rob2, first, "ana", ALL_LOW)
        assess(review.db, rob2, first, "ben", {**ALL_LOW, "D1": BEN_D1})
        assess(review.db, rob2, second, "ana", ALL_LOW)
        for who in ("ana", "ben"):
            ledger.mark_done(review.db, Target(rob2, first, "", who))
        ledger.mark_done(review.db, Target(rob2, second, "", "ana"))
    labels = {s.uuid: s.label for s in studies}
    settling = RobConsensus(review.db, rob2, "cy", labels, study)
    app = make_app(lambda: RobConsensusScreen(settling), title="metasift · risk-of-bias consensus")
    app.review = review  # type: ignore[attr-defined]  # for tests
    app.settling = settling  # type: ignore[attr-defined]
    app.studies = studies  # type: ignore[attr-defined]
    return app


__getattr__ = built_on_demand(build)


if __name__ == "__main__":
    __getattr__("app").run()
