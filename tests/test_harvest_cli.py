"""`metasift search pubmed` as a user meets it: messages, exit codes, --dry-run, and a harvest
killed outright (SIGKILL) at a random batch and run again."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import cli
from tests.entrez_corpus import SCIENCE, phthalate_query, synthetic_corpus
from tests.harvest_support import EMAIL, KEY, entrez_env, pubmed, serve

__all__ = ["entrez_env", "pubmed"]
ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)


def test_dry_run_prints_count_window_and_translation_only(pubmed, keyed) -> None:
    result = invoke("search", "pubmed", SCIENCE, "--dry-run", "--from", "2008", "--to", "2008")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Count: 6"
    assert lines[1] == "Window: 2008/01/01-2008/12/31 by entry date (edat)"
    assert lines[2].startswith('Translation: ("science"[Journal] OR "science 1979"[Journal])')
    assert [h.endpoint for h in pubmed.hits] == ["esearch"]
    assert pubmed.hits[0].params["retmax"] == "0"


def test_dry_run_shows_phrases_not_found(pubmed, keyed) -> None:
    result = invoke("search", "pubmed", phthalate_query(), "--dry-run")
    assert result.exit_code == 0
    assert "Count: 259" in result.stdout
    assert "ErrorList: PhraseNotFound: 2-ethyl-4-hydroxyhexyl" in result.stdout


def test_a_rejected_query_exits_1_with_errorlist_and_translation(
    pubmed, keyed, review_path
) -> None:
    result = invoke("search", "pubmed", "abcXYZ", "--review", review_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: PubMed found no records (count 0):")
    assert "ErrorList: PhraseNotFound: abcXYZ" in result.stderr
    assert "Query translation: (abcXYZ[All Fields])" in result.stderr
    assert result.stdout == ""


def test_a_harvest_reports_what_landed_and_status_lists_it(pubmed, keyed, review_path) -> None:
    result = invoke("search", "pubmed", phthalate_query(), "--review", review_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("PubMed: 259 records landed of 259 counted, source #1\n")
    assert "  requests: 1 efetch, 1 esearch" in result.stdout
    assert "Warning: ErrorList: PhraseNotFound: 2-ethyl-5-oxyhexyl" in result.stderr
    status = json.loads(invoke("status", "--review", review_path, "--json").stdout)
    assert status["sources"][0]["query"] == phthalate_query()
    assert status["sources"][0]["records"] == 259
    again = invoke("search", "pubmed", phthalate_query(), "--review", review_path)
    assert again.exit_code == 0
    assert again.stdout.startswith("Already harvested as source #1: 259 records; nothing fetched.")
    assert pubmed.count("efetch") == 1


def test_a_pmid_list_harvest(pubmed, keyed, review_path, tmp_path: Path) -> None:
    listing = tmp_path / "included.txt"
    listing.write_text("19008416\n21813367\n")
    result = invoke("search", "pubmed", "--pmids", listing, "--review", review_path)
    assert result.exit_code == 0, result.output
    assert "PubMed: 2 records landed of 2 PMIDs listed" in result.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "give a QUERY or --pmids FILE"),
        (("x", "--pmids", "pmids.txt"), "give a QUERY or --pmids FILE"),
        (("--pmids", "pmids.txt", "--from", "2020"), "--from, --to and --max apply to a QUERY"),
        (("x", "--datetype", "crdt"), "Invalid value for '--datetype'"),
    ],
)
def test_usage_errors_exit_2(pubmed, tmp_path: Path, monkeypatch, args, said) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pmids.txt").write_text("1\n")
    result = invoke("search", "pubmed", *args)
    assert result.exit_code == 2 and said in result.stderr


def test_bad_input_exits_1_naming_what_is_wrong(pubmed, keyed, review_path, tmp_path) -> None:
    result = invoke("search", "pubmed", SCIENCE, "--from", "2008/14", "--review", review_path)
    assert result.exit_code == 1 and "'2008/14' is not a date" in result.stderr
    listing = tmp_path / "pmids.txt"
    listing.write_text("19008416\n1900841x\n")
    result = invoke("search", "pubmed", "--pmids", listing, "--review", review_path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {listing}: line 2: '1900841x' is not a PMID\n"


def test_without_an_email_ncbi_is_asked_for_one(pubmed) -> None:
    result = invoke("search", "pubmed", SCIENCE, "--dry-run")
    assert result.exit_code == 0
    assert result.stderr.startswith("Note: NCBI asks for an email with every request")
    assert "api_key" not in pubmed.hits[0].params  # no key: 3 requests/s


def test_killed_at_a_random_batch_then_rerun_loses_nothing(
    entrez_env, review_path, monkeypatch
) -> None:
    corpus = synthetic_corpus(300, small=True, seed=7)
    kill_at = random.Random(7).randrange(2, 6)  # of 6 efetch requests
    env = {
        **os.environ,
        "NCBI_API_KEY": KEY,
        "NCBI_EMAIL": EMAIL,
        "PYTHONPATH": str(ROOT),
    }
    command = ["search", "pubmed", "synthetic", "--review", review_path, "--batch-size", "50"]
    with serve(corpus) as server:
        env["METASIFT_EUTILS_URL"] = server.url
        run = subprocess.Popen(
            [sys.executable, "-c", "from screening.cli import main; main()", *map(str, command)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        fetches = 0

        def kill(hit) -> bool:
            nonlocal fetches
            if hit.endpoint == "efetch":
                fetches += 1
                if fetches == kill_at:
                    os.kill(run.pid, signal.SIGKILL)
                    return False  # the request dies with the process
            return True

        server.on_request = kill
        assert run.wait(timeout=60) == -signal.SIGKILL
        server.on_request = None
        assert _landed(review_path) < 300
        server.pass_time()  # a person reruns seconds later: the killed run's second is over
        for name, value in (("NCBI_API_KEY", KEY), ("NCBI_EMAIL", EMAIL)):
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("METASIFT_EUTILS_URL", server.url)
        result = invoke(*command)
        assert server.max_per_second(KEY) <= 10
    assert result.exit_code == 0, result.output
    assert "PubMed: 300 records landed of 300 counted, source #1 (resumed)" in result.stdout
    assert sorted(_pmids(review_path)) == sorted(corpus.records)
    served = Counter(p for h in server.hits if h.endpoint == "efetch" for p in h.pmids)
    assert set(served.values()) == {1} and sum(served.values()) == 300  # no batch twice
    assert server.count("efetch", status=None) == 7  # 6 batches and the one killed in flight
    assert _raw_counts(review_path) == (300, 0)  # no raw text of the killed run left over


def _pmids(review_path: Path) -> list[str]:
    from db.connection import open_review

    db = open_review(review_path)
    try:
        return [row["pmid"] for row in db.query("SELECT pmid FROM records")]
    finally:
        db.close()


def _raw_counts(review_path: Path) -> tuple[int, int]:
    """Raw texts kept, and those still listed as in flight."""
    import sqlite3

    with sqlite3.connect(review_path) as db:
        return (
            db.execute("SELECT count(*) FROM record_raw").fetchone()[0],
            db.execute("SELECT count(*) FROM raw_in_flight").fetchone()[0],
        )


def _landed(review_path: Path) -> int:
    return len(_pmids(review_path))
