"""Screening decisions: reviewers deciding on records, stage by stage, as append-only events.

One reviewer at work:
- session: ScreeningSession, one reviewer working through one stage (queue, decide, undo,
  notes, tags, filters, bulk actions); queue: the list when the team's work shapes it
  (settled records leave it, the pilot round first); filters, bulk: listing and bulk verdicts;
- ledger: one reviewer's events folded into the decisions in force;
- verdict_rules: what the protocol allows a verdict to be at a stage;
- record_view, highlight: a record as the screen shows it, PICOS keywords found in it.

The team:
- team: who is asking, checked against review.toml's reviewers and adjudicators;
- outcome: THE rule for a cluster's outcome (resolution, agreement, pending, conflict);
  stage_outcomes: every cluster of a stage with its votes and outcome, from the views;
- blinding: what the person asking may see of others' work;
- resolving: conflicts settled by an adjudicator; progress: status per stage;
- agreement_stats, agreement: kappa and its kin, per stage and pair of reviewers;
- event_tables, copying, merging: a reviewer's own copy of the review, and copies merged back;
- imported (+ import_formats/): another tool's decisions as a reviewer's events;
- export: decision events as CSV or JSON.
"""
