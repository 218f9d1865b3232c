"""Full texts for reports: where a PDF or link is stored, and a folder of PDFs matched to
reports by the DOI or PMID in their file names.

A path is stored relative to the review folder (with / between parts), so a copy of the
review on another machine, with its PDFs beside it, still finds them; a URL is stored as it
is given. Nothing is fetched: a link is only remembered, and opened when asked.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from db.errors import MetasiftError
from extraction.studies.grouping import Report

URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
PMID_IN_NAME = re.compile(r"(?<!\d)\d{5,9}(?!\d)")  # 4 digits would be a year
REVIEW_FILES = ("review.db", "review.toml")
MIN_DOI = 8  # a DOI squashed to fewer characters could sit inside any name by chance


def stored_location(review_folder: Path, given: str) -> str:
    """How a PDF path or a link is stored: a URL as given, a file relative to the review
    folder (absolute only where no relative path leads there, another drive on Windows)."""
    if URL.match(given):
        return given
    path = Path(given).expanduser()
    if not path.is_file():
        raise MetasiftError(f"{given}: no such file (give a PDF's path or a link)")
    try:
        return Path(os.path.relpath(path.resolve(), review_folder.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


@dataclass
class FolderMatch:
    """What a folder's files matched, by file, in name order."""

    matched: list[tuple[Path, Report, str]] = field(default_factory=list)  # how: "DOI ..."
    already: list[tuple[Path, Report]] = field(default_factory=list)  # attached before
    ambiguous: list[tuple[Path, list[int]]] = field(default_factory=list)  # record ids
    unmatched: list[Path] = field(default_factory=list)

    def missing(self, reports: list[Report]) -> list[Report]:
        """Reports still without a full text once the matches are attached."""
        found = {r.outcome.cluster_id for _, r, _ in self.matched}
        found |= {r.outcome.cluster_id for _, r in self.already}
        return [r for r in reports if not r.full_texts and r.outcome.cluster_id not in found]


def squash(text: str) -> str:
    """Letters and digits only, lower case: a DOI written in a file name loses its / (to _,
    -, %2F or nothing), so both sides are compared this way."""
    return re.sub(r"[^0-9a-z]", "", unquote(text).casefold())


def match_folder(folder: Path, reports: list[Report], review_folder: Path) -> FolderMatch:
    """Match each file in the folder (and its subfolders; hidden files and the review's own
    left out) to the report whose DOI its name holds, else whose PMID it holds."""
    if not folder.is_dir():
        raise MetasiftError(f"{folder}: not a folder")
    dois = [(squash(m["doi"]), r) for r in reports for m in r.members if m["doi"]]
    dois = [(d, r) for d, r in dois if len(d) >= MIN_DOI]
    pmids = {str(m["pmid"]): r for r in reports for m in r.members if m["pmid"]}
    result = FolderMatch()
    files = (p for p in sorted(folder.rglob("*")) if p.is_file())
    for path in (p for p in files if not p.name.startswith(".") and not _review_file(p)):
        name = unquote(path.stem)
        found = _longest([(r, d) for d, r in dois if d in squash(name)])
        how = "DOI"
        if not found:
            found = [(pmids[n], n) for n in PMID_IN_NAME.findall(name) if n in pmids]
            found = list({id(r): (r, n) for r, n in found}.values())
            how = "PMID"
        _place(result, path, found, how, review_folder)
    return result


def _review_file(path: Path) -> bool:
    """review.db (with its -wal and -shm) and review.toml, when the folder is the review's."""
    return path.name.startswith(REVIEW_FILES)


def _longest(found: list[tuple[Report, str]]) -> list[tuple[Report, str]]:
    """The reports whose DOI is the longest found: 10.1/abc12 in a name holds 10.1/abc1."""
    longest = max((len(d) for _, d in found), default=0)
    return list({id(r): (r, d) for r, d in found if len(d) == longest}.values())


def _place(
    result: FolderMatch, path: Path, found: list[tuple[Report, str]], how: str, review: Path
) -> None:
    if not found:
        result.unmatched.append(path)
    elif len(found) > 1:
        result.ambiguous.append((path, sorted(r.record_id for r, _ in found)))
    else:
        report, key = found[0]
        stored = stored_location(review, str(path))
        if any(t.target == stored for t in report.full_texts):
            result.already.append((path, report))
        else:
            label = key if how == "PMID" else _doi_of(report, key)
            result.matched.append((path, report, f"{how} {label}"))


def _doi_of(report: Report, squashed: str) -> str:
    return next(m["doi"] for m in report.members if m["doi"] and squash(m["doi"]) == squashed)
