"""The E-utilities client against the local PubMed: identity on every request, POST for long
requests, the rate limit as the server measures it, and retries that back off."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from db.errors import MetasiftError
from screening.harvest.client import EntrezError, EUtilsClient, RateLimiter, RetryPolicy
from screening.harvest.credentials import Credentials, load_credentials
from screening.importers.pubmed_xml import parse_articles
from tests.entrez_answers import RETSTART_ERROR
from tests.entrez_corpus import SCIENCE, phthalate_query, synthetic_corpus
from tests.harvest_support import EMAIL, KEY, Sleeps, client_for, entrez_env, pubmed, serve

__all__ = ["entrez_env", "pubmed"]  # fixtures


def test_search_reads_count_ids_translation_and_history(pubmed) -> None:
    result = client_for(pubmed).esearch(SCIENCE, retmax=100)
    assert result.count == 6
    assert result.ids[:3] == ["19008416", "18927361", "18787170"]
    assert result.translation.startswith('("science"[Journal] OR "science 1979"[Journal])')
    assert ("breast cancer", result.translations[1][1]) == result.translations[1]
    assert result.webenv.startswith("MCID_") and result.query_key == "1"


def test_phrases_not_found_come_back_as_errorlist(pubmed) -> None:
    result = client_for(pubmed).esearch(phthalate_query(), retmax=500)
    assert result.count == 259 and len(result.ids) == 259
    assert ("PhraseNotFound", "2-ethyl-4-hydroxyhexyl") in result.errors
    none = client_for(pubmed).esearch("abcXYZ")
    assert none.count == 0
    assert none.errors == [("PhraseNotFound", "abcXYZ")]
    assert none.warnings == [("OutputMessage", "No items found.")]


def test_every_request_names_tool_email_and_key(pubmed, tmp_path: Path) -> None:
    client = client_for(pubmed)
    client.esearch(SCIENCE)
    client.efetch_to(tmp_path / "b.xml", ids=["19008416"])
    webenv, key = client.epost(["19008416", "18927361"])
    assert webenv.startswith("MCID_") and key == "1"
    for hit in pubmed.hits:
        assert hit.params["tool"] == "metasift"
        assert hit.params["email"] == EMAIL
        assert hit.params["api_key"] == KEY


def test_long_terms_and_many_ids_are_posted(pubmed, tmp_path: Path) -> None:
    client = client_for(pubmed)
    client.esearch(SCIENCE)
    client.esearch(phthalate_query())  # 853 characters once encoded
    client.efetch_to(tmp_path / "few.xml", ids=["19008416", "18927361"])
    many = [str(p) for p in range(1, 250)] + ["19008416"]
    client.efetch_to(tmp_path / "many.xml", ids=many)
    assert [h.method for h in pubmed.hits] == ["GET", "POST", "GET", "POST"]
    records = parse_articles((tmp_path / "many.xml").read_bytes(), "many.xml")
    assert [r.pmid for r in records] == ["19008416"]


def test_fetch_by_history_saves_the_whole_set(pubmed, tmp_path: Path) -> None:
    client = client_for(pubmed)
    found = client.esearch(SCIENCE, retmax=100)
    client.efetch_to(tmp_path / "set.xml", webenv=found.webenv, query_key=found.query_key)
    records = parse_articles((tmp_path / "set.xml").read_bytes(), "set.xml")
    assert [r.pmid for r in records] == found.ids
    assert records[0].title.startswith("Genomic loss of microRNA-101")
    assert records[0].doi == "10.1126/science.1165395"


# -- retries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "options"),
    [
        ("429", {"retry_after": 7}),
        ("500", {}),
        ("drop", {}),
        ("truncate", {}),
        ("error200", {}),
        ("slow", {"delay": 2.5}),  # past the client's 2 s read timeout
    ],
)
def test_efetch_faults_are_retried_until_the_batch_is_whole(
    pubmed, tmp_path: Path, fault: str, options: dict
) -> None:
    sleeps = Sleeps()
    client = client_for(pubmed, sleeps=sleeps)
    pubmed.inject(fault, endpoint="efetch", **options)
    client.efetch_to(tmp_path / "b.xml", ids=["19008416", "21813367"])
    records = parse_articles((tmp_path / "b.xml").read_bytes(), "b.xml")
    assert sorted(r.pmid for r in records) == ["19008416", "21813367"]
    assert client.counts["efetch"] == 2 and client.retries == 1
    assert [h.fault for h in pubmed.hits] == ([fault, None] if fault != "slow" else [None, None])
    assert len(sleeps) == 1
    assert sleeps[0] >= options.get("retry_after", 0.5)  # Retry-After wins over a shorter backoff
    assert not list(tmp_path.glob("*.part"))


def test_search_faults_are_retried_too(pubmed) -> None:
    client = client_for(pubmed)
    for fault in ("error200", "truncate", "500"):
        pubmed.inject(fault, endpoint="esearch")
    assert client.esearch(SCIENCE).count == 6
    assert client.counts["esearch"] == 4


def test_backoff_doubles_with_jitter_then_gives_up_with_the_last_answer(pubmed) -> None:
    sleeps = Sleeps()
    retry = RetryPolicy(tries=5, base=1.0, sleep=sleeps, random=iter([0.0, 1.0, 0.5, 0.0]).__next__)
    client = EUtilsClient(pubmed.url, Credentials(KEY, EMAIL), retry=retry)
    pubmed.inject("500", endpoint="esearch", times=10)
    with pytest.raises(EntrezError) as error:
        client.esearch(SCIENCE)
    assert sleeps == [0.5, 2.0, 3.0, 4.0]  # base * 2**n, times 0.5 to 1.0
    message = str(error.value)
    assert "failed 5 times" in message and "NCBI/eutils202 - WWW Error 500" in message
    assert "run the same command again" in message.lower()


def test_a_refused_request_is_not_retried_and_the_key_is_not_shown(pubmed) -> None:
    client = client_for(pubmed)
    client.base_url = pubmed.url.replace("/eutils/", "/nothing/")
    with pytest.raises(EntrezError, match="HTTP 404"):
        client._call("nothing", {})  # a 404 is not worth another try
    assert client.counts["nothing"] == 1


def test_connection_errors_never_show_the_api_key(entrez_env) -> None:
    closed = "http://127.0.0.1:9/entrez/eutils/"  # nothing listens on port 9
    retry = RetryPolicy(tries=2, sleep=Sleeps())
    client = EUtilsClient(closed, Credentials(KEY, EMAIL), retry=retry, timeout=(0.5, 0.5))
    with pytest.raises(EntrezError) as error:
        client.esearch(SCIENCE)
    message = str(error.value)
    assert "ConnectionError from 127.0.0.1:9: [Errno 111] Connection refused" in message
    assert KEY not in message


# -- the rate limit, as the server saw it ------------------------------------------------------


def test_without_a_key_the_server_never_sees_more_than_3_a_second(pubmed) -> None:
    client = client_for(pubmed, key=None)
    limiter = RateLimiter()
    client.limiter = limiter
    start = time.monotonic()
    for _ in range(7):
        client.esearch(SCIENCE)
    assert time.monotonic() - start >= 2.0
    assert pubmed.max_per_second() == 3
    assert pubmed.count("esearch", status=429) == 0


def test_with_a_key_threads_share_10_a_second(pubmed) -> None:
    limiter = RateLimiter()  # as the process-wide one: shared by every client and thread
    clients = [client_for(pubmed) for _ in range(3)]
    for client in clients:
        client.limiter = limiter

    def work(client: EUtilsClient) -> None:
        for _ in range(8):
            client.esearch(SCIENCE)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(pubmed.hits) == 24
    # never above the key's 10 a second; at or near it unless the machine is busy (the exact
    # peak depends on scheduling, so a loaded CI machine may see a few fewer)
    assert 5 <= pubmed.max_per_second(KEY) <= 10
    assert pubmed.count("esearch", status=429) == 0


def test_the_server_answers_a_burst_with_ncbi_429(pubmed) -> None:
    answers = [requests.get(pubmed.url + "esearch.fcgi", params={"term": "x"}) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3].json() == {
        "error": "API rate limit exceeded",
        "api-key": "127.0.0.1",
        "count": "4",
        "limit": "3",
    }
    assert answers[0].headers["X-RateLimit-Limit"] == "3"


def test_the_server_keeps_pubmeds_9999_cap() -> None:
    with serve(synthetic_corpus(10_050, small=True)) as server:
        url = server.url + "esearch.fcgi"
        cut = requests.get(url, params={"term": "synthetic", "retmax": 20_000, "api_key": "k"})
        assert cut.text.count("<Id>") == 9_999
        assert "Restrictions achieved. start and count adjusted to 0, 9999" in cut.text
        past = requests.get(url, params={"term": "synthetic", "retstart": 9_999, "api_key": "k"})
        assert past.status_code == 200
        assert f"<ERROR>{RETSTART_ERROR}</ERROR>" in past.text


# -- credentials ---------------------------------------------------------------------------------


def test_credentials_come_from_env_over_the_users_config(tmp_path: Path) -> None:
    config = tmp_path / "xdg" / "metasift" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[ncbi]\napi_key = "from-file"\nemail = "file@example.org"\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert load_credentials(env) == Credentials("from-file", "file@example.org")
    env["NCBI_API_KEY"] = "from-env"
    assert load_credentials(env) == Credentials("from-env", "file@example.org")
    assert "from-env" not in repr(load_credentials(env))
    home = {"HOME": str(tmp_path / "home")}
    assert load_credentials(home) == Credentials(None, None)


def test_a_broken_config_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "metasift" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[ncbi\napi_key = 1")
    with pytest.raises(MetasiftError, match="config.toml: cannot read this config file"):
        load_credentials({"XDG_CONFIG_HOME": str(tmp_path)})
