"""Create the example review: a folder with the bundled protocol, the two bundled search
exports (copied into searches/ with their licence), imported and deduplicated."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from db.errors import MetasiftError
from screening.dedup.canonical import DedupSettings
from screening.dedup.engine import run_dedup
from screening.importing import import_file
from screening.review import DB_NAME, PROTOCOL_NAME, init_review, load_review

DEFAULT_FOLDER = "metasift-demo"
# the bundled exports, in the order they are imported, and the files that travel with them
SEARCHES = ("blue-light.nbib", "blue-light_endnote.ris")
BESIDE = ("LICENSE", "SOURCES.md")
Say = Callable[[str], None]


def data_file(name: str) -> resources.abc.Traversable:
    """A file of the bundled example (screening/demo/data/)."""
    return resources.files("screening.demo").joinpath("data", name)


def new_folder(parent: Path) -> Path:
    """A folder name in parent that nothing uses yet: metasift-demo, then metasift-demo-2..."""
    candidate, number = parent / DEFAULT_FOLDER, 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{DEFAULT_FOLDER}-{number}"
    return candidate


def create_example_review(folder: Path, say: Say) -> Path:
    """Write the example review into folder (made if missing) and return its review.db;
    refuses a folder that already holds a review."""
    for name in (DB_NAME, PROTOCOL_NAME):
        if (folder / name).exists():
            raise MetasiftError(
                f"{folder / name}: a review is already here; the demo never overwrites one "
                "(name a new folder: `metasift demo NEW_FOLDER`)"
            )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROTOCOL_NAME).write_text(data_file("review.toml").read_text("utf-8"), "utf-8")
    db_path = init_review(folder)
    say(f"Created {db_path} and {folder / PROTOCOL_NAME}: the protocol (PICOS for blue light "
        "and acne, reviewers ana and ben, adjudicator cleo, an extraction form)")  # fmt: skip
    searches = _copy_searches(folder)
    say(f"Copied the bundled searches to {searches}/ ({', '.join(SEARCHES)}), with their "
        "licence and sources")  # fmt: skip
    _import_and_dedup(db_path, [searches / name for name in SEARCHES], say)
    return db_path


def _copy_searches(folder: Path) -> Path:
    searches = folder / "searches"
    searches.mkdir(exist_ok=True)
    for name in (*SEARCHES, *BESIDE):
        with resources.as_file(data_file(name)) as bundled:
            shutil.copyfile(bundled, searches / name)
    return searches


def _import_and_dedup(db_path: Path, files: list[Path], say: Say) -> None:
    with load_review(db_path) as review:
        for path in files:
            summary = import_file(review.db, path)
            say(f"Imported {path.name}: {summary.added} records from {summary.database} "
                f"({summary.format}), source #{summary.source_id}")  # fmt: skip
        found = run_dedup(review.db, DedupSettings(review.protocol.source_priority))
        kept = found.records - sum(found.removed.values())
        say(f"Deduplicated: {found.records} records, {found.clusters} clusters of duplicates "
            f"found, {kept} records left to screen")  # fmt: skip
