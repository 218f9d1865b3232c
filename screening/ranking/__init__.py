"""Prioritised screening: a model learns from a reviewer's decisions and orders the records
they have not screened yet, the likely includes first.

Pure core (no Textual, no click). scikit-learn and numpy are imported by the modules that
use them, never by this package's __init__, so `metasift --help` stays fast.

- texts.py: what the model reads of a record (title, abstract, keywords, MeSH);
- features.py: those texts as a matrix (TF-IDF words and bigrams, MeSH and keywords as terms);
- model.py: the classifier, retrained on the decisions so far, scoring the rest;
- simulation.py and metrics.py: a review replayed on a fully labelled set (`metasift simulate`);
- labelled.py: reading such a set from CSV;
- live.py: the ranking a reviewer sees in `metasift screen`, retrained off the screen's thread.
"""
