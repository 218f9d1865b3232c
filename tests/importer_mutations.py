"""Mutated real export files and the check every importer must pass on them.

Shared by tests/test_importer_mutations.py (a few hundred cases, hypothesis) and
benchmarks/reliability_importers.py (tens of thousands). A mutation is drawn with a
random.Random, so hypothesis drives it through ``st.randoms()`` and the benchmark through a
seeded generator: byte flips, truncation, duplicated and removed lines, NUL bytes,
re-encodings, CR or CRLF line ends, BOMs at the start and in mid-file, hostile control
characters and huge field values, all applied to the real files in tests/fixtures/.

The check (``ImportCheck.run``): each input either imports, or is refused with a one-line
MetasiftError that names the file, and a refused import leaves every table of the review as
it was (dumps compared, temp tables included). An import leaves no control character in the
records' normalised fields. "Records lost" counts, for the mutations that keep every record
whole (line ends, a leading BOM, re-encoding, text added inside a line), the records of the
fixture an import did not bring in; a refusal is not a loss (nothing landed, the user is told).
"""

from __future__ import annotations

import codecs
import json
import random
import re
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.errors import MetasiftError, ParseError
from screening.importers import detect_format
from screening.importers.textfile import SourceFile
from screening.importing import import_file

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = "Evil \x1b]0;PWNED\x07 \x1b[2J red\x9b\x7f"  # NUL has a mutation of its own
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_COLUMNS = (
    "abstract_sections", "authors", "publication_types", "mesh_terms", "keywords", "urls", "extra",
)  # fmt: skip
_RECORD_TEXT_COLUMNS = (
    "source_record_id", "record_type", "title", "abstract", "abstract_sections", "authors",
    "journal", "journal_abbrev", "volume", "issue", "pages", "doi", "pmid", "pmcid", "issn",
    "language", "publication_types", "mesh_terms", "keywords", "urls", "extra",
)  # fmt: skip


def fixtures_by_format(max_bytes: int) -> dict[str, list[Path]]:
    """{format: [real fixture files]} for every file detection names: those up to max_bytes,
    or the smallest one for a format that has none that small."""
    found: dict[str, list[Path]] = {}
    for path in sorted(FIXTURES.rglob("*"), key=lambda p: (p.stat().st_size, p)):
        if not path.is_file() or path.suffix in (".md", ".tsv", ".yaml"):
            continue
        try:
            fmt = detect_format(SourceFile.open(path))
        except MetasiftError:
            continue  # not an export file (an esearch reply, a cassette, ...)
        if path.stat().st_size <= max_bytes or fmt not in found:
            found.setdefault(fmt, []).append(path)
    return found


@dataclass
class Mutant:
    kind: str
    data: bytes
    keeps_records: bool  # every record is still whole: an import must bring them all in


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [data]


def _flip(data: bytes, rng: random.Random) -> Mutant:
    out = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return Mutant("byte flips", bytes(out), False)


def _truncate(data: bytes, rng: random.Random) -> Mutant:
    return Mutant("truncation", data[: rng.randrange(len(data))], False)


def _duplicate_lines(data: bytes, rng: random.Random) -> Mutant:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    lines[at:at] = lines[at : at + rng.randint(1, 3)]
    return Mutant("duplicated lines", b"".join(lines), False)


def _remove_lines(data: bytes, rng: random.Random) -> Mutant:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    del lines[at : at + rng.randint(1, 3)]
    return Mutant("removed lines", b"".join(lines) or b"\n", False)


def _nul(data: bytes, rng: random.Random) -> Mutant:
    at = rng.randrange(len(data) + 1)
    return Mutant("NUL byte", data[:at] + b"\x00" * rng.randint(1, 3) + data[at:], False)


def _encoding(data: bytes) -> str:
    """The file's encoding as the importer would take it (BOM, UTF-8, else Windows-1252)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _decoded(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, decoded without a replacement character). NUL bytes without a BOM
    (UTF-16 that does not say so, or a NUL mutation) leave the encoding a guess: not clean."""
    encoding = _encoding(data)
    try:
        return data.decode(encoding), encoding, encoding == "utf-16" or b"\x00" not in data
    except UnicodeDecodeError:
        return data.decode(encoding, "replace"), encoding, False


def _as_text(
    data: bytes, kind: str, change: Callable[[str], str], encoding: str | None = None
) -> Mutant:
    """change applied to the file's text, written back in encoding (else the file's own):
    every record stays whole only if the text decoded and encodes cleanly."""
    text, found, clean = _decoded(data)
    try:
        return Mutant(kind, change(text).encode(encoding or found), clean)
    except UnicodeEncodeError:
        return Mutant(kind, change(text).encode(encoding or found, "replace"), False)


def _reencode(data: bytes, rng: random.Random) -> Mutant:
    encoding = rng.choice(["utf-16", "utf-16-be", "utf-8-sig", "cp1252", "latin-1", "utf-8"])
    return _as_text(data, f"re-encoded as {encoding}", lambda text: text, encoding)


def _line_ends(data: bytes, rng: random.Random) -> Mutant:
    end = rng.choice(["\r\n", "\r", "\n"])

    def change(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", end)

    return _as_text(data, f"line ends {end!r}", change)


def _leading_bom(data: bytes, rng: random.Random) -> Mutant:
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Mutant("BOM at the start", data, True)
    return Mutant("BOM at the start", codecs.BOM_UTF8 + data, True)


def _mid_bom(data: bytes, rng: random.Random) -> Mutant:
    lines = _lines(data)
    at = rng.randrange(len(lines))
    lines[at] = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE]) + lines[at]
    return Mutant("BOM mid-file", b"".join(lines), False)


def _inside_a_line(data: bytes, rng: random.Random, text: str, kind: str) -> Mutant:
    """text added just before the line end of a random non-blank line past the first."""

    def change(whole: str) -> str:
        lines = re.split("(?<=\n)", whole)
        candidates = [i for i, line in enumerate(lines) if i and line.strip()] or [0]
        at = rng.choice(candidates)
        body = lines[at].rstrip("\r\n")
        lines[at] = body + text + lines[at][len(body) :]
        return "".join(lines)

    return _as_text(data, kind, change)


def _hostile(data: bytes, rng: random.Random) -> Mutant:
    return _inside_a_line(data, rng, HOSTILE, "hostile control characters")


def big_field(size: int) -> Callable[[bytes, random.Random], Mutant]:
    """A mutation adding size bytes of words to a line (a 5 MB abstract, say)."""

    def mutate(data: bytes, rng: random.Random) -> Mutant:
        words = " lorem ipsum dolor" * (size // 18 + 1)
        return _inside_a_line(data, rng, words[:size], f"{size >> 10} KiB field")

    return mutate


MUTATIONS: list[Callable[[bytes, random.Random], Mutant]] = [
    _flip, _truncate, _duplicate_lines, _remove_lines, _nul, _reencode, _line_ends,
    _leading_bom, _mid_bom, _hostile,
]  # fmt: skip


def mutate(
    data: bytes, rng: random.Random, mutations: list[Callable[..., Mutant]] = MUTATIONS
) -> Mutant:
    """One to three mutations drawn from the list, applied one after the other."""
    steps = [rng.choice(mutations) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
    mutant = Mutant("", data, True)
    for step in steps:
        done = step(mutant.data or b"\n", rng)
        kind = f"{mutant.kind} + {done.kind}" if mutant.kind else done.kind
        mutant = Mutant(kind, done.data, mutant.keeps_records and done.keeps_records)
    return mutant


def dump(db: Database) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every row of every table, the temp ones included, in a fixed order."""
    tables = db.execute(
        "SELECT 'main', name FROM sqlite_master WHERE type = 'table' "
        "UNION ALL SELECT 'temp', name FROM sqlite_temp_master WHERE type = 'table' ORDER BY 2"
    ).fetchall()
    return [
        (f"{schema}.{name}", sorted(db.execute(f'SELECT * FROM {schema}."{name}"'), key=repr))
        for schema, name in tables
    ]


@dataclass
class Outcome:
    imported: bool
    clean: bool
    lost: int = 0
    problem: str = ""


def _strings(column: str, value: Any) -> list[str]:
    """The text in a records column: the value, or every string in its JSON."""
    if not isinstance(value, str):
        return []
    if column not in _JSON_COLUMNS:
        return [value]
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, list):
            for x in item:
                walk(x)
        elif isinstance(item, dict):
            for key, x in item.items():
                found.append(key)
                walk(x)

    walk(json.loads(value))
    return found


class ImportCheck:
    """A review holding one real import, put back as it was after every input (SQLite's
    backup API: milliseconds, and the connection stays open)."""

    def __init__(self, db: Database, seed_file: Path, work: Path) -> None:
        self.db = db
        db.execute("PRAGMA synchronous = OFF")  # thousands of small imports: no fsync each
        # a copy one line longer: the fixture itself must not count as imported already
        seed = work / f"seed-{seed_file.name}"
        seed.write_bytes(seed_file.read_bytes() + b"\n")
        import_file(db, seed)
        self.pristine = sqlite3.connect(":memory:")
        db.conn.backup(self.pristine)
        self.before = dump(db)

    def run(self, path: Path, fmt: str, expected: int, keeps_records: bool) -> Outcome:
        """Import path (fmt "auto" or forced) and judge what happened."""
        try:
            summary = import_file(self.db, path, fmt=fmt)
        except MetasiftError as e:
            return self._refused(path, e)
        except Exception:  # anything else is a defect: say where
            self.restore()
            return Outcome(False, False, problem=traceback.format_exc(limit=-3))
        problem = self._controls_left(summary.source_id)
        lost = 0
        if keeps_records and not summary.already_imported:
            lost = max(0, expected - summary.added)
        self.restore()
        return Outcome(True, not problem, lost, problem)

    def _refused(self, path: Path, error: MetasiftError) -> Outcome:
        message = str(error)
        problems = []
        if "\n" in message or "\r" in message or _CONTROL.search(message):
            problems.append(f"not one clean line: {message!r}")
        if not message.startswith(f"{path}: ") or not isinstance(error, ParseError):
            problems.append(f"does not name the file: {message!r}")
        if dump(self.db) != self.before:
            problems.append("the refused import changed the review")
        self.restore()
        return Outcome(False, not problems, problem="; ".join(problems))

    def _controls_left(self, source_id: int) -> str:
        columns = ", ".join(_RECORD_TEXT_COLUMNS)
        rows = self.db.execute(f"SELECT {columns} FROM records WHERE source_id = ?", [source_id])
        for row in rows:
            for name, value in zip(_RECORD_TEXT_COLUMNS, row, strict=True):
                if any(_CONTROL.search(text) for text in _strings(name, value)):
                    return f"a control character in {name}: {value[:80]!r}"
        return ""

    def records_in(self, path: Path) -> int:
        """How many records the file brings in, unmutated (the review is put back)."""
        added = import_file(self.db, path).added
        self.restore()
        return added

    def restore(self) -> None:
        if self.db.conn.in_transaction:
            self.db.conn.rollback()
        self.pristine.backup(self.db.conn)
