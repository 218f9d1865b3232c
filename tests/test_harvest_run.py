"""Harvests into a review against the local PubMed: complete, exactly once, resumable, and
honest about any shortfall."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.harvests import harvest_status
from screening.harvest.client import EntrezError
from screening.harvest.harvest import HarvestSpec, QueryRejected, harvest, read_pmid_list
from tests.entrez_corpus import (
    SCIENCE,
    Query,
    Record,
    phthalate_query,
    recorded_corpus,
    synthetic_corpus,
)
from tests.entrez_server import EntrezServer
from tests.harvest_support import KEY, client_for, entrez_env, serve

__all__ = ["entrez_env"]
TODAY = date(2025, 6, 30)


def served(server: EntrezServer) -> Counter[str]:
    """How many times each PMID went out in a complete efetch response."""
    return Counter(p for h in server.hits if h.endpoint == "efetch" for p in h.pmids)


def fail_from_second_fetch(server: EntrezServer, times: int):
    """An on_request hook: from the second efetch on, `times` efetch answers are HTTP 500."""

    def hook(hit) -> bool:
        if hit.endpoint == "efetch" and server.count("efetch", status=None) == 2:
            server.inject("500", endpoint="efetch", times=times)
        return True

    return hook


def records(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM records ORDER BY position"))


def test_a_search_lands_every_record_once_with_its_search_log(review_db, entrez_env) -> None:
    with serve() as server:
        outcome = harvest(review_db, client_for(server), HarvestSpec(SCIENCE), today=TODAY)
    assert (outcome.count, outcome.landed, outcome.short) == (6, 6, [])
    assert outcome.requests == {"esearch": 1, "efetch": 1}  # one search lists it all
    rows = records(review_db)
    assert [r["pmid"] for r in rows] == [
        "19008416",
        "18927361",
        "18787170",
        "18487186",
        "18239126",
        "18239125",
    ]
    assert rows[0]["title"].startswith("Genomic loss of microRNA-101 leads to overexpression")
    assert rows[0]["doi"] == "10.1126/science.1165395"
    source = review_db["sources"].get(outcome.source_id)
    assert (source["kind"], source["database"], source["query"]) == ("search", "PubMed", SCIENCE)
    assert source["query_translation"].endswith("AND 2008/01/01:2008/12/31[Date - Publication]")
    assert source["record_count"] == 6
    log = json.loads(source["details"])
    assert log["window"] == {
        "datetype": "edat",
        "from": "1000/01/01",
        "to": "2025/06/30",  # the open end, fixed at the day of the first run
        "given_from": None,
        "given_to": None,
    }
    assert log["count"] == 6 and log["landed"] == 6 and log["complete"] is True
    assert log["requests"] == {"esearch": 1, "efetch": 1}
    assert log["translations"][0] == [
        "science[journal]",
        '"Science"[Journal:__jid0404511] OR "Science (1979)"[Journal:__jid8000640]',
    ]
    batch = review_db["harvest_batches"].get((1, 1))
    assert batch["via"] == "history"  # the whole set came from the History server


def test_above_the_cap_dates_split_and_every_record_lands_once(review_db, entrez_env) -> None:
    corpus = synthetic_corpus(400, small=True)
    with serve(corpus, cap=50) as server:
        client = client_for(server)
        outcome = harvest(
            review_db, client, HarvestSpec("synthetic"), today=TODAY, batch_size=60, cap=50
        )
        assert server.max_per_second(KEY) <= 10
        assert server.count("esearch", status=429) == 0
    assert outcome.landed == outcome.count == 400 and outcome.short == []
    pmids = [r["pmid"] for r in records(review_db)]
    assert len(pmids) == len(set(pmids)) == 400 and set(pmids) == set(corpus.records)
    windows = list(review_db["harvest_windows"].rows)
    assert len(windows) >= 8 and all(w["count"] <= 50 for w in windows)
    assert windows[0]["label"].endswith("-2025/06/30")
    assert set(served(server).values()) == {1}
    assert outcome.requests["efetch"] == 7  # ceil(400 / 60)


@pytest.mark.parametrize("seed", [3, 11])
def test_a_harvest_stopped_at_a_random_batch_resumes_losing_and_refetching_nothing(
    review_db, entrez_env, seed: int
) -> None:
    corpus = synthetic_corpus(300, small=True, seed=seed)
    stop_after = random.Random(seed).randrange(1, 5)  # of 5 batches

    def crash(phase: str, done: int, total: int) -> None:
        if phase == "fetch" and done == 60 * stop_after:
            raise KeyboardInterrupt

    spec = HarvestSpec("synthetic")
    with serve(corpus, cap=80) as server:
        with pytest.raises(KeyboardInterrupt):
            harvest(review_db, client_for(server), spec, today=TODAY, batch_size=60, cap=80,
                    progress=crash)  # fmt: skip
        assert review_db["records"].count == 60 * stop_after
        status = harvest_status(review_db)[1]
        assert (status["state"], status["count"], status["landed"]) == (
            "fetching",
            300,
            60 * stop_after,
        )
        searches = server.count("esearch")
        later = TODAY + timedelta(days=40)  # a rerun another day fetches the same set
        outcome = harvest(review_db, client_for(server), spec, today=later, batch_size=60, cap=80)
        assert server.count("esearch") == searches  # the plan was kept, not searched again
    assert outcome.resumed and outcome.landed == 300 and outcome.short == []
    assert harvest_status(review_db)[1]["state"] == "done"
    pmids = [r["pmid"] for r in records(review_db)]
    assert sorted(pmids) == sorted(corpus.records)
    assert set(served(server).values()) == {1}  # no batch fetched twice
    positions = [r["position"] for r in records(review_db)]
    assert positions == list(range(1, 301))
    log = json.loads(review_db["sources"].get(outcome.source_id)["details"])
    assert len(log["runs"]) == 2 and log["window"]["to"] == "2025/06/30"


def test_a_resume_fetches_the_set_fixed_at_the_first_run(review_db, entrez_env) -> None:
    corpus = synthetic_corpus(120, small=True, last=date(2024, 5, 1))

    def crash(phase: str, done: int, total: int) -> None:
        if phase == "fetch":
            raise KeyboardInterrupt

    with serve(corpus) as server:
        with pytest.raises(KeyboardInterrupt):
            harvest(review_db, client_for(server), HarvestSpec("synthetic"),
                    today=date(2024, 6, 1), batch_size=50, progress=crash)  # fmt: skip
        newer = Record("59999999", corpus.records["50000000"].template, *[date(2024, 6, 20)] * 3)
        corpus.add(newer)  # PubMed grew since
        corpus.queries["synthetic"].pmids.append(newer.pmid)
        outcome = harvest(
            review_db, client_for(server), HarvestSpec("synthetic"), today=date(2024, 7, 1)
        )
        again = harvest(
            review_db, client_for(server), HarvestSpec("synthetic"), today=date(2024, 7, 2)
        )
    assert outcome.landed == 120 and outcome.window.startswith("1000/01/01-2024/06/01")
    assert "59999999" not in {r["pmid"] for r in records(review_db)}
    assert again.already_done and again.requests == {} and review_db["records"].count == 120


def test_phrases_not_found_are_reported_and_kept_in_the_log(review_db, entrez_env) -> None:
    with serve() as server:
        outcome = harvest(
            review_db, client_for(server), HarvestSpec(phthalate_query()), today=TODAY
        )
    assert outcome.landed == 259 and outcome.short == []
    assert "ErrorList: PhraseNotFound: 2-ethyl-5-oxyhexyl" in outcome.feedback
    assert outcome.translation.startswith("(monomethyl OR MEP OR mono-n-butyl")
    log = json.loads(review_db["sources"].get(outcome.source_id)["details"])
    assert ["PhraseNotFound", "2-ethyl-4-oxyhexyl"] in log["errors"]


def test_a_query_pubmed_cannot_run_is_refused_with_its_feedback(review_db, entrez_env) -> None:
    with serve() as server, pytest.raises(QueryRejected) as rejected:
        harvest(review_db, client_for(server), HarvestSpec("abcXYZ"), today=TODAY)
    message = str(rejected.value)
    assert "PubMed found no records (count 0)" in message
    assert "ErrorList: PhraseNotFound: abcXYZ" in message
    assert "WarningList: OutputMessage: No items found." in message
    assert "Query translation: (abcXYZ[All Fields])" in message
    assert review_db["sources"].count == 0 and review_db["harvests"].count == 0


def test_records_efetch_no_longer_has_are_named_with_their_window(review_db, entrez_env) -> None:
    corpus = recorded_corpus()
    gone = ["18487186", "18239125"]

    def delete_on_fetch(hit) -> bool:
        if hit.endpoint == "efetch":
            for pmid in gone:
                corpus.records.pop(pmid, None)
        return True

    with serve(corpus) as server:
        server.on_request = delete_on_fetch
        outcome = harvest(review_db, client_for(server), HarvestSpec(SCIENCE), today=TODAY)
    assert outcome.landed == 4 and outcome.count == 6
    assert outcome.short == [
        "window 1000/01/01-2025/06/30: 4 of 6 landed; efetch returned no record for 2 PMIDs "
        "(deleted or merged since the search?): 18487186, 18239125"
    ]
    batch = review_db["harvest_batches"].get((1, 1))
    assert json.loads(batch["missing"]) == gone


def test_max_keeps_the_most_recently_published(review_db, entrez_env) -> None:
    corpus = recorded_corpus()
    query = corpus.queries[phthalate_query()]
    newest = sorted(query.pmids, key=lambda p: (corpus.records[p].pdat, int(p)), reverse=True)
    with serve(corpus) as server:
        spec = HarvestSpec(phthalate_query(), max_records=5)
        outcome = harvest(review_db, client_for(server), spec, today=TODAY)
        assert server.hits[0].params["sort"] == "pub_date"
    assert outcome.landed == 5 and outcome.expected == 5 and outcome.short == []
    assert [r["pmid"] for r in records(review_db)] == newest[:5]


def test_a_pmid_list_is_posted_then_fetched(review_db, entrez_env, tmp_path: Path) -> None:
    listing = tmp_path / "pmids.txt"
    listing.write_text("PMID: 21813367\n19008416, 26468569 # a book\n\n99999999\n19008416\n")
    pmids = read_pmid_list(listing)
    assert pmids == ["21813367", "19008416", "26468569", "99999999"]
    with serve() as server:
        spec = HarvestSpec(pmids=tuple(pmids), pmid_file=listing.name)
        outcome = harvest(review_db, client_for(server), spec, today=TODAY)
    assert outcome.requests == {"epost": 1, "efetch": 1}
    assert outcome.landed == 3 and outcome.count == 4
    assert outcome.short == [
        "window PMID list: 3 of 4 landed; efetch returned no record for 1 PMIDs "
        "(not in PubMed?): 99999999"
    ]
    book = next(r for r in records(review_db) if r["pmid"] == "26468569")
    assert book["record_type"] == "book"
    source = review_db["sources"].get(outcome.source_id)
    assert source["file_name"] == "pmids.txt" and source["query"] is None


def test_the_api_key_never_lands_in_the_review_file(review_path: Path, entrez_env) -> None:
    from db.connection import open_review

    db = open_review(review_path)
    with serve() as server:
        server.inject("drop", endpoint="efetch")
        server.inject("500", endpoint="esearch")
        harvest(db, client_for(server), HarvestSpec(SCIENCE), today=TODAY)
        assert all(h.params.get("api_key") == KEY for h in server.hits)
    db.close()
    files = list(review_path.parent.iterdir())
    assert not [f for f in files if f.name.startswith(".review.db-harvest")]  # spool cleaned
    for f in files:
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f.name


def test_a_harvest_that_fails_for_good_resumes_on_the_next_run(review_db, entrez_env) -> None:
    corpus = synthetic_corpus(150, small=True)
    spec = HarvestSpec("synthetic")
    with serve(corpus) as server:
        server.on_request = fail_from_second_fetch(server, times=3)
        with pytest.raises(
            EntrezError, match="PubMed efetch failed 3 times; last answer: HTTP 500"
        ):
            harvest(review_db, client_for(server, tries=3), spec, today=TODAY, batch_size=50)
        assert review_db["records"].count == 50  # the first batch stayed
        assert review_db["harvests"].get(1)["state"] == "fetching"
        server.on_request = None
        outcome = harvest(review_db, client_for(server), spec, today=TODAY, batch_size=50)
    assert outcome.resumed and outcome.landed == 150
    assert set(served(server).values()) == {1}


def test_a_field_pubmed_ignored_refuses_the_query(review_db, entrez_env) -> None:
    """PubMed drops an unknown field tag and searches the words anywhere, with a
    FieldNotFound in ErrorList (pubmed-mcp-server#96): that is not the search written."""
    corpus = recorded_corpus()
    science = corpus.queries[SCIENCE]
    corpus.queries["breast cancer[NoSuchField]"] = Query(
        science.pmids, science.translation, errors=[("FieldNotFound", "NoSuchField")]
    )
    with serve(corpus) as server, pytest.raises(QueryRejected) as rejected:
        harvest(
            review_db, client_for(server), HarvestSpec("breast cancer[NoSuchField]"), today=TODAY
        )
    assert "PubMed did not run this query as written (count 6)" in str(rejected.value)
    assert "ErrorList: FieldNotFound: NoSuchField" in str(rejected.value)
    assert review_db["sources"].count == 0


def test_an_expired_history_set_falls_back_to_pmids(review_db, entrez_env) -> None:
    with serve() as server:
        server.inject("error200", endpoint="efetch", times=2)  # "Cannot retrieve history data"
        outcome = harvest(review_db, client_for(server, tries=2), HarvestSpec(SCIENCE), today=TODAY)
        methods = [(h.endpoint, "WebEnv" in h.params) for h in server.hits]
    assert outcome.landed == 6
    assert methods == [("esearch", False), ("efetch", True), ("efetch", True), ("efetch", False)]
    assert review_db["harvest_batches"].get((1, 1))["via"] == "history+ids"


def test_the_same_harvest_run_twice_at_once_refuses_the_second(review_db, entrez_env) -> None:
    """While one process runs a harvest, the same command elsewhere says so and fetches
    nothing; once that process is gone, the command resumes the harvest."""
    import subprocess
    import sys

    from db.errors import MetasiftError

    corpus = synthetic_corpus(150, small=True)
    spec = HarvestSpec("synthetic")
    with serve(corpus) as server:
        server.on_request = fail_from_second_fetch(server, times=2)
        with pytest.raises(EntrezError):
            harvest(review_db, client_for(server, tries=2), spec, today=TODAY, batch_size=50)
        server.on_request = None
        assert review_db["harvests"].get(1)["running_pid"] is None  # released on the way out
        other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            review_db.execute("UPDATE harvests SET running_pid = ?", [other.pid])
            review_db.conn.commit()
            fetches = server.count("efetch", status=None)
            with pytest.raises(MetasiftError, match=f"already running \\(process {other.pid}\\)"):
                harvest(review_db, client_for(server), spec, today=TODAY, batch_size=50)
            assert server.count("efetch", status=None) == fetches
            (status,) = harvest_status(review_db).values()
            assert status["running_pid"] == other.pid  # `metasift status`: "running now"
        finally:
            other.kill()
            other.wait()
        outcome = harvest(review_db, client_for(server), spec, today=TODAY, batch_size=50)
    assert outcome.resumed and outcome.landed == 150 and review_db["records"].count == 150
    assert set(served(server).values()) == {1}
    assert review_db["harvests"].get(1)["running_pid"] is None


def test_a_batch_is_landed_once_even_if_asked_twice(review_db, entrez_env) -> None:
    from db.harvests import finish_batch

    with serve() as server:
        harvest(review_db, client_for(server), HarvestSpec(SCIENCE), today=TODAY)
    with pytest.raises(RuntimeError, match="batch 1 of harvest 1 is not pending"):
        with review_db.atomic():
            finish_batch(review_db, 1, 1, 6, [], "ids", "now")
