"""Every veto and rule, on real pairs from the labelled sets (tests/fixtures/dedup/sample.csv).

Each pair is named by the records' ids in the sample; the comment says what the records are
and whether the labelled set calls them one record (same) or two (different).
"""

from __future__ import annotations

import pytest

from screening.dedup.keys import Keys
from screening.dedup.scoring import (
    DISTINCT,
    DOUBTFUL,
    DUPLICATE,
    compare,
    journal_similarity,
    title_similarities,
    title_similarity,
    veto,
)
from tests.dedup_support import TRUTH, keys_by_source_id, rules_left_out, templates

pytest_plugins = ("tests.dedup_fixtures",)

CASES = [
    # same DOI, one of them written as a dx.doi.org link (Int J Cardiol 2017)
    ("DIAB00411", "DIAB00908", DUPLICATE, "doi"),
    # different DOIs on one abstract: Embase gave it the DOI of another journal (Appetite 2012,
    # e24, "10.1016/j.regpep..."), which a record of the same title shows (see below)
    ("DIAB01074", "DIAB01080", DUPLICATE, "title-journal-page"),
    # different DOIs, different abstracts: Diabetologia and Diabetes 2012 on lixisenatide
    ("DIAB00619", "DIAB01397", DISTINCT, "different-doi"),
    # an erratum next to its article (Journal of the Neurological Sciences)
    ("SRA01354", "SRA03635", DISTINCT, "notice"),
    ("DW05709", "DW06680", DISTINCT, "notice"),
    # FOCUS 1 and FOCUS 2: two trials, titles alike but for the number
    ("SRA01452", "SRA01917", DISTINCT, "part-number"),
    # ICIS 2013 proceedings, Volume 3 and Volume 1
    ("DW02257", "DW02289", DISTINCT, "part-number"),
    # a 2010 conference abstract and the 2013 paper with the same title
    ("DIAB00085", "DIAB00715", DISTINCT, "year-gap"),
    # the same abstract title in Diabetes (61 suppl, A254) and Diabetologia (55 suppl, S334)
    ("DIAB00632", "DIAB01526", DISTINCT, "volume-pages"),
    # MIS Quarterly's "Editor's Comments" of 2002 and 2001
    ("DW00605", "DW00886", DISTINCT, "generic-title"),
    # "ESICON 2017 Abstracts": a recurring title, but the same supplement issue
    ("DIAB00249", "DIAB01217", DUPLICATE, "title-authors-journal"),
    # a Circulation 2017 conference abstract and the Int J Cardiol 2017 paper
    ("DIAB00028", "DIAB00411", DISTINCT, "venue-differs"),
    # a FASEB 2013 meeting abstract and a Diabetes 2012 abstract: different venues, same title
    ("DIAB00272", "DIAB00998", DOUBTFUL, "similar"),
    # "MEDICAL PROGRESS Atypical Hemolytic-Uremic Syndrome" and the plain title, NEJM 361:1676
    ("SRA01148", "SRA01889", DUPLICATE, "title-locator"),
    # "... for lung cancer" and "... for lung cancer. Surgical considerations", J Thorac 72:333
    ("SRA00740", "SRA03644", DUPLICATE, "title-locator"),
    # volume "1" (what remained of "62 Suppl 1") against 62, same page A126 of Diabetes 2013
    ("DIAB00008", "DIAB01468", DUPLICATE, "title-journal-page"),
    # German title and its English translation, Industrielle Beziehungen 27(2):205-226
    ("DW00091", "DW02540", DOUBTFUL, "translated-title"),
    # a supplement DOI shared by unrelated abstracts is forgotten, not matched
    ("DIAB00005", "DIAB00117", DISTINCT, "title"),
]


@pytest.mark.parametrize(("a", "b", "outcome", "rule"), CASES)
def test_pair_is_decided_by_the_expected_rule(
    sample_keys: dict[str, Keys],
    a: str,
    b: str,
    outcome: str,
    rule: str,
) -> None:
    verdict = compare(sample_keys[a], sample_keys[b])
    assert (verdict.outcome, verdict.rule) == (outcome, rule)
    assert compare(sample_keys[b], sample_keys[a]).outcome == outcome  # order does not matter


def test_no_automatic_merge_contradicts_the_labels() -> None:
    # the cases' expectations agree with the labelled sets wherever they merge automatically
    for a, b, outcome, _ in CASES:
        if outcome == DUPLICATE:
            assert TRUTH[a] == TRUTH[b], (a, b)


def test_markup_in_a_title_is_not_a_different_number(sample_keys: dict[str, Keys]) -> None:
    # "on Ca<sup>2</sup> handling" (FASEB 2013 meeting abstract) and the same title as plain text
    a, b = sample_keys["DIAB00272"], sample_keys["DIAB00760"]
    assert veto(a, b) is None
    assert compare(a, b).outcome == DUPLICATE


def test_journal_abbreviations_and_translations_match(sample_keys: dict[str, Keys]) -> None:
    # "N Engl J Med" and "New England Journal of Medicine"
    assert journal_similarity(sample_keys["SRA00896"], sample_keys["SRA01889"]) == 1.0
    # "Zhongguo fei ai za zhi = Chinese journal of lung cancer" and "Chinese Journal of Lung Cancer"
    assert journal_similarity(sample_keys["SRA00424"], sample_keys["SRA03694"]) == 1.0
    # Journal of Antimicrobial Chemotherapy and Diabetes are not one journal
    assert journal_similarity(sample_keys["SRA01452"], sample_keys["DIAB00008"]) < 0.6


def test_batch_title_similarity_agrees_with_the_single_one(sample_keys: dict[str, Keys]) -> None:
    keys = list(sample_keys.values())
    index = {k.record_id: n for n, k in enumerate(keys)}
    pairs = [
        (index[sample_keys[a].record_id], index[sample_keys[b].record_id]) for a, b, *_ in CASES
    ]
    batch = title_similarities(keys, pairs)
    for (i, j), score in zip(pairs, batch, strict=True):
        assert score == pytest.approx(title_similarity(keys[i], keys[j]))


def test_a_short_title_is_not_found_inside_a_longer_one(sample_keys: dict[str, Keys]) -> None:
    # "Atypical hemolytic-uremic syndrome" (NEJM review) inside "Thrombomodulin mutations in
    # atypical hemolytic-uremic syndrome" (NEJM paper): different papers, not an appended title
    assert title_similarity(sample_keys["SRA02564"], sample_keys["SRA03594"]) < 0.8


def test_a_doi_of_another_journal_is_forgotten_where_a_twin_shows_it(
    sample_keys: dict[str, Keys],
) -> None:
    # "Appetite" abstracts: DIAB01074 carries "10.1016/j.regpep..." (Regulatory Peptides),
    # DIAB01080 the Appetite DOI; the first is dropped, so the pair is not vetoed
    assert sample_keys["DIAB01074"].doi is None
    assert sample_keys["DIAB01080"].doi == "10.1016/j.appet.2012.05.003"
    with rules_left_out("misfiled-doi"):
        keys = keys_by_source_id(templates()[False] / "review.db")
    verdict = compare(keys["DIAB01074"], keys["DIAB01080"])
    assert (verdict.outcome, verdict.rule) == (DOUBTFUL, "different-doi")
