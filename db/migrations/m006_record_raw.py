"""A record's raw text moves to its own table, record_raw, so an import writes it in small
committed batches while it parses (why: db/records.py); raw_in_flight lists the raw rows
no record points to yet, under the process writing them."""

from __future__ import annotations

from sqlite_utils import Database


def upgrade(db: Database) -> None:
    db.execute("CREATE TABLE record_raw (id INTEGER PRIMARY KEY, raw TEXT NOT NULL)")
    db.execute("INSERT INTO record_raw (id, raw) SELECT id, raw FROM records")
    db.execute("ALTER TABLE records ADD COLUMN raw_id INTEGER REFERENCES record_raw(id)")
    db.execute("UPDATE records SET raw_id = id")
    db.execute("ALTER TABLE records DROP COLUMN raw")
    db.execute("CREATE UNIQUE INDEX idx_records_raw_id ON records (raw_id)")
    db.execute(
        "CREATE TABLE raw_in_flight (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, "
        "pid INTEGER NOT NULL, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL)"
    )
