"""Small real reviews for the screening tests: fixture PubMed XML files imported for real.

The protocol is written for the tests (its keywords are chosen to hit these records); the
records are the real PubMed records of tests/fixtures/entrez.
"""

from __future__ import annotations

from pathlib import Path

from db.connection import open_review
from screening.importing import import_file
from screening.review import PROTOCOL_NAME, init_review
from tests.conftest import FIXTURES

ENTREZ = FIXTURES / "entrez"
# In import order: record ids 1-6, 7-8, 9, 10.
FILES = (
    ENTREZ / "hawc" / "efetch_6_records.xml",
    ENTREZ / "hawc" / "efetch_charrefs_23878845_16080930.xml",
    ENTREZ / "biopython" / "pubmed5.xml",
    ENTREZ / "hawc" / "efetch_pubmedbookarticle_genereviews_20301382.xml",
)
FIRST_TITLE = (  # as imported: without PubMed's closing full stop
    "Genomic loss of microRNA-101 leads to overexpression of histone methyltransferase EZH2 "
    "in cancer"
)
RCT_PMID = "23878845"  # record 7: chlorhexidine RCT, structured abstract
RATS_PMID = "16080930"  # record 8: fetal rats
LONG_PMID = "20301382"  # record 10: GeneReviews chapter, ~6,700-character abstract, a Review

PROTOCOL = """\
version = 1
title = "Chlorhexidine for postoperative sensitivity"
question = "Does chlorhexidine reduce postoperative sensitivity in adults?"

[picos.population]
include = ["participants", "patients", "humans"]
exclude = ["rats", "mice", "animal*"]

[picos.intervention]
include = ["chlorhexidine", "vitamin*"]
exclude = ["pesticide*"]

[picos.comparator]
include = ["placebo", "control group"]

[picos.outcomes]
include = ["sensitivity", "hypoplasia"]

[picos.study_designs]
include = ["randomized", "clinical trial", "cohort"]
exclude = ["review", "news"]

[screening]
stages = ["title-abstract", "full-text"]
exclusion_reasons = [
    "wrong population",
    "wrong intervention",
    "wrong comparator",
    "wrong outcome",
    "wrong study design",
    "duplicate",
    "other",
]
reason_required = { title-abstract = false, full-text = true }
reviewers = [{reviewers}]
"""


def make_review(
    folder: Path, files: tuple[Path, ...] = FILES, reviewers: tuple[str, ...] = ("ana", "ben")
) -> Path:
    """A review folder with the test protocol and the files imported; returns its review.db."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ", ".join(f'"{name}"' for name in reviewers)
    (folder / PROTOCOL_NAME).write_text(PROTOCOL.replace("{reviewers}", names), encoding="utf-8")
    db_path = init_review(folder)
    db = open_review(db_path)
    try:
        for path in files:
            import_file(db, path)
        # import_file leaves its transaction to the caller's connection; make it durable
        if db.conn.in_transaction:
            db.conn.commit()
    finally:
        db.close()
    return db_path
