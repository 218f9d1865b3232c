"""A local PubMed for tests and benchmarks: a real HTTP server on 127.0.0.1 that speaks
E-utilities (esearch, efetch, epost) over a corpus from tests/entrez_corpus.py, and keeps
PubMed's rules:

- ESearch lists at most `cap` (9,999) PMIDs: a larger retmax is cut with PubMed's
  "Restrictions achieved" warning, and retstart >= cap answers HTTP 200 with PubMed's own
  <ERROR> text; a History set holds only the first `cap` PMIDs;
- 3 requests/s per client IP, 10/s per API key, measured over any one-second window; one more
  is answered 429 with NCBI's JSON body;
- responses carry the headers PubMed sends (Content-Type, X-RateLimit-Limit/-Remaining).

Faults are injected on demand (`inject`): 429 with Retry-After, 500 with NCBI's HTML error page,
a dropped connection, a truncated body, an <ERROR> inside a 200, a slow response, a reply with
one field made malformed. Every request is
logged (`hits`), with the PMIDs each efetch served, and `max_per_second()` reports the busiest
second the server saw. Run it alone with `python -m tests.entrez_server --synthetic 30000`.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.entrez_answers import (
    CAP,
    ERROR_TEXTS,
    HTML_500,
    ROOTS,
    efetch,
    epost,
    error_body,
    esearch,
)
from tests.entrez_corpus import Corpus, recorded_corpus, synthetic_corpus

# A "second" as this server counts it. The server notes an arrival when its handler thread
# runs, which a busy machine delays by tens of milliseconds; with a full second, one delayed
# arrival next to an on-time one would look like a client breaking the limit. 0.9 s forgives
# that delay and still catches any client that is not spacing its requests (those arrive
# milliseconds apart).
WINDOW = 0.9


@dataclass
class Fault:
    kind: str  # 429, 500, drop, truncate, error200, slow, malformed
    endpoint: str | None = None
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    replace: tuple[bytes, bytes] = (b"", b"")  # malformed: the true answer with this replaced


@dataclass
class Hit:
    """One request as the server saw it."""

    at: float
    endpoint: str
    method: str
    params: dict[str, str]
    client: str  # the API key, or the client's IP
    status: int = 200
    fault: str | None = None
    pmids: list[str] = field(default_factory=list)  # what an efetch served


class EntrezServer:
    """`with EntrezServer(corpus) as server:` serves at server.url until the block ends."""

    def __init__(self, corpus: Corpus | None = None, *, cap: int = CAP, port: int = 0) -> None:
        self.corpus = corpus or recorded_corpus()
        self.cap = cap
        self.faults: list[Fault] = []
        self.hits: list[Hit] = []
        self.on_request: Callable[[Hit], bool] | None = None  # return False to drop the request
        self._history: dict[str, dict[str, list[str]]] = {}
        self._arrivals: dict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/entrez/eutils/"

    def __enter__(self) -> EntrezServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def inject(self, kind: str, **options: Any) -> None:
        self.faults.append(Fault(kind, **options))

    def pass_time(self) -> None:
        """Forget when earlier requests arrived, as if the next run started a while later (NCBI
        counts requests per second across runs): the rate limit and max_per_second() then see
        only what comes next, and no test has to sleep."""
        with self._lock:
            self._arrivals.clear()

    def max_per_second(self, client: str | None = None) -> int:
        """The most requests one client made inside any one-second window (WINDOW long)."""
        worst = 0
        for who, times in self._arrivals.items():
            if client is not None and who != client:
                continue
            times, j = sorted(times), 0
            for i, t in enumerate(times):
                while times[j] <= t - WINDOW:
                    j += 1
                worst = max(worst, i - j + 1)
        return worst

    def stats(self, since: int = 0) -> dict[str, Any]:
        """What the server saw from its since-th request on (E-utilities only): requests, the
        busiest second (over all requests), PMIDs served and served more than once."""
        hits = [h for h in self.hits[since:] if h.endpoint in ROOTS]
        served = [p for h in hits for p in h.pmids]
        return {
            "hits": len(self.hits),
            "requests": len(hits),
            "by_endpoint": {e: sum(1 for h in hits if h.endpoint == e) for e in ROOTS},
            "status": {
                str(s): sum(1 for h in hits if h.status == s) for s in {h.status for h in hits}
            },
            "max_per_second": self.max_per_second(),
            "pmids_served": len(served),
            "pmids_served_twice": len(served) - len(set(served)),
        }

    def count(self, endpoint: str, status: int | None = 200) -> int:
        return sum(1 for h in self.hits if h.endpoint == endpoint and status in (None, h.status))

    # -- state shared by the handler threads ----------------------------------------------

    def arrive(self, hit: Hit) -> int:
        """Log a request; the number of requests from its client in the last second."""
        with self._lock:
            self.hits.append(hit)
            times = self._arrivals[hit.client]
            times.append(hit.at)
            return sum(1 for t in times if t > hit.at - WINDOW)

    def take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.endpoint in (None, endpoint):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def remember(self, webenv: str | None, ids: list[str]) -> tuple[str, str]:
        with self._lock:
            webenv = webenv if webenv in self._history else f"MCID_{uuid.uuid4().hex[:24]}"
            sets = self._history.setdefault(webenv, {})
            key = str(len(sets) + 1)
            sets[key] = ids[: self.cap]
            return webenv, key

    def recall(self, webenv: str, key: str) -> list[str] | None:
        return self._history.get(webenv, {}).get(key)


# -- HTTP ---------------------------------------------------------------------------------------


def _handler(server: EntrezServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as NCBI

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve(urlsplit(self.path).query)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            query = urlsplit(self.path).query
            self._serve(f"{query}&{body}" if query else body)

        def _serve(self, raw: str) -> None:
            params = {k: ",".join(v) for k, v in parse_qs(raw, keep_blank_values=True).items()}
            endpoint = urlsplit(self.path).path.rsplit("/", 1)[-1].removesuffix(".fcgi")
            if endpoint == "stats":  # for a benchmark running the server in another process
                since = int(parse_qs(urlsplit(self.path).query).get("since", ["0"])[0])
                body = json.dumps(server.stats(since)).encode()
                return self._send(
                    Hit(0, endpoint, "GET", {}, ""), 200, body, "application/json", 0, 0
                )
            key = params.get("api_key")
            hit = Hit(
                time.monotonic(), endpoint, self.command, params, key or self.client_address[0]
            )
            recent = server.arrive(hit)
            limit = 10 if key else 3
            if server.on_request and server.on_request(hit) is False:
                return self._drop(hit)
            if endpoint not in ROOTS:
                return self._send(hit, 404, b"Not Found", "text/plain", limit, recent)
            if recent > limit:
                refusal = {
                    "error": "API rate limit exceeded",
                    "api-key": hit.client,
                    "count": str(recent),
                    "limit": str(limit),
                }
                return self._send(
                    hit, 429, json.dumps(refusal).encode(), "application/json", limit, recent
                )
            fault = server.take_fault(endpoint)
            if fault and fault.kind == "slow":
                time.sleep(fault.delay)
            elif fault:
                hit.fault = fault.kind
                return self._fault(hit, fault, limit, recent)
            status, body = self._answer(endpoint, params, hit)
            self._send(hit, status, body, "text/xml; charset=UTF-8", limit, recent)

        def _answer(self, endpoint: str, params: dict[str, str], hit: Hit) -> tuple[int, bytes]:
            if endpoint == "esearch":
                return 200, esearch(server, params)
            if endpoint == "epost":
                return 200, epost(server, params)
            return efetch(server, params, hit)

        def _fault(self, hit: Hit, fault: Fault, limit: int, recent: int) -> None:
            if fault.kind == "429":
                body = json.dumps(
                    {
                        "error": "API rate limit exceeded",
                        "api-key": hit.client,
                        "count": str(limit + 1),
                        "limit": str(limit),
                    }
                ).encode()
                extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after else {}
                return self._send(hit, 429, body, "application/json", limit, recent, extra)
            if fault.kind == "500":
                return self._send(hit, 500, HTML_500.encode(), "text/html", limit, recent)
            if fault.kind == "error200":
                return self._send(
                    hit,
                    200,
                    error_body(hit.endpoint, ERROR_TEXTS[hit.endpoint]),
                    "text/xml; charset=UTF-8",
                    limit,
                    recent,
                )
            if fault.kind == "drop":
                return self._drop(hit)
            if fault.kind == "malformed":
                _, body = self._answer(hit.endpoint, hit.params, hit)
                hit.pmids = []  # not what it should be: the client asks again
                body = body.replace(*fault.replace, 1)
                return self._send(hit, 200, body, "text/xml; charset=UTF-8", limit, recent)
            if fault.kind == "truncate":
                _, body = self._answer(hit.endpoint, hit.params, hit)
                hit.pmids = []  # the client never gets them whole
                self._send(
                    hit, 200, body, "text/xml; charset=UTF-8", limit, recent, cut=len(body) // 2
                )
                return self._drop(hit)
            raise ValueError(f"unknown fault {fault.kind}")

        def _send(
            self,
            hit: Hit,
            status: int,
            body: bytes,
            ctype: str,
            limit: int,
            recent: int,
            extra: dict[str, str] | None = None,
            cut: int | None = None,
        ) -> None:
            hit.status = status
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-RateLimit-Limit", str(limit))
            self.send_header("X-RateLimit-Remaining", str(max(0, limit - recent)))
            self.send_header(
                "Access-Control-Expose-Headers", "X-RateLimit-Limit,X-RateLimit-Remaining"
            )
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body if cut is None else body[:cut])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _drop(self, hit: Hit) -> None:
            hit.status, hit.pmids = 0, []
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a local PubMed until killed.")
    parser.add_argument("--synthetic", type=int, default=0, help="records in a synthetic corpus")
    parser.add_argument("--term", default="synthetic")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    corpus = synthetic_corpus(args.synthetic, args.term) if args.synthetic else recorded_corpus()
    with EntrezServer(corpus, port=args.port) as server:
        print(server.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
