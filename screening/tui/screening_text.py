"""Words and lines the screening screen draws: labels, the progress line, counts."""

from __future__ import annotations

from rich.text import Text

from db.plurals import counted
from screening.decisions.session import Counts, ScreeningSession
from screening.tui.widgets.record_card import VERDICT_LOOK

STAGE_LABELS = {"title-abstract": "Title/abstract", "full-text": "Full text"}
VERBS = {
    "include": "Include",
    "exclude": "Exclude",
    "maybe": "Maybe",
    "not-retrieved": "Not retrieved",
}
PALETTE_TITLES = {
    "exclude": "Exclude, with a reason",
    "not_retrieved": "Not retrieved: full text not obtained",
    "undo": "Undo your last decision, note or tags",
    "note": "Note on this record",
    "tag": "Tag this record",
    "next": "Next record",
    "previous": "Previous record",
    "next_undecided": "Next undecided record",
    "search": "Search records",
    "filter": "Filter by decision or tag",
    "bulk": "Bulk decision on the filtered list",
    "highlight": "Toggle PICOS keyword highlighting",
    "open": "Open the PDF or link",
    "order": "Order: most likely first, import or random",
    "page_down": "Scroll the abstract down",
    "page_up": "Scroll the abstract up",
}
FILTER_LABELS = {
    "all": "All records",
    "undecided": "Undecided",
    "include": "Included",
    "exclude": "Excluded",
    "maybe": "Maybe",
    "not-retrieved": "Not retrieved",
}


def progress_text(counts: Counts, compact: bool = False) -> Text:
    """A bar of this reviewer's decided share of the stage, then the counts per verdict
    (symbols only when the terminal is narrow)."""
    share = counts.decided / counts.total if counts.total else 0.0
    width = 12 if compact else 24
    done = round(share * width)
    out = Text()
    out.append("━" * done, "#66bb6a")
    out.append("━" * (width - done), "#3a3f4b")
    out.append(f" {share:4.0%}  {counts.decided:,} of {counts.total:,}")
    out.append("" if compact else " decided")
    for verdict, n in counts.verdicts.items():
        symbol, _, label = VERDICT_LOOK[verdict][0].partition(" ")
        out.append("  " if compact else " · ")
        item = f"{symbol} {n:,}" + ("" if compact else f" {label.lower()}")
        out.append(item, VERDICT_LOOK[verdict][1])
    out.append(f"  {counts.undecided:,} to go" if compact else f" · {counts.undecided:,} to go")
    return out


def records(n: int) -> str:
    return counted(n, "record")


def empty_message(s: ScreeningSession) -> str:
    """What the card (and a key that needs a record) says when the list is empty."""
    if s.pool and not s.view:
        return "No record matches this filter. Esc clears it."
    if s.stage == "full-text":
        # the list is the team's title/abstract outcome once colleagues screen too (queue.py)
        return (
            "No records for full text yet: nothing included or marked maybe at title/abstract "
            f"is waiting for a decision from {s.reviewer}."
        )
    return "This review has no records yet: metasift import FILE..."


def annotated(what: str, cleared: bool, saved: bool, record_id: int) -> str:
    """The status after a note or tags are set on a record: saved with its decision, or kept
    until it has one (a decision event carries them)."""
    if cleared:
        return f"{what} cleared"
    if saved:
        return f"{what} saved"
    they = "they are" if what == "Tags" else "it is"
    return f"{what} kept, not saved yet: {they} saved when you decide #{record_id}"


def unsaved_text(record_ids: list[int]) -> str:
    """The question before quitting with notes or tags on undecided records."""
    n = len(record_ids)
    named = ", ".join(f"#{r}" for r in record_ids[:5]) + (f" and {n - 5:,} more" if n > 5 else "")
    which = "this record has" if n == 1 else "these records have"
    return (
        f"Not saved yet: the note or tags on {counted(n, 'record')} ({named}). They are saved "
        f"with your decision on a record, and {which} none yet.\n"
        f"Quit anyway and lose them? (n: stay, then decide {'it' if n == 1 else 'them'})"
    )
