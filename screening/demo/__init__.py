"""The example review `metasift demo` builds: real records bundled in data/ (a blue-light
library exported from PubMed and from EndNote, IEBH/RefLib, MIT), a protocol that fits them,
and, with --full, a play of the whole path by fictional reviewers (screening, conflicts,
risk of bias, extraction) through the same core functions the commands use.

example.py creates the review; screening_play.py and extraction_play.py play the rest from
data/play.toml. Every value the abstracts do not report is stored as illustrative (made up,
not from a report), so every sheet, analysis and plot made from it says so.
"""
