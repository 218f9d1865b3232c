"""The extraction form: what review.toml's [extraction] table asks reviewers to extract.

- ``form``: Form (study fields, outcomes with their units and time points, comparisons, extra
  unit factors) parsed from the [extraction] table, with errors naming the key at fault.
"""
