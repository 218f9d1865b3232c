"""What the local PubMed answers: ESearch, EFetch and EPost bodies as NCBI writes them (their
DOCTYPEs copied from recorded responses), and NCBI's own error texts."""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from tests.entrez_corpus import ENTREZ, Corpus, Record

if TYPE_CHECKING:
    from tests.entrez_server import EntrezServer, Hit

CAP = 9_999
MAX_FETCH = 10_000


def _prolog(path: str, root: bytes) -> bytes:
    """The XML declaration and DOCTYPE of a recorded response, up to its root element."""
    data = (ENTREZ / path).read_bytes()
    return data[: data.index(root)]


ESEARCH_HEAD = _prolog("hawc/esearch_rettype_count.xml", b"<eSearchResult>")
EPOST_HEAD = _prolog("biopython/epost1.xml", b"<ePostResult>")
EFETCH_HEAD = _prolog("hawc/efetch_6_records.xml", b"<PubmedArticleSet>")
# PubMed's words, from biopython#4189, pubmed-mcp-server#95 and the issues quoted in
# ../shared/reference/entrez-and-formats.md
RETSTART_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
    "ESearch can only retrieve the first 9,999 records matching the query. To obtain more than "
    "9,999 PubMed records, consider using EDirect that contains additional logic to batch "
    "PubMed search results automatically so that an arbitrary number can be retrieved. For "
    "details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
)
# OpenKnowledgeMaps/Headstart#257, as quoted there (the diagnostics after "URL:" are cut short)
HTML_500 = (
    '<head> <title>NCBI/eutils202 - WWW Error 500 Diagnostic</title> <style type="text/css">'
    "  h1.error {color: red; font-size: 40pt} div.diags {text-indent: 0.5in } </style>  </head>"
    " <body> <h1>Server Error</h1>   <p>Your request could not be processed due to a problem on "
    "our Web server.  This could be a transient problem, please try the query again.  If it "
    "doesn't clear up within a reasonable period of time, e-mail a short description of your "
    "query and the diagnostic information shown below to:</p>  <p> pubmed@nlm.nih.gov - for "
    "problems with PubMed<br/> webadmin@ncbi.nlm.nih.gov - for problems with other services"
    "<br/> </p>  <p>Thank you for your assistance.  We will try to fix the problem as soon as "
    'possible. </p> <hr/> <p> Diagnostic Information:</p>  <div class="diags">Error: 500</div>'
    "</body>"
)
# real <ERROR> texts, served as a transient fault inside a 200
ERROR_TEXTS = {
    "esearch": "Search Backend failed: Exception: Position 15000 is out of acceptable range "
    "[9999,9998]",
    "efetch": "Cannot retrieve history data: OUT OF RANGE. Parameter retstart=1 + 1 is greater "
    "than number of records available in history. History includes 1 IDs.",
    "epost": "Invalid db name specified: nothing",
}
ROOTS = {"esearch": "eSearchResult", "efetch": "eFetchResult", "epost": "ePostResult"}


# -- E-utilities --------------------------------------------------------------------------------


def esearch(server: EntrezServer, p: dict[str, str]) -> bytes:
    term = p.get("term", "")
    query, uid_range = _parse_term(server.corpus, term)
    if query is None:
        return esearch_xml(
            0,
            0,
            0,
            [],
            None,
            f"({escape(term)}[All Fields])",
            [],
            [("PhraseNotFound", term)],
            [("OutputMessage", "No items found.")],
        )
    records = [server.corpus.records[pmid] for pmid in query.pmids]
    records = [r for r in records if _in_range(r, p, uid_range)]
    if p.get("sort") in ("pub_date", "pub+date"):
        records.sort(key=lambda r: (r.pdat, int(r.pmid)), reverse=True)
    ids = [r.pmid for r in records]
    if p.get("rettype") == "count":
        return (
            ESEARCH_HEAD
            + f"<eSearchResult>\n\t<Count>{len(ids)}</Count>\n</eSearchResult>\n".encode()
        )
    retstart, retmax = int(p.get("retstart", 0)), int(p.get("retmax", 20))
    if retstart >= server.cap:
        return error_body("esearch", RETSTART_ERROR)
    warnings = list(query.warnings)
    if retstart + retmax > server.cap:
        retmax = server.cap - retstart
        warnings.append(
            (
                "OutputMessage",
                f"Restrictions achieved. start and count adjusted to {retstart}, {retmax}",
            )
        )
    history = None
    if p.get("usehistory") == "y":
        history = server.remember(p.get("WebEnv"), ids)
    page = ids[retstart : retstart + retmax]
    return esearch_xml(
        len(ids),
        len(page),
        retstart,
        page,
        history,
        escape(query.translation),
        query.translations,
        query.errors,
        warnings,
    )


def _parse_term(corpus: Corpus, term: str) -> tuple[Any, tuple[int, int] | None]:
    base, uid_range = term, None
    if term.endswith("[uid]") and term.startswith("(") and ") AND " in term:
        base, _, rng = term[1:].rpartition(") AND ")
        lo, _, hi = rng.removesuffix("[uid]").partition(":")
        uid_range = (int(lo), int(hi))
    return corpus.queries.get(base), uid_range


def _in_range(record: Record, p: dict[str, str], uids: tuple[int, int] | None) -> bool:
    if uids and not uids[0] <= int(record.pmid) <= uids[1]:
        return False
    if p.get("mindate") and p.get("maxdate"):
        day = record.date(p.get("datetype", "pdat"))
        return _day(p["mindate"], end=False) <= day <= _day(p["maxdate"], end=True)
    return True


def _day(text: str, *, end: bool) -> date:
    parts = [int(x) for x in text.replace("-", "/").split("/")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        return date(parts[0], parts[1], monthrange(parts[0], parts[1])[1] if end else 1)
    return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)


def esearch_xml(
    count: int,
    retmax: int,
    retstart: int,
    ids: list[str],
    history: tuple[str, str] | None,
    translation: str,
    translations: list[tuple[str, str]],
    errors: list[tuple[str, str]],
    warnings: list[tuple[str, str]],
) -> bytes:
    out = [
        f"<eSearchResult><Count>{count}</Count><RetMax>{retmax}</RetMax><RetStart>{retstart}</RetStart>"
    ]
    if history:
        out.append(f"<QueryKey>{history[1]}</QueryKey><WebEnv>{history[0]}</WebEnv>")
    out.append("<IdList>\n" + "".join(f"<Id>{i}</Id>\n" for i in ids) + "</IdList>")
    pairs = "".join(
        f"<Translation>     <From>{escape(a)}</From>     <To>{escape(b)}</To>    </Translation>"
        for a, b in translations
    )
    out.append(f"<TranslationSet>{pairs}</TranslationSet>" if pairs else "<TranslationSet/>")
    out.append(f"<QueryTranslation>{translation}</QueryTranslation>")
    for tag, items in (("ErrorList", errors), ("WarningList", warnings)):
        if items:
            out.append(
                f"<{tag}>" + "".join(f"<{t}>{escape(v)}</{t}>" for t, v in items) + f"</{tag}>"
            )
    out.append("</eSearchResult>\n")
    return ESEARCH_HEAD + "".join(out).encode()


def efetch(server: EntrezServer, p: dict[str, str], hit: Hit) -> tuple[int, bytes]:
    if p.get("WebEnv"):
        ids = server.recall(p["WebEnv"], p.get("query_key", ""))
        if ids is None:
            return 200, error_body("efetch", f"Unable to obtain query #{p.get('query_key')}")
        retstart, retmax = int(p.get("retstart", 0)), min(int(p.get("retmax", 20)), MAX_FETCH)
        if retstart >= len(ids) and ids:
            text = (
                f"Cannot retrieve history data: OUT OF RANGE. Parameter retstart={retstart} + "
                f"{retmax} is greater than number of records available in history. "
                f"History includes {len(ids)} IDs."
            )
            return 400, error_body("efetch", text)
        ids = ids[retstart : retstart + retmax]
    else:
        ids = [i for i in p.get("id", "").split(",") if i][:MAX_FETCH]
    records = [server.corpus.records[i] for i in ids if i in server.corpus.records]
    hit.pmids = [r.pmid for r in records]
    body = b"\n".join(r.xml() for r in records)
    return 200, EFETCH_HEAD + b"<PubmedArticleSet>\n" + body + b"\n</PubmedArticleSet>\n"


def epost(server: EntrezServer, p: dict[str, str]) -> bytes:
    ids = [i for i in p.get("id", "").split(",") if i.isdigit()]
    if not ids:
        return error_body("epost", "Empty ID list; Nothing to store")
    webenv, key = server.remember(p.get("WebEnv"), ids)
    return (
        EPOST_HEAD
        + (
            f"<ePostResult>\n\t<QueryKey>{key}</QueryKey>\n\t<WebEnv>{webenv}</WebEnv>\n</ePostResult>\n"
        ).encode()
    )


def error_body(endpoint: str, text: str) -> bytes:
    root = ROOTS[endpoint]
    head = EPOST_HEAD if endpoint == "epost" else ESEARCH_HEAD
    head = head.replace(b"eSearchResult", root.encode()).replace(b"ePostResult", root.encode())
    return head + f"<{root}>\n\t<ERROR>{escape(text)}</ERROR>\n</{root}>\n".encode()
