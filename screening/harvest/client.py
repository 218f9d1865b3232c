"""An NCBI E-utilities client for PubMed: one requests.Session, polite and persistent.

- `tool` and `email` go with every request, and the user's `api_key` when they have one;
- one rate limiter for the whole process: 3 requests/s, or 10/s with a key (NBK25497);
- every request is retried with exponential backoff and jitter (honouring Retry-After) on 429,
  5xx, dropped connections, read timeouts, truncated XML, an <ERROR> inside a 200 body, which
  E-utilities uses for failures (see ../shared/reference/entrez-and-formats.md), and a reply
  whose fields are not what the DTD says (replies.py); a PubMed that cannot be reached is said
  at once: a name that does not resolve is not retried, a refused connection once (network.py);
- POST once the ids or the term make a long URL (NCBI asks for it above ~200 ids);
- the API key is never logged: every message is redacted, and so is every reply before it is read.

The small replies (esearch, epost) are read with lxml, not Bio.Entrez.read. Both read the same
values from every recorded reply in tests/fixtures/entrez (11 esearch with their ErrorList,
WarningList, QueryTranslation and TranslationSet; 3 epost) and both stop at an <ERROR> in a
200 body and at truncated XML. lxml stays because (benchmarks/library_readers.py) Bio.Entrez
took 4-8x longer per reply (0.07-0.68 ms against 0.01-0.16 ms; 16.9 ms against 2.4 ms for
9,999 PMIDs); it has no switch to stay offline: a reply naming a DTD it does not bundle makes
it download the DTD from NCBI and keep it in ~/.config/biopython, a folder its first read
creates; and its dictionaries map to SearchResult in as many lines as the lxml reading, while
lxml stays for efetch anyway.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from db.errors import MetasiftError
from screening.harvest.credentials import Credentials, load_credentials, redact
from screening.harvest.network import UNREACHABLE_TRIES, classify, unreachable_message
from screening.harvest.replies import (
    Retryable,
    SearchResult,
    efetch_problem,
    parse_reply,
    read_post,
    read_search,
)

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "metasift"
MAX_FETCH = 10_000  # NCBI's largest efetch/epost batch
POST_IDS = 200  # NCBI: "if more than about 200 UIDs are to be provided", POST
POST_CHARS = 600  # NCBI: POST a term of "more than several hundred characters"


class EntrezError(MetasiftError):
    """E-utilities failed for good: retries used up, or an answer no retry will change."""


class RateLimiter:
    """Spaces request starts at least 1/rate apart, across every thread that shares it.

    `slack` widens the gap a little so a few milliseconds of scheduling jitter can never put
    rate+1 requests inside one second at the server.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        slack: float = 0.02,
    ) -> None:
        self.clock, self.sleep, self.slack = clock, sleep, slack
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, rate: float) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + (1.0 + self.slack) / rate
        if start > now:
            self.sleep(start - now)


# NCBI counts requests per IP (or per key), so every client in the process shares one limiter.
RATE_LIMITER = RateLimiter()


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter: try n waits base * 2**n, scaled by 0.5-1.0, capped."""

    tries: int = 6
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.cap, self.base * 2**attempt) * (0.5 + 0.5 * self.random())
        return max(backoff, retry_after or 0.0)


class EUtilsClient:
    """E-utilities for db=pubmed. `counts` tallies HTTP requests per endpoint, retries included."""

    def __init__(
        self,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        *,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (10.0, 120.0),
        session: requests.Session | None = None,
    ) -> None:
        url = base_url or os.environ.get("METASIFT_EUTILS_URL") or DEFAULT_BASE_URL
        if not url.startswith(("http://", "https://")):
            raise EntrezError(
                f"METASIFT_EUTILS_URL must be an http:// or https:// address, not {url!r}"
            )
        self.base_url = url if url.endswith("/") else url + "/"
        self.credentials = credentials if credentials is not None else load_credentials()
        self.limiter = limiter or RATE_LIMITER
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = TOOL
        self.counts: Counter[str] = Counter()
        self.retries = 0
        self.last_response_at: float | None = None  # time.perf_counter() of the last answer
        self.waited = 0.0  # seconds spent waiting for the rate limit or a backoff
        self.busy = 0.0  # seconds spent in requests, from sending to the last byte
        # what a message that gives up adds; a dry run, which has nothing to resume, clears it
        self.resume_hint = "Run the same command again later to resume."

    @property
    def rate(self) -> int:
        return 10 if self.credentials.api_key else 3

    @property
    def requests_made(self) -> int:
        return sum(self.counts.values())

    def close(self) -> None:
        self.session.close()

    # -- the utilities --------------------------------------------------------------------

    def esearch(
        self,
        term: str,
        *,
        retmax: int = 0,
        datetype: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        sort: str | None = None,
        usehistory: bool = True,
    ) -> SearchResult:
        params: dict[str, Any] = {"term": term, "retmax": retmax}
        if usehistory:
            params["usehistory"] = "y"
        if mindate and maxdate:
            params.update(datetype=datetype or "edat", mindate=mindate, maxdate=maxdate)
        if sort:
            params["sort"] = sort
        result: SearchResult = self._call("esearch", params, read=read_search)
        return result

    def epost(self, ids: Sequence[str]) -> tuple[str, str]:
        """Store ids on the History server; (WebEnv, query_key)."""
        history: tuple[str, str] = self._call("epost", {}, ids=ids, force_post=True, read=read_post)
        return history

    def efetch_to(
        self,
        dest: Path,
        *,
        ids: Sequence[str] | None = None,
        webenv: str | None = None,
        query_key: str | None = None,
        retstart: int = 0,
        retmax: int | None = None,
    ) -> None:
        """Write a PubmedArticleSet to dest: by ids, or a slice of a History set."""
        params: dict[str, Any] = {"retmode": "xml"}
        if webenv:
            params.update(WebEnv=webenv, query_key=query_key, retstart=retstart)
            params["retmax"] = retmax if retmax is not None else MAX_FETCH
        self._call("efetch", params, ids=ids, dest=dest)

    # -- one request, retried -------------------------------------------------------------

    def _call(
        self,
        endpoint: str,
        params: dict[str, Any],
        *,
        ids: Sequence[str] | None = None,
        dest: Path | None = None,
        force_post: bool = False,
        read: Callable[[Any], Any] = lambda root: root,
    ) -> Any:
        data = {"db": "pubmed", **params}
        if ids is not None:
            data["id"] = ",".join(ids)
        post = force_post or len(ids or ()) >= POST_IDS or len(urlencode(data)) > POST_CHARS
        data.update(self._identity())
        last: Retryable | None = None
        unreachable = 0  # refused or timed-out connections in a row
        for attempt in range(self.retry.tries):
            sent = self._wait_turn(attempt, last)
            self.counts[endpoint] += 1
            try:
                answer = self._attempt(endpoint, data, post, dest, read)
                self.last_response_at = time.perf_counter()
                self.busy += self.last_response_at - sent
                return answer
            except Retryable as e:
                last, unreachable = Retryable(self._redact(str(e)), e.retry_after), 0
            except requests.RequestException as e:
                unreachable = self._network_failure(e, unreachable)
                last = Retryable(self._redact(classify(e).summary(e, self.base_url)))
            except Exception as e:  # anything else, so every message goes out redacted
                raise self._failure(e, dest) from None
        raise EntrezError(
            self._with_hint(
                f"PubMed {endpoint} failed {self.retry.tries} times; last answer: "
                f"{str(last).rstrip('.')}."
            )
        )

    def _network_failure(self, error: requests.RequestException, unreachable: int) -> int:
        """Raise at once when PubMed cannot be reached; else the unreachable tries so far."""
        failure = classify(error)
        if failure.kind == "transient":
            return 0
        unreachable += 1
        if failure.kind == "dns" or unreachable >= UNREACHABLE_TRIES:
            key = self.credentials.api_key
            raise EntrezError(self._with_hint(unreachable_message(failure, self.base_url, key)))
        return unreachable

    def _failure(self, error: Exception, dest: Path | None) -> EntrezError:
        """A failure no retry will change, as one redacted line."""
        if isinstance(error, EntrezError):
            return EntrezError(self._redact(str(error)))
        if isinstance(error, OSError):  # not a RequestException: a full disk, say
            return EntrezError(self._redact(f"cannot save PubMed's answer to {dest}: {error}"))
        text = f"PubMed's answer could not be read ({type(error).__name__}: {error})"
        return EntrezError(self._redact(text))

    def _with_hint(self, text: str) -> str:
        return f"{text} {self.resume_hint}" if self.resume_hint else text

    def _wait_turn(self, attempt: int, last: Retryable | None) -> float:
        """Back off before a retry, then wait for the rate limit; the time it is our turn."""
        start = time.perf_counter()
        if attempt:
            self.retries += 1
            self.retry.sleep(self.retry.delay(attempt - 1, last.retry_after if last else None))
        self.limiter.wait(self.rate)
        sent = time.perf_counter()
        self.waited += sent - start
        return sent

    def _identity(self) -> dict[str, str]:
        out = {"tool": TOOL}
        if self.credentials.email:
            out["email"] = self.credentials.email
        if self.credentials.api_key:
            out["api_key"] = self.credentials.api_key
        return out

    def _attempt(
        self,
        endpoint: str,
        data: dict[str, Any],
        post: bool,
        dest: Path | None,
        read: Callable[[Any], Any],
    ) -> Any:
        url = f"{self.base_url}{endpoint}.fcgi"
        kw: dict[str, Any] = {"data": data} if post else {"params": data}
        with self.session.request(
            "POST" if post else "GET", url, timeout=self.timeout, stream=True, **kw
        ) as resp:
            _check_status(resp, endpoint)
            if dest is None:
                # a reply that echoes the key (a translation, an error) must not carry it further
                body, key = resp.content, self.credentials.api_key
                body = body.replace(key.encode(), b"***") if key else body
                return read(parse_reply(body, endpoint))
            _download(resp, dest)
        return None

    def _redact(self, text: str) -> str:
        return redact(text, self.credentials.api_key)


def _check_status(resp: requests.Response, endpoint: str) -> None:
    if resp.status_code == 200:
        return
    what = f"HTTP {resp.status_code} from {endpoint}"
    if resp.status_code == 429 or resp.status_code >= 500:
        raise Retryable(f"{what} ({_error_text(resp)})", _retry_after(resp))
    raise EntrezError(f"PubMed refused the request: {what} ({_error_text(resp)})")


def _error_text(resp: requests.Response) -> str:
    """The gist of an error body: the JSON error, the HTML title, or the first line."""
    body = resp.content[:4000].decode("utf-8", "replace")
    try:
        error = json.loads(body).get("error")
        if error:
            return str(error)
    except (ValueError, AttributeError):
        pass
    lower = body.lower()
    if "<title>" in lower:
        start = lower.index("<title>") + 7
        return body[start : lower.find("</title>", start)].strip()
    return " ".join(body.split())[:200] or resp.reason


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _download(resp: requests.Response, dest: Path) -> None:
    """Stream the body to dest.part, check it is whole, then move it into place."""
    part = dest.with_name(dest.name + ".part")
    with part.open("wb") as f:
        for chunk in resp.iter_content(1 << 20):
            f.write(chunk)
    problem = efetch_problem(part)
    if problem:
        part.unlink()
        raise Retryable(problem)
    part.replace(dest)
