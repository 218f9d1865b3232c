"""What a failed connection means, and what to tell someone whose PubMed cannot be reached.

A name that does not resolve (no network, no DNS, a mistyped base URL) will not resolve a few
seconds later either: it is reported at once, never retried. A refused connection, a connect
timeout or a failing proxy gets one short retry. Anything else (a connection dropped mid-answer,
a read timeout) is the server's passing trouble and is retried with the usual backoff.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from screening.harvest.credentials import redact

UNREACHABLE_TRIES = 2  # a refused connection: the first try and one short retry
_REASON_CHARS = 160


@dataclass(frozen=True)
class NetworkFailure:
    """kind: "dns", "unreachable" (refused, connect timeout, proxy) or "transient"."""

    kind: str
    reason: str  # one line: "[Errno 111] Connection refused"

    def summary(self, error: requests.RequestException, base_url: str) -> str:
        """One line: "ConnectionError from host: [Errno 111] Connection refused"."""
        return f"{type(error).__name__} from {urlsplit(base_url).netloc}: {self.reason}"


def classify(error: requests.RequestException) -> NetworkFailure:
    """The kind of failure, found by walking the chain requests and urllib3 wrap it in."""
    chain = _chain(error)
    for link in chain:
        if isinstance(link, socket.gaierror):
            return NetworkFailure("dns", _errno_text(link))
    if isinstance(error, requests.exceptions.ProxyError):
        return NetworkFailure("unreachable", f"the proxy failed ({_first_line(error)})")
    for link in chain:
        if isinstance(link, ConnectionRefusedError):
            return NetworkFailure("unreachable", _errno_text(link))
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return NetworkFailure("unreachable", "Connect timed out")
    for link in chain:
        if isinstance(link, TimeoutError | socket.timeout) or "timed out" in str(link):
            return NetworkFailure("transient", "Read timed out")
    reason = "Connection aborted" if "aborted" in str(error) else _first_line(error)
    return NetworkFailure("transient", reason)


def unreachable_message(failure: NetworkFailure, base_url: str, key: str | None) -> str:
    """One line: PubMed cannot be reached, why, and the three things worth checking."""
    where = urlsplit(base_url)
    why = failure.reason
    if failure.kind == "dns":
        why = f"the name {where.hostname} does not resolve ({failure.reason})"
    text = (
        f"cannot reach PubMed at {where.netloc}: {why}. Check the network connection, any proxy "
        f"(HTTPS_PROXY, HTTP_PROXY) and the base URL ({base_url}, set by METASIFT_EUTILS_URL)."
    )
    return redact(text, key)


def _chain(error: BaseException) -> list[BaseException]:
    """error, and everything it wraps: causes, contexts, urllib3's `reason`, args[0]."""
    seen: list[BaseException] = []
    todo: list[object] = [error]
    while todo:
        link = todo.pop()
        if not isinstance(link, BaseException) or any(link is s for s in seen):
            continue
        seen.append(link)
        todo += [link.__cause__, link.__context__, getattr(link, "reason", None)]
        todo += link.args[:1]
    return seen


def _errno_text(error: OSError) -> str:
    if error.errno is not None and error.strerror:
        return f"[Errno {error.errno}] {error.strerror}"
    return _first_line(error)


def _first_line(error: BaseException) -> str:
    lines = str(error).splitlines() or [type(error).__name__]
    return lines[0][:_REASON_CHARS]
