"""PubMed XML (efetch / "Save > XML" PubmedArticleSet), streamed record by record.

How: the byte stream is cut at the <PubmedArticle>/<PubmedBookArticle> elements (a fixed
structure in PubMed's DTD) and each record is parsed by lxml on its own, behind the file's
prolog. That keeps memory flat over any number of records, gives the record's bytes verbatim
as `raw` (no re-serialisation) and is 1.5x faster than iterparse plus tostring. Everything
between records must be white space or comments, and the file must end with
</PubmedArticleSet>, so a truncated or stitched file is refused, naming the line.

Safety: the parser never resolves entities, never loads the DTD named in the DOCTYPE and never
touches the network, so a file cannot pull in local files or remote content. Character
references (&#xe1;) and raw UTF-8 both decode to the same characters.

The fields are read in pubmed_records (their choices are documented there). DeleteCitation
lists (in NLM's update files) are skipped.
"""

from __future__ import annotations

import io
import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NoReturn, TypeVar

from lxml import etree

from db.errors import ParseError
from db.records import RecordFields
from screening.citation import Citation
from screening.importers.pubmed_records import record_citation
from screening.importers.textfile import SourceFile
from screening.normalise import clean
from screening.rows import citation_fields
from screening.workers import CAN_START, WorkerPool

NAME = "pubmed-xml"

_ROOT = "PubmedArticleSet"
# Prolog (XML declaration, comments, PIs, DOCTYPE with an optional internal subset), then the root.
_HEAD = re.compile(
    r"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE(?:[^\[>]|\[.*?\])*>\s*)*<PubmedArticleSet[\s>/]",
    re.DOTALL,
)
_HEAD_BYTES = re.compile(_HEAD.pattern.encode(), re.DOTALL)
_RECORD = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>]")
_GAP = re.compile(rb"(?:\s|<!--.*?-->)*", re.DOTALL)
_END = re.compile(rb"(?:\s|<!--.*?-->)*</PubmedArticleSet>\s*", re.DOTALL)
_LXML_POSITION = re.compile(r", line \d+, column \d+$")
_CHUNK = 1 << 22
_BATCH = 250  # records a worker parses at a time
# Below this, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 32 << 20
_PARSER = etree.XMLParser(
    resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False
)


def sniff(head: str) -> bool:
    """True when the first element is a PubmedArticleSet."""
    return _HEAD.match(head) is not None


def read(source: SourceFile, **options: Any) -> Iterator[Citation]:
    """Stream the articles and book articles of a PubmedArticleSet file."""
    with source.binary() as handle:
        yield from stream_articles(handle, source.path, source.path.stat().st_size)


def read_fields(source: SourceFile, **options: Any) -> Iterator[tuple[RecordFields, str]]:
    """What read gives, as (rows.citation_fields, raw) pairs built on every core."""
    with source.binary() as handle:
        yield from stream_fields(handle, source.path, source.path.stat().st_size)


def stream_articles(stream: BinaryIO, path: str | Path, size: int) -> Iterator[Citation]:
    """iter_articles, parsed on every core when the input (size bytes) is large."""
    workers = _workers(size)
    if workers > 1:
        for citations, _, _ in _parallel(stream, path, workers, _citations):
            yield from citations
    else:
        yield from iter_articles(stream, path)


def stream_fields(
    stream: BinaryIO, path: str | Path, size: int
) -> Iterator[tuple[RecordFields, str]]:
    """(rows.citation_fields, raw) for each record: what an import stages, built on every core
    when the input is large. Workers send back only the fields; the raw text is the record's
    own bytes, decoded here, so the largest part of a record never crosses a process boundary.
    """
    workers = _workers(size)
    if workers == 1:
        for citation in iter_articles(stream, path):
            yield citation_fields(citation), citation.raw
        return
    for fields, batch, encoding in _parallel(stream, path, workers, _fields):
        for row, (record, _) in zip(fields, batch, strict=True):
            yield row, record.decode(encoding)


def parse_articles(data: bytes, path_label: str) -> list[Citation]:
    """The records of an in-memory PubmedArticleSet (an efetch response body)."""
    return list(iter_articles(io.BytesIO(data), path_label))


def _workers(size: int) -> int:
    """How many processes should parse an input of size bytes (1: parse here)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return cores if CAN_START and cores > 1 and size >= PARALLEL_FROM_BYTES else 1


class _Buffer:
    """The unread part of the stream, and a cursor that counts lines as it moves forward."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.data = stream.read(_CHUNK).removeprefix(b"\xef\xbb\xbf")
        self.eof = not self.data
        self.mark, self.mark_line = 0, 1  # data[mark] is on line mark_line

    def more(self, keep_from: int) -> int:
        """Drop data[:keep_from], read another chunk; returns how far positions moved."""
        self.line_at(keep_from)
        chunk = self.stream.read(_CHUNK)
        self.eof = not chunk
        self.data = self.data[keep_from:] + chunk
        self.mark = 0
        return keep_from

    def line_at(self, pos: int) -> int:
        """The line of data[pos]; pos never goes back (counting from the start each time made
        a 4 MB chunk quadratic)."""
        self.mark_line += self.data.count(b"\n", self.mark, pos)
        self.mark = pos
        return self.mark_line


def iter_articles(stream: BinaryIO, path: str | Path) -> Iterator[Citation]:
    """Stream the records from a binary stream; ParseError on broken XML or another root."""
    records = _Records(stream, path)
    for record, line in records:
        yield _citation(record, line, records.prolog, records.encoding, path)


_Batch = tuple[tuple[bytes, int], ...]
_T = TypeVar("_T")


def _parallel(
    stream: BinaryIO,
    path: str | Path,
    workers: int,
    work: Callable[[_Batch, bytes, str, str], _T],
) -> Iterator[tuple[_T, _Batch, str]]:
    """work(batch, prolog, encoding, path) for batches of records, spread over worker processes
    (screening.workers: safe while a harvest's fetcher thread runs) and given back in order,
    each with its batch and the file's encoding.

    Cutting the file into records is cheap and stays here; parsing and reading the fields is
    most of the work. At most a few batches are in flight, so memory stays flat. A broken
    record, Ctrl-C or a consumer that stops early ends the workers with what they had queued.
    """
    records = _Records(stream, path)
    it = iter(records)
    batches = iter(lambda: tuple(itertools.islice(it, _BATCH)), ())
    calls = ((batch, records.prolog, records.encoding, str(path)) for batch in batches)
    with WorkerPool(workers) as pool:
        for (batch, *_), result in pool.in_order(work, calls):
            yield result, batch, records.encoding


def _citations(batch: _Batch, prolog: bytes, encoding: str, path: str) -> list[Citation]:
    return [_citation(record, line, prolog, encoding, path) for record, line in batch]


def _fields(batch: _Batch, prolog: bytes, encoding: str, path: str) -> list[RecordFields]:
    fields = []
    for record, line in batch:
        elem = _parse_record(prolog + record, path, line - prolog.count(b"\n"))
        fields.append(citation_fields(record_citation(elem, "", line)))
    return fields


def _citation(record: bytes, line: int, prolog: bytes, encoding: str, path: str | Path) -> Citation:
    elem = _parse_record(prolog + record, path, line - prolog.count(b"\n"))
    return record_citation(elem, record.decode(encoding), line)


class _Records:
    """The records of a PubmedArticleSet stream as (bytes, line of the start tag)."""

    def __init__(self, stream: BinaryIO, path: str | Path) -> None:
        self.buf, self.path = _Buffer(stream), path
        data = self.buf.data
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ParseError(path, "PubMed XML in UTF-16 is not read; save it as UTF-8", line=1)
        head = _HEAD_BYTES.match(data)
        if head is None:
            _refuse(data + stream.read(), path)
        self.prolog = data[: head.end() - len(b"<PubmedArticleSet") - 1]
        self.encoding = _declared_encoding(self.prolog)
        self.start = data.find(b">", head.end() - 1) + 1

    def __iter__(self) -> Iterator[tuple[bytes, int]]:
        buf, path, pos = self.buf, self.path, self.start
        while True:
            found = _RECORD.search(buf.data, pos)
            if found is None and not buf.eof:
                pos -= buf.more(pos)
                continue
            if found is None and _END.fullmatch(buf.data, pos):
                return
            if found is None or not _GAP.fullmatch(buf.data, pos, found.start()):
                gap = _gap_end(buf.data, pos)
                raise ParseError(path, _unexpected(buf.data, gap, found), line=buf.line_at(gap))
            tag = found.group(1)
            close = buf.data.find(b"</" + tag + b">", found.end())
            start = found.start()
            while close < 0 and not buf.eof:
                start -= buf.more(start)
                close = buf.data.find(b"</" + tag + b">", start + len(tag) + 2)
            line = buf.line_at(start)
            if close < 0:
                raise ParseError(
                    path,
                    f"the XML is cut short: the file ends inside the <{tag.decode()}> "
                    f"that starts on line {line}",
                    line=buf.line_at(len(buf.data)),
                )
            pos = close + len(tag) + 3
            if tag != b"DeleteCitation":
                yield buf.data[start:pos], line


def _gap_end(data: bytes, pos: int) -> int:
    """Where the whitespace and comments from pos end (_GAP matches the empty string too)."""
    gap = _GAP.match(data, pos)
    return gap.end() if gap else pos


def _parse_record(xml: bytes, path: str | Path, first_line: int) -> Any:
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as e:
        message = _lxml_message(e)
        column = f" (column {e.position[1]})" if e.position else ""
        raise ParseError(
            path,
            f"the XML is broken: {message}{column}",
            line=first_line + (e.lineno or 1) - 1,
        ) from None


def _lxml_message(error: etree.XMLSyntaxError) -> str:
    """libxml2's message on one line (it ends some, "Char 0x0 out of allowed range", in a
    newline), without the position it appends."""
    return _LXML_POSITION.sub("", " ".join((error.msg or str(error)).split()))


def _declared_encoding(prolog: bytes) -> str:
    declared = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", prolog)
    return declared.group(1).decode("ascii") if declared else "utf-8"


def _unexpected(data: bytes, at: int, found: re.Match[bytes] | None) -> str:
    if found is None and at >= len(data):
        return "the XML is cut short: the file ends without </PubmedArticleSet>"
    snippet = data[at : at + 40].split(b"\n")[0].decode("utf-8", "replace")
    return f"unexpected content between records: {snippet!r}"


def _refuse(data: bytes, path: str | Path) -> NoReturn:
    """Refuse a file that does not start as a PubmedArticleSet, saying what it is instead."""
    try:
        root = etree.fromstring(data, _PARSER) if data.strip() else None
    except etree.XMLSyntaxError as e:
        message = _lxml_message(e)
        raise ParseError(path, f"not PubMed XML: {message}", line=e.lineno or 1) from None
    if root is None or not isinstance(root.tag, str):
        raise ParseError(path, "the XML has no PubmedArticleSet element", line=1)
    error = clean(root.text if root.tag == "ERROR" else root.findtext(".//ERROR"))
    said = f" (NCBI said: {error})" if error else ""
    raise ParseError(
        path,
        f"the root element is <{root.tag}>, not <{_ROOT}>{said}; metasift imports "
        "PubMed XML files (a PubmedArticleSet, as efetch or PubMed's Save > XML writes)",
        line=root.sourceline if isinstance(root.sourceline, int) else 1,
    )
