"""Fixtures and helpers shared by the harvest tests: a local PubMed per test, an environment
that points metasift at it (never at NCBI), and clients that do not really sleep on backoff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.harvest.client import EUtilsClient, RetryPolicy
from screening.harvest.credentials import Credentials
from tests.entrez_corpus import Corpus, recorded_corpus
from tests.entrez_server import EntrezServer

KEY = "SECRET-KEY-0123456789abcdef0123456789"
EMAIL = "tests@example.org"


class Sleeps(list[float]):
    """A sleep() that records how long it was asked to wait, and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def entrez_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No real config file, no real key, and no way to reach NCBI by accident."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.delenv("NCBI_EMAIL", raising=False)
    monkeypatch.setenv("METASIFT_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")


def serve(corpus: Corpus | None = None, **options: object) -> EntrezServer:
    return EntrezServer(corpus or recorded_corpus(), **options)  # type: ignore[arg-type]


@pytest.fixture
def pubmed(entrez_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[EntrezServer]:
    """The recorded PubMed, with METASIFT_EUTILS_URL pointing at it."""
    with serve() as server:
        monkeypatch.setenv("METASIFT_EUTILS_URL", server.url)
        yield server


def client_for(
    server: EntrezServer, key: str | None = KEY, sleeps: Sleeps | None = None, tries: int = 6
) -> EUtilsClient:
    """A client of server whose backoff is recorded rather than slept."""
    retry = RetryPolicy(tries=tries, sleep=sleeps if sleeps is not None else Sleeps())
    return EUtilsClient(server.url, Credentials(key, EMAIL), retry=retry, timeout=(2.0, 2.0))
