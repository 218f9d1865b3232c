"""The per-person event tables: what a reviewer's copy keeps and what merging brings back.

Each table here holds append-only events with a UUID, written by one named person, pointing at
records by local id. `metasift copy --for NAME` keeps only NAME's rows of these tables, and
`metasift merge` adds a copy's rows to the main file by UUID, with record ids mapped through
records.uuid (a copy's local ids may differ from the main file's). A feature that adds such a
table (extraction values, risk-of-bias answers) adds one line to EVENT_TABLES and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventTable:
    name: str
    who: str  # the column naming the person whose event it is
    records: tuple[str, ...]  # columns holding local record ids
    ordered_pair: bool = False  # records are a pair stored lowest id first
    changes_clusters: bool = False  # new rows change the duplicate clusters: re-cluster
    shared: bool = False  # not blinded: a copy keeps everyone's rows (which study, which PDF)
    staged: bool = False  # has a stage column: a stage settled in full blinds nothing any more

    @property
    def label(self) -> str:
        """How a report names the table's events."""
        return LABELS.get(self.name, self.name.replace("_", " "))


EVENT_TABLES: tuple[EventTable, ...] = (
    EventTable("decisions", "reviewer", ("record_id",), staged=True),
    EventTable(
        "dedup_decisions",
        "reviewer",
        ("record_a", "record_b"),
        ordered_pair=True,
        changes_clusters=True,
    ),
    EventTable("resolutions", "adjudicator", ("record_id",), staged=True),
    EventTable("extraction_values", "reviewer", ()),  # about studies, by study UUID
    EventTable("study_links", "reviewer", ("record_id",), shared=True),
    EventTable("full_texts", "reviewer", ("record_id",), shared=True),
    EventTable("rob_answers", "reviewer", ()),  # risk of bias, by study UUID
    EventTable("stopping_events", "reviewer", (), shared=True),  # the team's stop, per stage
)

LABELS = {
    "decisions": "screening decisions",
    "dedup_decisions": "duplicate verdicts",
    "resolutions": "resolutions",
    "extraction_values": "extraction values",
    "study_links": "study links",
    "full_texts": "full texts",
    "rob_answers": "risk-of-bias answers",
    "stopping_events": "decisions to stop screening",
}
