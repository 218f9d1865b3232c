"""A record as the screen shows it: the citation, where it was found, where its full text is,
and this reviewer's own decision on it (nobody else's)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from db.dedup import found_in as cluster_databases
from db.sources import shown_for
from db.studies import attached_locations
from screening.citation import Citation
from screening.decisions.ledger import Decision
from screening.rows import row_citation


@dataclass(frozen=True)
class RecordView:
    id: int
    uuid: str
    citation: Citation
    found_in: tuple[str, ...]  # "PubMed (pubmed.xml)", one per source
    full_text: tuple[str, ...]  # at full text: PDF paths and links, the likeliest first
    decision: Decision | None  # this reviewer's decision in force at this stage
    earlier: Decision | None = None  # at full text: this reviewer's title/abstract decision
    draft: tuple[str | None, tuple[str, ...]] | None = None  # note and tags not yet saved

    @property
    def note(self) -> str | None:
        return self.draft[0] if self.draft else self.decision.note if self.decision else None

    @property
    def tags(self) -> tuple[str, ...]:
        return self.draft[1] if self.draft else self.decision.tags if self.decision else ()


def load_record(
    db: Database,
    record_id: int,
    *,
    decision: Decision | None = None,
    earlier: Decision | None = None,
    draft: tuple[str | None, tuple[str, ...]] | None = None,
    full_text: bool = False,
) -> RecordView:
    row = next(db.query("SELECT * FROM records WHERE id = ?", [record_id]))
    shown = shown_for(db, record_id)  # a duplicate in force, while this one's source is removed
    if shown != record_id:
        row = {**next(db.query("SELECT * FROM records WHERE id = ?", [shown])), "uuid": row["uuid"]}
    citation = row_citation(row)
    return RecordView(
        id=record_id,
        uuid=row["uuid"],
        citation=citation,
        found_in=found_in(db, row),
        full_text=full_text_locations(db, record_id, citation) if full_text else (),
        decision=decision,
        earlier=earlier,
        draft=draft,
    )


def found_in(db: Database, row: dict) -> tuple[str, ...]:
    """The databases that returned this record or a duplicate of it, its own source first with
    the file (or query) it came in."""
    own = next(
        db.query("SELECT database, file_name, query FROM sources WHERE id = ?", [row["source_id"]])
    )
    detail = own["file_name"] or own["query"]
    first = f"{own['database']} ({detail})" if detail else own["database"]
    others = [name for name in cluster_databases(db, row["id"]) if name != own["database"]]
    return (first, *others)


def full_text_locations(db: Database, record_id: int, citation: Citation) -> tuple[str, ...]:
    """Where the full text may be: the PDFs and links attached to the report, links an import
    carried (RIS L1/UR, ...), then the DOI, PubMed Central and PubMed pages."""
    found = attached_locations(db, record_id)  # `metasift fulltext attach`, newest first
    urls = sorted(citation.urls, key=lambda u: not u.lower().split("?")[0].endswith(".pdf"))
    found += urls
    if citation.doi:
        found.append(f"https://doi.org/{citation.doi}")
    if citation.pmcid:
        found.append(f"https://www.ncbi.nlm.nih.gov/pmc/articles/{citation.pmcid}/")
    if citation.pmid:
        found.append(f"https://pubmed.ncbi.nlm.nih.gov/{citation.pmid}/")
    return tuple(dict.fromkeys(found))
