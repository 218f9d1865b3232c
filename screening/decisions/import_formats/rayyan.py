"""Rayyan's review export (CSV or RIS): every record's screening sits in its notes.

Rayyan writes the notes (the CSV "notes" column, the RIS N1 tag) as sections split by " | ",
as in the real exports in tests/fixtures/decisions/:

    RAYYAN-INCLUSION: {"Zbys"=>"Excluded", "m.el-gohary"=>"Included"} | RAYYAN-LABELS: M.el-G
    please review | RAYYAN-EXCLUSION-REASONS: wrong population,background article

- RAYYAN-INCLUSION holds one verdict per reviewer (Included, Excluded, Maybe); a reviewer
  missing from it has not decided that record, which is skipped.
- RAYYAN-EXCLUSION-REASONS are the record's, not one reviewer's (Rayyan does not say whose);
  they go with an exclusion only: the first is its reason, and when there are several the
  note lists them all (a decision keeps one reason, as PRISMA reports one).
- RAYYAN-LABELS become the decision's tags.
- USER-NOTES: {"name"=>["a note", ...]} is read as that reviewer's note. No real export with
  notes was found; the form is the one tools reading Rayyan exports parse.

A file holding several reviewers' verdicts needs to be told whose to take (--name-in-file),
unless one of them is the metasift reviewer's own name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from db.errors import ParseError
from screening.decisions.import_formats import (
    Export,
    ExportRow,
    Options,
    column,
    ris_notes,
    ris_records,
    table_rows,
)
from screening.importers.textfile import SourceFile
from screening.normalise import clean, normalise_doi, normalise_pmid

_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\])')
_VERDICTS = {"included": "include", "excluded": "exclude", "maybe": "maybe"}

Parsed = tuple[int, str | None, str | None, str | None, dict[str, str]]


def read(path: Path, options: Options) -> Export:
    head = SourceFile.open(path).head()
    parsed = _ris(path) if head.lstrip().startswith("TY  -") else _csv(path)
    if not any("RAYYAN-INCLUSION" in sections for *_, sections in parsed):
        raise ParseError(path, "no RAYYAN-INCLUSION notes: is this a Rayyan export?", line=1)
    people = sorted({p for *_, s in parsed for p in _pairs(s.get("RAYYAN-INCLUSION", ""))})
    person = _whose(path, people, options)
    return Export([_row(path, p, person) for p in parsed], person=person)


def _ris(path: Path) -> list[Parsed]:
    return [
        (n, c.title, c.doi, c.pmid, _sections(" | ".join(ris_notes(c))))
        for n, c in enumerate(ris_records(path), start=1)
    ]


def _csv(path: Path) -> list[Parsed]:
    header, rows = table_rows(path)
    notes, pmid = column(header, "notes"), column(header, "pubmed_id", "pmid")
    title, doi = column(header, "title"), column(header, "doi")
    if notes is None or title is None:
        raise ParseError(path, "no title and notes columns: is this a Rayyan export?", line=1)
    return [
        (
            n,
            clean(row.get(title)),
            normalise_doi(row.get(doi or "")),
            normalise_pmid(row.get(pmid or "")),
            _sections(row.get(notes) or ""),
        )
        for n, (_, row) in enumerate(rows, start=1)
    ]


def _sections(notes: str) -> dict[str, str]:
    """{"RAYYAN-INCLUSION": '{"a"=>"Included"}', ...} from one record's notes."""
    sections = {}
    for part in notes.split(" | "):
        key, sep, value = part.strip().partition(": ")
        if sep and (key.startswith("RAYYAN-") or key == "USER-NOTES"):
            sections[key] = value.strip()
    return sections


def _pairs(value: str) -> dict[str, str]:
    """{"name": "Included"} (or a JSON list of notes, as text) from a Ruby-style hash."""
    return {json.loads(f'"{name}"'): raw for name, raw in _PAIR.findall(value)}


def _whose(path: Path, people: list[str], options: Options) -> str:
    """The name given, else the only reviewer in the file, else the metasift reviewer's own."""
    wanted = options.person
    if wanted:
        if wanted not in people:
            raise ParseError(path, f"no verdicts of {wanted!r} here; it holds {_names(people)}")
        return wanted
    if len(people) == 1:
        return people[0]
    if options.reviewer in people:
        return options.reviewer
    raise ParseError(
        path, f"it holds the verdicts of {_names(people)}: say whose with --name-in-file"
    )


def _names(people: list[str]) -> str:
    return ", ".join(repr(p) for p in people) or "nobody"


def _row(path: Path, parsed: Parsed, person: str) -> ExportRow:
    number, title, doi, pmid, sections = parsed
    said = _pairs(sections.get("RAYYAN-INCLUSION", "")).get(person)
    verdict = _VERDICTS.get(json.loads(said).casefold()) if said else None
    if said and verdict is None:
        raise ParseError(path, f"row {number}: unknown Rayyan verdict {said}")
    listed = sections.get("RAYYAN-EXCLUSION-REASONS") if verdict == "exclude" else None
    reasons = [r.strip() for r in (listed or "").split(",") if r.strip()]
    labels = (sections.get("RAYYAN-LABELS") or "").split(",")
    notes = _pairs(sections.get("USER-NOTES", "")).get(person)
    said_notes = json.loads(notes) if notes and notes.startswith("[") else []
    if len(reasons) > 1:  # a decision keeps one reason (PRISMA reports one); say them all
        said_notes.append(f"exclusion reasons in Rayyan: {', '.join(reasons)}")
    return ExportRow(
        number,
        title,
        doi,
        pmid,
        verdict,
        reason=reasons[0] if reasons else None,
        note=clean("; ".join(said_notes)),
        tags=tuple(t.strip() for t in labels if t.strip()),
    )
