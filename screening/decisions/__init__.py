"""Screening decisions: reviewers deciding on records, stage by stage, as append-only events.

- session: ScreeningSession, one reviewer working through one stage (queue, decide, undo,
  notes, tags, filters, bulk actions);
- filters: which records the screen lists (a status, a tag, a search);
- bulk: one verdict for every record of a filtered list, planned before it is written;
- ledger: one reviewer's events folded into the decisions in force;
- record_view: a record as the screen shows it, with this reviewer's own decision;
- highlight: the protocol's PICOS keywords found in a text;
- export: decision events as CSV or JSON;
- event_tables, copying, merging: a reviewer's own copy of the review, and copies merged back.
"""
