"""A review on disk: review.db and review.toml side by side, opened together."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from db.clock import utc_now
from db.connection import open_review
from db.errors import MetasiftError
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

    def __exit__(self, *exc: object) -> None:
        self.close()


def init_review(folder: Path | str, title: str = "", question: str = "") -> Path:
    """Write review.db and an annotated review.toml into folder; refuse to overwrite a review."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    db_path, toml_path = folder / DB_NAME, folder / PROTOCOL_NAME
    if db_path.exists():
        raise MetasiftError(f"{db_path}: a review already exists here")
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
        protocol = load_protocol(toml_path)
        snapshot_protocol(db, toml_path.read_text(encoding="utf-8"))
    except BaseException:
        db.close()
        raise
    return Review(db, protocol, db_path)


def snapshot_protocol(db: Database, text: str) -> bool:
    """Keep a copy of the protocol text in the review file when it differs from the last one."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    last = list(db.table("protocol_versions").rows_where(order_by="id desc", limit=1))
    if last and last[0]["sha256"] == digest:
        return False
    with db.atomic():
        db.table("protocol_versions").insert(
            {"version": PROTOCOL_VERSION, "sha256": digest, "toml": text, "created_at": utc_now()}
        )
    return True


def review_uuid(db: Database) -> str:
    return str(db.table("review").get(1)["uuid"])
