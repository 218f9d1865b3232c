"""Issue 11's harvest defects: a malformed E-utilities reply is named, never a traceback, and
never shows the API key; a PubMed that cannot be reached is said at once, with what to check.

No test reaches the network: `.invalid` names (RFC 6761) are refused by a getaddrinfo that
answers as a resolver must, before any query leaves the machine; the closed port is on
127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from screening.cli import cli
from screening.harvest.client import EntrezError, EUtilsClient, RetryPolicy
from screening.harvest.credentials import Credentials, redact
from screening.harvest.network import classify
from tests.entrez_corpus import SCIENCE
from tests.harvest_support import EMAIL, KEY, Sleeps, client_for, entrez_env, pubmed
from tests.offline import NOWHERE, invalid_names_refused

__all__ = ["entrez_env", "pubmed"]  # fixtures
CLOSED = "http://127.0.0.1:9/entrez/eutils/"  # nothing listens on port 9


@pytest.fixture
def no_dns_for_invalid() -> Iterator[None]:
    with invalid_names_refused():
        yield


# -- malformed replies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (b"<Count>6</Count>", b"<Count>six</Count>", "<Count> is 'six', not a whole number"),
        (b"<Count>6</Count>", b"", "no <Count>"),
        (b"<Count>6</Count>", b"<Count>-6</Count>", "<Count> is '-6', not a whole number"),
        (b"<Count>6</Count>", b"<Count>2</Count>", "lists 6 PMIDs but counts only 2"),
        (b"<Id>19008416</Id>", b"<Id>19008416x</Id>", "<Id> is '19008416x', not a PMID"),
        (b"<QueryKey>1</QueryKey>", b"", "a History set without its <QueryKey>"),
        (b"<QueryKey>1</QueryKey>", b"<QueryKey>one</QueryKey>", "<QueryKey> is 'one'"),
        (b"<eSearchResult>", b"<eSearchResult><eSearchResult>", "broken or truncated XML"),
    ],
)
def test_a_malformed_search_reply_is_retried_then_named(
    pubmed, old: bytes, new: bytes, said: str
) -> None:
    client = client_for(pubmed, tries=3)
    pubmed.inject("malformed", endpoint="esearch", times=3, replace=(old, new))
    with pytest.raises(EntrezError) as error:
        client.esearch(SCIENCE, retmax=100)
    message = str(error.value)
    assert "PubMed esearch failed 3 times; last answer: esearch" in message
    assert said in message and "\n" not in message
    assert client.counts["esearch"] == 3


def test_a_malformed_reply_once_is_retried_and_read_whole(pubmed) -> None:
    client = client_for(pubmed)
    pubmed.inject("malformed", endpoint="esearch", replace=(b"<Count>6", b"<Count>6.0"))
    result = client.esearch(SCIENCE, retmax=100)
    assert result.count == 6 and len(result.ids) == 6
    assert client.counts["esearch"] == 2


def test_an_epost_reply_without_its_history_set_is_named(pubmed) -> None:
    client = client_for(pubmed, tries=2)
    pubmed.inject("malformed", endpoint="epost", times=2, replace=(b"<QueryKey>1</QueryKey>", b""))
    with pytest.raises(EntrezError, match="epost sent a malformed reply: no WebEnv and QueryKey"):
        client.epost(["19008416"])


def test_the_key_echoed_in_a_malformed_field_is_never_shown(pubmed) -> None:
    client = client_for(pubmed, tries=2)
    echoed = b"<Count>" + KEY.encode() + b"</Count>"
    pubmed.inject("malformed", endpoint="esearch", times=2, replace=(b"<Count>6</Count>", echoed))
    with pytest.raises(EntrezError) as error:
        client.esearch(SCIENCE)
    assert KEY not in str(error.value) and "<Count> is '***'" in str(error.value)


def test_the_key_echoed_in_an_error_or_translation_is_never_kept(pubmed) -> None:
    client = client_for(pubmed)
    pubmed.inject(
        "malformed",
        endpoint="esearch",
        replace=(b"<QueryTranslation>", b"<QueryTranslation>" + KEY.encode()),
    )
    result = client.esearch(SCIENCE)
    assert result.translation is not None and result.translation.startswith("***")


def test_redact_hides_the_key_as_a_url_would_carry_it_too() -> None:
    key = "a/b+c d"
    text = f"key={key} url=?api_key=a%2Fb%2Bc+d path=a%2Fb%2Bc%20d"
    assert redact(text, key) == "key=*** url=?api_key=*** path=***"
    assert redact(text, None) == text


def test_an_unexpected_failure_is_one_line_without_the_key(pubmed) -> None:
    def unreadable(root: Any) -> None:
        raise ValueError(f"cannot use {KEY}")

    with pytest.raises(EntrezError) as error:
        client_for(pubmed)._call("esearch", {"term": SCIENCE}, read=unreadable)
    assert str(error.value) == "PubMed's answer could not be read (ValueError: cannot use ***)"


# -- PubMed out of reach -------------------------------------------------------------------------


def _offline_client(url: str, sleeps: Sleeps) -> EUtilsClient:
    retry = RetryPolicy(tries=6, sleep=sleeps)
    return EUtilsClient(url, Credentials(KEY, EMAIL), retry=retry, timeout=(0.5, 0.5))


def test_a_name_that_does_not_resolve_is_said_at_once(entrez_env, no_dns_for_invalid) -> None:
    sleeps = Sleeps()
    client = _offline_client(NOWHERE, sleeps)
    with pytest.raises(EntrezError) as error:
        client.esearch(SCIENCE)
    message = str(error.value)
    assert message.startswith(
        "cannot reach PubMed at pubmed.invalid: the name pubmed.invalid does not resolve "
        "([Errno -2] Name or service not known). Check the network connection, any proxy "
        "(HTTPS_PROXY, HTTP_PROXY) and the base URL (http://pubmed.invalid/entrez/eutils/, "
        "set by METASIFT_EUTILS_URL)."
    )
    assert client.counts["esearch"] == 1 and sleeps == []  # no retry
    assert KEY not in message


def test_a_refused_connection_gets_one_short_retry(entrez_env) -> None:
    sleeps = Sleeps()
    client = _offline_client(CLOSED, sleeps)
    with pytest.raises(EntrezError, match=r"^cannot reach PubMed at 127\.0\.0\.1:9: \[Errno 111\]"):
        client.esearch(SCIENCE)
    assert client.counts["esearch"] == 2 and len(sleeps) == 1 and sleeps[0] <= 1.0


def test_a_dry_run_offline_says_so_at_once_and_never_says_resume(
    entrez_env, no_dns_for_invalid, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METASIFT_EUTILS_URL", NOWHERE)
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)
    result = CliRunner().invoke(cli, ["search", "pubmed", "x", "--dry-run"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot reach PubMed at pubmed.invalid: the name")
    assert result.stderr.count("\n") == 1  # one line
    assert "resume" not in result.stderr and KEY not in result.output


def test_a_harvest_offline_says_so_and_how_to_resume(
    entrez_env, review_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METASIFT_EUTILS_URL", CLOSED)
    result = CliRunner().invoke(cli, ["search", "pubmed", "x", "--review", str(review_path)])
    assert result.exit_code == 1
    said = result.stderr.splitlines()[-1]  # after the note asking for an email
    assert said.startswith("Error: cannot reach PubMed at 127.0.0.1:9:")
    assert said.endswith("Run the same command again later to resume.")


def test_a_dry_run_that_gives_up_never_says_resume(pubmed, monkeypatch) -> None:
    client = client_for(pubmed, tries=2)
    client.resume_hint = ""  # as the CLI sets it for --dry-run
    pubmed.inject("500", endpoint="esearch", times=2)
    with pytest.raises(EntrezError) as error:
        client.esearch(SCIENCE)
    assert str(error.value).endswith("WWW Error 500 Diagnostic).")


# -- a review that cannot take the records -------------------------------------------------------


@pytest.mark.parametrize(
    ("refusal", "said"),
    [
        ("database or disk is full", "is full; every batch landed so far is kept"),
        ("attempt to write a readonly database", "is read-only (its file or its disk)"),
    ],
)
def test_a_harvest_the_review_cannot_take_is_one_line(
    pubmed, review_path, monkeypatch: pytest.MonkeyPatch, refusal: str, said: str
) -> None:
    import sqlite3

    from screening.harvest import fetching

    def refuse(*args: object) -> None:
        raise sqlite3.OperationalError(refusal)

    monkeypatch.setattr(fetching, "_land", refuse)
    result = CliRunner().invoke(cli, ["search", "pubmed", SCIENCE, "--review", str(review_path)])
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1]
    assert error.startswith("Error: ") and said in error
    assert error.endswith("run the same command again to resume.")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (requests.exceptions.ConnectTimeout("Connect timed out"), "unreachable"),
        (requests.exceptions.ProxyError("Unable to connect to proxy"), "unreachable"),
        (requests.exceptions.ReadTimeout("Read timed out. (read timeout=2.0)"), "transient"),
        (requests.exceptions.ConnectionError("Connection aborted."), "transient"),
        (requests.exceptions.ChunkedEncodingError("Connection broken"), "transient"),
    ],
)
def test_what_a_failed_connection_means(error: requests.RequestException, kind: str) -> None:
    assert classify(error).kind == kind
