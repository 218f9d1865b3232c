"""records.database: the database each record came from, not only its source's.

A file can mix databases (a reference library, a Rayyan or metasift export, a Web of Science
"all databases" search); its source's single name put every record under the first record's
database. Existing records are named here by the same rule new imports use
(db.database_names.record_database: the accession number, else extra["database"]), from the
fields their raw records gave them; where those name nothing, from what the raw record itself
shows that older versions did not read (a link: EBSCO's "db=aph", Ovid's "D=psyc16", a
Cochrane Library address; EndNote's DP "NLM" on PubMed records);
else by their source. Embase.com's MEDLINE records kept their L-number in extra["U2"] before
this version (now it is their source_record_id): they are Embase's, as a new import names them.
"""

from __future__ import annotations

import json
import re

from sqlite_utils import Database

from db.database_names import L_NUMBER, link_database, record_database

# raw texts are read only where they may hold a link or DP line the fields lack (RIS, CSV):
# PubMed XML's would be 1.7 GB for 100,000 records
_RECORDS = (
    "SELECT r.id, r.source_record_id, r.extra, "
    "CASE WHEN s.format IN ('ris', 'csv') THEN x.raw END, s.database FROM records r "
    "JOIN sources s ON s.id = r.source_id LEFT JOIN record_raw x ON x.id = r.raw_id "
    "WHERE r.id > ? ORDER BY r.id LIMIT ?"
)
_BATCH = 5000  # records held at once: raw texts are 14 kB each for PubMed
_ENDNOTE_PUBMED = re.compile(r"^DP  - NLM\s*$", re.MULTILINE)  # EndNote's PubMed records


def upgrade(db: Database) -> None:
    db.execute("ALTER TABLE records ADD COLUMN database TEXT")
    last = 0
    while rows := db.execute(_RECORDS, [last, _BATCH]).fetchall():
        names = [
            (_database(accession, extra) or _raw_database(raw) or source, record_id)
            for record_id, accession, extra, raw, source in rows
        ]
        db.conn.executemany("UPDATE records SET database = ? WHERE id = ?", names)
        last = rows[-1][0]
    # no index: each import's one locked step would maintain it (twice the insert time in a
    # 100,000-row trial) for status's GROUP BY, which takes 0.08 s over 100,000 records without


def _database(accession: str | None, extra: str | None) -> str | None:
    if extra and '"U2"' in extra:
        u2 = json.loads(extra).get("U2") or []
        if any(isinstance(v, str) and L_NUMBER.match(v) for v in u2):
            return "Embase"
    return record_database(accession, extra)


def _raw_database(raw: str | None) -> str | None:
    """What an older version did not read: a link naming the database, EndNote's DP "NLM"."""
    if raw and "DP  - NLM" in raw and _ENDNOTE_PUBMED.search(raw):
        return "PubMed"
    return link_database(raw)
