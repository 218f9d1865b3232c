"""Issue 18's rules for what databases garble, each on a real pair from
tests/fixtures/dedup/sra_slips.csv.

Each case names the pair by its records' ids, what is decided, by which rule, and the rules
of screening/dedup/tuning.py that make the difference: with them switched off the pair is
decided otherwise. The labelled set calls every pair here one record unless the comment says
"labels: different".
"""

from __future__ import annotations

import pytest

from screening.dedup.keys import Keys, author_key, journal_names, page_range
from screening.dedup.scoring import DISTINCT, DOUBTFUL, DUPLICATE, compare
from screening.dedup.title_marks import without_marks
from tests.dedup_support import SLIPS_TRUTH, keys_by_source_id, rules_left_out, slips_review

pytest_plugins = ("tests.dedup_fixtures",)

MERGED = [
    # "...syndrome.[Erratum appears in J Pediatr. 2003 Jun" (cut off) and the plain title
    ("SRA00955", "SRA01849", "title-locator", ("title-marks",)),
    # "...[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487 Note: Philipp, Thomas
    # [added]]" and "Eculizumab for Atypical Hemolytic–Uremic Syndrome", Nurnberger/Nürnberger
    (
        "SRA04220",
        "SRA04507",
        "title-locator",
        ("title-marks", "appended-subtitle", "subtitle-dropped"),
    ),
    # two records of one erratum: "(New England Journal of Medicine (2009) 360 (542-544))" and
    # "(vol 360, pg 542, 2009)"
    ("SRA02402", "SRA03805", "title-locator", ("title-marks",)),
    # "[...(the Essen concept)] <ORIGINAL> NEOADJUVANTE ..." and the English title
    ("SRA01719", "SRA02317", "title-locator", ("title-marks",)),
    # "...syndrome... N Engl J Med. 2009 Jan 29;360(5):544-6" and the plain title
    (
        "SRA00318",
        "SRA01273",
        "title-locator",
        ("title-marks", "appended-subtitle", "subtitle-dropped"),
    ),
    # "Journal of Thrombosis and Haemostasis.Conference: 23rd Congress..." and "J Thromb Haemost"
    ("SRA00169", "SRA03989", "title-authors-journal", ("conference-journal",)),
    # an electronic locator "e3" against "e8-e9", Arch Phys Med Rehabil 91(10)
    ("SRA01239", "SRA04139", "title-authors-volume", ("pages-outweighed",)),
    # "233-238+230-235+246-251" against "230-5, 246-51, 233-8"; and that against "233-8, 230-5,
    # 246-51" with the Spanish title after "] TO:"
    ("SRA00307", "SRA03478", "title-locator", ("page-lists",)),
    ("SRA01002", "SRA03839", "title-locator", ("page-lists",)),
    # "2141-2147" against "2142-2147"; "2297-2108" against "2097-2108"
    ("SRA00421", "SRA01751", "title-locator", ("page-slips",)),
    ("SRA00599", "SRA03530", "title-locator", ("page-slips", "pages-outweighed")),
    # "...inflammatory statesthe examples of vascular damage..." (a subtitle run on), and an
    # English title with its Portuguese one after "; ", each with the same volume and pages
    ("SRA01245", "SRA03195", "title-locator", ("appended-subtitle",)),
    ("SRA01171", "SRA02546", "title-locator", ("appended-subtitle",)),
    # "Unilateral neglect in stroke: A comparative study" and "Unilateral Neglect in Stroke"
    ("SRA01659", "SRA03859", "subtitle-dropped", ("subtitle-dropped",)),
    # "Haemolytic uraemic syndrome", Nephron 118(1) c37-c42 (2011) and 37-42 (2010)
    ("SRA01681", "SRA01794", "title-locator", ("volume-across-years",)),
]

KEPT_APART = [
    # an erratum "(vol 360, pg 542, 2009)" and the article (labels: one record; the erratum
    # veto keeps them apart, and the erratum's reference is what tells)
    ("SRA02402", "SRA04507", DISTINCT, "notice"),
    ("SRA00486", "SRA03811", DISTINCT, "notice"),
    # "Erratum: Gain-of-function mutations..." and the article (labels: one record)
    ("SRA02462", "SRA02875", DISTINCT, "notice"),
    # one page in another issue of the same volume (Am J Transplant 9(9):2205 and 9(5):
    # 1223-1229): an erratum or a congress abstract next to the paper is not outweighed
    # (labels: one record)
    ("SRA01822", "SRA02341", DOUBTFUL, "similar"),
    ("SRA01067", "SRA03928", DOUBTFUL, "similar"),
    # ahead of print ("01-Sep", 2012) and in print (398:515-523, 2013) (labels: different)
    ("SRA01802", "SRA04239", DOUBTFUL, "similar"),
]


@pytest.mark.parametrize(("a", "b", "rule", "switches"), MERGED)
def test_the_rule_merges_the_pair_and_without_it_the_pair_is_not_merged(
    slip_keys: dict[str, Keys], a: str, b: str, rule: str, switches: tuple[str, ...]
) -> None:
    assert SLIPS_TRUTH[a] == SLIPS_TRUTH[b]
    verdict = compare(slip_keys[a], slip_keys[b])
    assert (verdict.outcome, verdict.rule) == (DUPLICATE, rule)
    assert compare(slip_keys[b], slip_keys[a]).outcome == DUPLICATE
    with rules_left_out(*switches):
        keys = keys_by_source_id(slips_review())
        assert compare(keys[a], keys[b]).outcome != DUPLICATE


@pytest.mark.parametrize(("a", "b", "outcome", "rule"), KEPT_APART)
def test_vetoes_that_protect_precision_still_hold(
    slip_keys: dict[str, Keys], a: str, b: str, outcome: str, rule: str
) -> None:
    verdict = compare(slip_keys[a], slip_keys[b])
    assert (verdict.outcome, verdict.rule) == (outcome, rule)


def test_title_marks_of_real_titles() -> None:
    assert without_marks(
        "[Incentive spirometry with expiratory positive airway pressure brings benefits after "
        "myocardial revascularization] TO: Espirometria incentivada con presion positiva"
    ) == (
        "[Incentive spirometry with expiratory positive airway pressure brings benefits after "
        "myocardial revascularization]",
        False,
    )
    assert without_marks(
        "Eculizumab for Atypical Hemolytic-Uremic Syndrome (vol 360, pg 542, 2009)"
    ) == (
        "Eculizumab for Atypical Hemolytic-Uremic Syndrome",
        True,
    )
    # a parenthesis that is part of the title stays
    title = "Disease recurrence in paediatric renal transplantation (a review)"
    assert without_marks(title) == (title, False)


def test_surname_particles_and_conference_journals() -> None:
    names = ("Le Quintrec, M.", "Quintrec, M.", "Le, Quintrec M.")
    assert {author_key(n) for n in names} == {"quintrec m"}
    assert author_key("Nürnberger, Jens") == author_key("Nurnberger, J.") == "nurnberger j"
    assert journal_names(
        "Journal of Thrombosis and Haemostasis.Conference: 23rd Congress of the International"
    ) == (("journal", "thrombosis", "haemostasis"),)


def test_page_lists_in_any_order_read_alike() -> None:
    assert page_range("233-238+230-235+246-251") == ("230", "251")
    assert page_range('"230-5, 246-51, 233-8"') == page_range('"233-8, 230-5, 246-51"')
    assert page_range("S33-38") == ("33", "38")  # one range is still one range
