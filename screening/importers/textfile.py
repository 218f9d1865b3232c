"""Opening an input file: BOMs, UTF-16, Latin-1 and binary files, with line numbers for errors."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from db.errors import ParseError

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_CHUNK = 1 << 20
_ZIP = b"PK\x03\x04"  # an XLSX workbook is a zip archive; the xlsx reader opens it itself
_LINE_BREAKS = re.compile("\r\n?")
# warnings kept word for word; past this many only the count grows (a file of 50,000 records
# without titles needs one example, not 50,000 lines)
KEPT_WARNINGS = 20


def _sniff_encoding(path: Path) -> str:
    """utf-8-sig / utf-16 from a BOM, else utf-8 if the whole file decodes, else cp1252.

    Refuses files that look binary (NUL bytes without a UTF-16 BOM) and files that are
    neither UTF-8 nor Windows-1252/Latin-1 text.
    """
    with path.open("rb") as f:
        head = f.read(_CHUNK)
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                return encoding
        if not head.strip():
            raise ParseError(path, "the file is empty")
        if head.startswith(_ZIP):
            return "utf-8"  # the encoding of the XML inside; head() still shows the zip's names
        if b"\x00" in head[:8192]:
            raise ParseError(path, "this is a binary file, not a text export (it has NUL bytes)")
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk, offset = head, 0
        while chunk:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                return _fallback_encoding(path, offset + e.start)
            offset += len(chunk)
            chunk = f.read(_CHUNK)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as e:
            return _fallback_encoding(path, offset + e.start)
    return "utf-8"


def _fallback_encoding(path: Path, bad_offset: int) -> str:
    """Windows-1252 (a superset of printable Latin-1) if the file decodes as it, else refuse."""
    data = path.read_bytes()
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, bad_offset) + 1
        raise ParseError(
            path,
            "is neither UTF-8 nor Latin-1 text; re-export it as UTF-8",
            line=line,
        ) from None
    return "cp1252"


def _checked_encoding(path: Path, encoding: str) -> str:
    """The encoding the user named, if Python can decode text with it (not "bogus", nor a
    bytes-to-bytes codec such as "hex")."""
    try:
        io.TextIOWrapper(io.BytesIO(), encoding=encoding)
        # every byte, skipping what does not decode, as format detection reads a file's head:
        # codecs for host names (idna, punycode) fail even so
        bytes(range(256)).decode(encoding, errors="ignore")
    except (LookupError, UnicodeError):
        raise ParseError(
            path,
            f"--encoding {encoding!r} is not a text encoding for files; "
            "try utf-8, latin-1, cp1252 or utf-16, or leave it out to detect it",
        ) from None
    return encoding


@dataclass
class SourceFile:
    """An input file with its encoding worked out. Readers stream from text() or binary(),
    and warn() about what they read but not whole (the import reports it)."""

    path: Path
    encoding: str
    _handle: BinaryIO | None = None
    warnings: list[ParseError] = field(default_factory=list)
    warning_count: int = 0

    @classmethod
    def open(cls, path: Path, encoding: str | None = None) -> SourceFile:
        path = Path(path)
        if not path.is_file():
            raise ParseError(path, "no such file")
        if encoding is not None:
            encoding = _checked_encoding(path, encoding)
        if path.stat().st_size == 0:
            raise ParseError(path, "the file is empty")
        return cls(path, encoding or _sniff_encoding(path))

    def warn(self, message: str, line: int | None = None) -> None:
        """Note something the import went past: "file: line N: message", as errors read."""
        self.warning_count += 1
        if len(self.warnings) < KEPT_WARNINGS:
            self.warnings.append(ParseError(self.path, message, line=line))

    def binary(self) -> BinaryIO:
        """The raw bytes (XML readers let the parser handle the declared encoding)."""
        self._handle = self.path.open("rb")
        return self._handle

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, line without its line ending), CRLF and CR handled. A BOM at the
        start of a line goes: that is where a file made by joining exports has them."""
        with self.binary() as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline=None)
            for number, line in enumerate(text, start=1):
                yield number, line.rstrip("\n").lstrip("\ufeff")

    def line_of_bad_bytes(self) -> int | None:
        """The first line that does not decode in the file's encoding (None if all do)."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        newlines = 0
        with self.path.open("rb") as f:
            for chunk in f:  # pieces ending in a b"\n" byte, whatever the encoding
                try:
                    newlines += _LINE_BREAKS.sub("\n", decoder.decode(chunk)).count("\n")
                except UnicodeDecodeError as e:  # e.start: near enough in this chunk
                    good = chunk[: e.start].decode(self.encoding, "replace")
                    return newlines + _LINE_BREAKS.sub("\n", good).count("\n") + 1
        return None

    def ends_with_line_break(self) -> bool:
        """Does the last line end in CR or LF (in UTF-16 too)? A cut mid-line leaves none."""
        with self.path.open("rb") as f:
            f.seek(max(0, self.path.stat().st_size - 2))
            tail = f.read()
        return tail.rstrip(b"\x00")[-1:] in (b"\n", b"\r") or tail in (b"\n\x00", b"\r\x00")

    def head(self, size: int = 65536) -> str:
        """The start of the file as text, for format detection."""
        with self.path.open("rb") as f:
            data = f.read(size)
        return data.decode(self.encoding, errors="ignore").lstrip("\ufeff")

    def bytes_read(self) -> int:
        """How far the current reader has got, for progress bars."""
        h = self._handle
        if h is None or h.closed:
            return 0
        return h.tell()
