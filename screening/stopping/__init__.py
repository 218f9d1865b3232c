"""Stopping guidance for prioritised screening, and the team's decision to stop.

- history.py: a reviewer's (or the team's) screening history at a stage, in the order the
  records were screened, read from the review file.
- estimates.py: the figures, each naming its method, parameters and confidence: records
  screened since the last include, a run of excludes, the knee method (Cormack & Grossman
  2016) and the random-sampling test (Callaghan & Mueller-Hansen 2020).
- guidance.py: those figures together with the protocol's own rule, as lines and JSON.
- decision.py: `metasift stop-screening`: the team's stop, an append-only event, and undo.

Nothing here stops anyone: the figures are shown, and people decide.
"""
