"""A review on disk: review.db and review.toml side by side, opened together."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from db.clock import utc_now
from db.connection import open_review
from db.errors import MetasiftError
from db.storage import storage_error
from screening.protocol import PROTOCOL_VERSION, Protocol, load_protocol, template

DB_NAME = "review.db"
PROTOCOL_NAME = "review.toml"


def resolve(path: Path | str | None) -> Path:
    """The review.db a --review option means: a file, or a folder holding review.db."""
    p = Path(path) if path else Path.cwd()
    return p / DB_NAME if p.is_dir() else p


@dataclass
class Review:
    db: Database
    protocol: Protocol
    path: Path

    @property
    def protocol_path(self) -> Path:
        return self.path.with_name(PROTOCOL_NAME)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Review:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        self.close()
        if isinstance(error, sqlite3.OperationalError):
            problem = storage_error(error, self.path)  # a full disk half-way through a write
            if problem:
                raise problem from error


def init_review(folder: Path | str, title: str = "", question: str = "") -> Path:
    """Write review.db and an annotated review.toml into folder; refuse to overwrite a review."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    db_path, toml_path = folder / DB_NAME, folder / PROTOCOL_NAME
    if db_path.exists() and db_path.stat().st_size == 0:
        raise MetasiftError(f"{db_path}: an empty file, not a review; delete it to start one here")
    if db_path.exists():
        restore = (
            "; to write its missing review.toml back from the copy it keeps, run "
            f"`metasift init --restore-protocol {folder}`"
            if not toml_path.exists()
            else ""
        )
        raise MetasiftError(f"{db_path}: a review already exists here{restore}")
    if not toml_path.exists():
        toml_path.write_text(template(title or folder.resolve().name, question), encoding="utf-8")
    protocol = load_protocol(toml_path)
    db = open_review(db_path, create=True)
    try:
        with db.atomic():
            db.table("review").insert(
                {
                    "id": 1,
                    "uuid": str(uuid.uuid4()),
                    "sample_seed": str(uuid.uuid4()),
                    "title": protocol.title,
                    "created_at": utc_now(),
                }
            )
        snapshot_protocol(db, toml_path.read_text(encoding="utf-8"))
    finally:
        db.close()
    return db_path


def load_review(path: Path | str | None = None) -> Review:
    """Open a review and its protocol, snapshotting the protocol if it changed since last time."""
    db_path = resolve(path)
    db = open_review(db_path)
    try:
        toml_path = db_path.with_name(PROTOCOL_NAME)
        if not toml_path.exists() and _snapshot(db):
            raise MetasiftError(
                f"{toml_path}: the protocol file is missing; `metasift init --restore-protocol "
                f"{db_path.parent}` writes it back from the copy kept in {db_path.name}"
            )
        protocol = load_protocol(toml_path)
        snapshot_protocol(db, toml_path.read_text(encoding="utf-8"))
    except sqlite3.OperationalError as e:
        db.close()
        problem = storage_error(e, db_path)
        if problem:
            raise problem from e
        raise
    except BaseException:
        db.close()
        raise
    return Review(db, protocol, db_path)


def restore_protocol(folder: Path | str) -> Path:
    """Write review.toml back from the newest protocol version kept in review.db; refuses to
    overwrite a review.toml that is there."""
    db_path = resolve(folder)
    toml_path = db_path.with_name(PROTOCOL_NAME)
    if toml_path.exists():
        raise MetasiftError(f"{toml_path}: already there; nothing to restore")
    db = open_review(db_path)
    try:
        text = _snapshot(db)
    finally:
        db.close()
    if text is None:
        raise MetasiftError(f"{db_path}: holds no copy of the protocol to restore")
    toml_path.write_text(text, encoding="utf-8")
    return toml_path


def _snapshot(db: Database) -> str | None:
    """The newest protocol text kept in the review file."""
    last = _last_version(db)
    return str(last["toml"]) if last else None


def _last_version(db: Database) -> dict | None:
    rows = db.table("protocol_versions").rows_where(order_by="id desc", limit=1)
    return next(iter(rows), None)


def snapshot_protocol(db: Database, text: str) -> bool:
    """Keep a copy of the protocol text in the review file when it differs from the last one."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    last = _last_version(db)
    if last and last["sha256"] == digest:
        return False
    with db.atomic():
        db.table("protocol_versions").insert(
            {"version": PROTOCOL_VERSION, "sha256": digest, "toml": text, "created_at": utc_now()}
        )
    return True


def review_uuid(db: Database) -> str:
    return str(db.table("review").get(1)["uuid"])
