"""A real review (the fixture PubMed records) with hostile text written straight into its
database, as an older review imported before control characters were stripped may hold it."""

from __future__ import annotations

import json
from pathlib import Path

from db.connection import open_review

# sets the terminal's title, then clears the screen; \x9b is the one-byte (C1) form of ESC [
HOSTILE = "Evil \x1b]0;PWNED\x07 \x1b[2J red\x9b"
SHOWN = "Evil \\x1b]0;PWNED\\x07 \\x1b[2J red\\x9b"  # as visible() prints it


def poison(db_path: Path, record_ids: tuple[int, ...] = (1,)) -> None:
    """Write HOSTILE into the records' title, abstract, authors, journal and keywords, their
    sources' file names and any decision notes on them."""
    db = open_review(db_path)
    marks = ", ".join("?" for _ in record_ids)
    try:
        with db.atomic():
            db.execute(
                "UPDATE records SET title = ?, abstract = ? || coalesce(abstract, ''), "
                f"authors = ?, journal = ?, keywords = ? WHERE id IN ({marks})",
                [HOSTILE, HOSTILE, json.dumps([HOSTILE]), HOSTILE, json.dumps([HOSTILE])]
                + list(record_ids),
            )
            db.execute(
                "UPDATE sources SET file_name = ? || file_name WHERE id IN "
                f"(SELECT source_id FROM records WHERE id IN ({marks}))",
                [HOSTILE, *record_ids],
            )
            if "decisions" in db.table_names():
                db.execute(
                    f"UPDATE decisions SET note = ? WHERE record_id IN ({marks})",
                    [HOSTILE, *record_ids],
                )
    finally:
        db.close()


def raw_controls(text: str) -> set[str]:
    """The control characters in text (tab and newline aside), as hex."""
    return {
        hex(ord(c)) for c in text if (ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F
    }
