"""Deduplication: which records are one paper, decided by rules, by a person, or not at all.

- keys: a record as the comparer sees it (folded title, authors, journal names, locator);
- blocking: candidate pairs from shared keys, so most pairs are never compared;
- scoring: similarities, vetoes and the rules that call a pair duplicate, doubtful or distinct;
- union_find: clusters from links, with a transitivity guard; membership: clusters, canonical
  records and the doubtful queue from stored verdicts and people's decisions; canonical: which
  record speaks for a cluster ([dedup] source_priority in review.toml);
- engine: a run over a review (incremental); pair_review: a person deciding doubtful pairs;
  clusters: splitting a cluster, exporting them all; parallel: two processes where it pays.

Nothing here deletes a record or rewrites a screening decision (db/dedup.py has the tables).
"""
