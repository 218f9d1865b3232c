"""Reading E-utilities replies: every field checked before the harvest relies on it.

A reply that is not XML, carries an <ERROR> in a 200 body, or has a field that is not what
NCBI's DTD says (a <Count> that is not a number, an <Id> that is not a PMID, a QueryKey without
its WebEnv) raises Retryable naming the endpoint and the field, so the client asks again and,
when every try gets the same, says exactly what was wrong instead of a ValueError's traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

_XML = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=True)
_SHOWN = 40  # characters of a bad value quoted in a message


class Retryable(Exception):
    """A failure worth another try, with the server's Retry-After when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class SearchResult:
    """What ESearch said: the count, the ids it listed, the history set, and its feedback."""

    count: int
    ids: list[str] = field(default_factory=list)
    webenv: str | None = None
    query_key: str | None = None
    translation: str | None = None
    translations: list[tuple[str, str]] = field(default_factory=list)  # TranslationSet
    errors: list[tuple[str, str]] = field(default_factory=list)  # ErrorList: (tag, text)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # WarningList


def parse_reply(body: bytes, endpoint: str) -> Any:
    """The reply's root element; Retryable for broken XML or an <ERROR> in a 200 body."""
    try:
        root = etree.fromstring(body, _XML)
    except etree.XMLSyntaxError as e:
        raise Retryable(f"{endpoint} sent broken or truncated XML ({e.msg})") from None
    error = root.findtext("ERROR")
    if error is not None:
        raise Retryable(f"{endpoint}: NCBI said: {' '.join(error.split())}")
    return root


def read_search(root: Any) -> SearchResult:
    """An eSearchResult, every field checked."""
    _expect_root(root, "esearch", "eSearchResult")
    count = _number(root, "esearch", "Count", required=True)
    ids = [_pmid(el.text, "esearch") for el in root.iterfind("IdList/Id")]
    if len(ids) > count:
        raise _malformed("esearch", f"lists {len(ids):,} PMIDs but counts only {count:,}")
    webenv, query_key = _history(root, "esearch", required=False)
    translations = [
        (_text(t, "From"), _text(t, "To")) for t in root.iterfind("TranslationSet/Translation")
    ]
    return SearchResult(
        count=count,
        ids=ids,
        webenv=webenv,
        query_key=query_key,
        translation=root.findtext("QueryTranslation"),
        translations=translations,
        errors=_feedback(root, "ErrorList"),
        warnings=_feedback(root, "WarningList"),
    )


def read_post(root: Any) -> tuple[str, str]:
    """An ePostResult's (WebEnv, QueryKey), both required."""
    _expect_root(root, "epost", "ePostResult")
    webenv, query_key = _history(root, "epost", required=True)
    return webenv or "", query_key or ""  # never empty: required=True refused that


def efetch_problem(path: Path) -> str | None:
    """Why a saved efetch body is not a whole PubmedArticleSet, or None when it is."""
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - 256))
        tail = f.read().rstrip()
        if tail.endswith(b"</PubmedArticleSet>") or tail.endswith(b"<PubmedArticleSet/>"):
            return None
        f.seek(0)
        head = f.read(20_000)
    if b"<ERROR>" in head:
        text = head.split(b"<ERROR>", 1)[1].split(b"</ERROR>", 1)[0].decode("utf-8", "replace")
        return f"efetch: NCBI said: {' '.join(text.split())}"
    return f"efetch sent truncated XML ({size:,} bytes, no closing </PubmedArticleSet>)"


# -- the fields ---------------------------------------------------------------------------------


def _malformed(endpoint: str, what: str) -> Retryable:
    return Retryable(f"{endpoint} sent a malformed reply: {what}")


def _shown(value: str | None) -> str:
    text = " ".join((value or "").split())
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def _expect_root(root: Any, endpoint: str, tag: str) -> None:
    if root.tag != tag:
        raise _malformed(endpoint, f"<{root.tag}> where <{tag}> was expected")


def _number(root: Any, endpoint: str, tag: str, *, required: bool) -> int:
    value = root.findtext(tag)
    if value is None:
        if required:
            raise _malformed(endpoint, f"no <{tag}>")
        return 0
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise _malformed(endpoint, f"<{tag}> is {_shown(value)}, not a whole number")
    return int(text)


def _pmid(value: str | None, endpoint: str) -> str:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) == 0:
        raise _malformed(endpoint, f"<Id> is {_shown(value)}, not a PMID")
    return str(int(text))


def _history(root: Any, endpoint: str, *, required: bool) -> tuple[str | None, str | None]:
    """WebEnv and QueryKey: both or neither (both when required), QueryKey a number."""
    webenv = (root.findtext("WebEnv") or "").strip() or None
    query_key = (root.findtext("QueryKey") or "").strip() or None
    if required and not (webenv and query_key):
        raise _malformed(endpoint, "no WebEnv and QueryKey")
    if bool(webenv) != bool(query_key):
        missing = "QueryKey" if webenv else "WebEnv"
        raise _malformed(endpoint, f"a History set without its <{missing}>")
    if query_key is not None:
        _number(root, endpoint, "QueryKey", required=True)
    if webenv is not None and (len(webenv) > 200 or not webenv.isprintable() or " " in webenv):
        raise _malformed(endpoint, f"<WebEnv> is {_shown(webenv)}")
    return webenv, query_key


def _text(el: Any, tag: str) -> str:
    return " ".join(el.findtext(tag, "").split())


def _feedback(root: Any, tag: str) -> list[tuple[str, str]]:
    found = root.find(tag)
    if found is None:
        return []
    return [(el.tag, " ".join((el.text or "").split())) for el in found if isinstance(el.tag, str)]
