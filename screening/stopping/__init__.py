"""Stopping guidance for prioritised screening, and the team's decision to stop.

- history.py: a reviewer's (or the team's settled) screening history at a stage, in the
  order the records were screened, folded from the decision events.
- estimates.py: records since the last include, a run of excludes with its zero-event
  bound, the knee method (Cormack & Grossman 2016); random_sample.py: the random-sampling
  test (Callaghan & Mueller-Hansen 2020). Each figure names its method, parameters and
  confidence, or says why it cannot be computed.
- guidance.py: those figures beside the protocol's own rule, as lines and JSON.
- decision.py: `metasift stop-screening`: the team's stop as an append-only event, and undo;
  report.py: what `metasift status` says about it.

Nothing here stops anyone: the figures are shown, and people decide.
"""
