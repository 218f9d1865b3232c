"""Extracted values: append-only events per reviewer, the value in force, and what pooling reads.

- ``reported``: the layouts a paper reports an arm's outcome in (mean/SD, median/IQR, events/
  total, ...), their checks as you type, and the mean and SD (or events and total) derived,
  in the outcome's unit, with the method named;
- ``cells``: what a value is about (study field, arm, outcome at a time point) and the event;
- ``ledger``: writing events and reading each reviewer's value in force;
- ``consensus``: dual extraction: per cell, agreed, pending or in conflict, and consensus.
"""
