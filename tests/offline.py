"""No network for names that cannot exist: `.invalid` (RFC 6761) is refused here, the way a
resolver must answer it, so a test or benchmark of "the name does not resolve" sends no query."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

NOWHERE = "http://pubmed.invalid/entrez/eutils/"


@contextmanager
def invalid_names_refused() -> Iterator[None]:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real
