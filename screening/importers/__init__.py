"""One reader module per export format, and detection of the format from a file's content.

Every reader module has:
- ``NAME``: the format name users type (``--format ris``);
- ``sniff(head: str) -> bool``: does the start of a file (decoded text, BOM removed) look like it;
- ``read(source: SourceFile, **options) -> Iterator[Citation]``: stream the records, raising
  ``ParseError`` with the file and line (or record number) of anything it cannot read.

A module may also have ``read_fields(source, **options)``, yielding
``(rows.citation_fields(citation), raw)`` pairs; an import then stages those instead, which lets
a reader build them in worker processes (pubmed_xml does).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from db.errors import ParseError
from screening.importers.textfile import SourceFile

# format name -> module; the order is the order detection tries them (most specific first)
FORMATS: dict[str, str] = {
    "xlsx": "xlsx",
    "pubmed-xml": "pubmed_xml",
    "endnote-xml": "endnote_xml",
    "wos-tab": "wos_tab",
    "wos": "wos",
    "medline": "medline",
    "ovid": "ovid",
    "proquest": "proquest",
    "ris": "ris",
    "bibtex": "bibtex",
    "csv": "csv",
}


def reader(name: str) -> ModuleType:
    """The reader module for a format name."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    return importlib.import_module(f"{__name__}.{FORMATS[name]}")


def detect_format(source: SourceFile) -> str:
    """Name the format from the file's content (the extension is only a tie-breaker for CSV)."""
    head = source.head()
    for name in FORMATS:
        if reader(name).sniff(head):
            return name
    raise ParseError(
        source.path,
        f"cannot tell what export format this is; name it with --format ({'|'.join(FORMATS)})",
        line=1,
    )
