"""The review, its protocol versions, sources, records, studies and reports."""

from __future__ import annotations

from sqlite_utils import Database


def upgrade(db: Database) -> None:
    db.table("review").create(
        {"id": int, "uuid": str, "title": str, "created_at": str},
        pk="id",
        not_null={"uuid", "created_at"},
    )
    db.table("protocol_versions").create(
        {"id": int, "version": int, "sha256": str, "toml": str, "created_at": str},
        pk="id",
        not_null={"sha256", "toml", "created_at"},
    )
    # One import of a file or one harvest of a database: PRISMA's "identified per database"
    db.table("sources").create(
        {
            "id": int,
            "kind": str,  # "file" or "search"
            "database": str,  # PubMed, Embase, Web of Science, ...
            "file_name": str,
            "sha256": str,
            "format": str,
            "encoding": str,
            "query": str,
            "query_translation": str,
            "details": str,  # JSON: search window, counts, warnings
            "imported_at": str,
            "record_count": int,
        },
        pk="id",
        not_null={"kind", "database", "imported_at"},
    )
    db.table("sources").create_index(["sha256"], unique=True)
    db.table("records").create(
        {
            "id": int,
            "uuid": str,
            "source_id": int,
            "position": int,  # order in the source file, from 1
            "source_record_id": str,
            "record_type": str,
            "title": str,
            "abstract": str,
            "abstract_sections": str,  # JSON [{"label": ..., "text": ...}]
            "authors": str,  # JSON list of names
            "year": int,
            "journal": str,
            "journal_abbrev": str,
            "volume": str,
            "issue": str,
            "pages": str,
            "doi": str,
            "pmid": str,
            "pmcid": str,
            "issn": str,
            "language": str,
            "publication_types": str,  # JSON list
            "mesh_terms": str,  # JSON list
            "keywords": str,  # JSON list
            "urls": str,  # JSON list
            "extra": str,  # JSON object
            "raw": str,  # the record verbatim, as it stood in the file
            "line": int,
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
        not_null={"uuid", "source_id", "raw"},
    )
    db.table("records").create_index(["uuid"], unique=True)
    db.table("records").create_index(["source_id", "position"], unique=True)
    for column in ("doi", "pmid"):
        db.table("records").create_index([column])
    # A report is a record that reached full text (the document sought and assessed); a study
    # groups the reports of one trial. PRISMA counts records, reports and studies separately.
    db.table("studies").create(
        {"id": int, "uuid": str, "label": str, "created_at": str},
        pk="id",
        not_null={"uuid", "created_at"},
    )
    db.table("reports").create(
        {
            "id": int,
            "record_id": int,
            "study_id": int,
            "location": str,  # PDF path or link
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("record_id", "records", "id"), ("study_id", "studies", "id")],
        not_null={"record_id", "created_at"},
    )
    db.table("reports").create_index(["record_id"], unique=True)
    db.create_view(
        "records_with_sources",
        """
        SELECT r.id, r.uuid, r.title, r.year, r.journal, r.doi, r.pmid,
               s.database, s.file_name, s.kind AS source_kind, r.source_record_id,
               s.id AS source_id, s.imported_at
        FROM records r JOIN sources s ON s.id = r.source_id
        """,
    )
