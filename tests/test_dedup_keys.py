"""What the duplicate finder reads from a record: titles, authors, journals, pages, DOIs."""

from __future__ import annotations

import pytest

from screening.dedup.keys import (
    Keys,
    author_key,
    author_keys,
    clean_title,
    doi_key,
    first_author,
    fold,
    is_generic,
    is_notice,
    journal_names,
    leading_int,
    page_range,
    title_numbers,
)

pytest_plugins = ("tests.dedup_fixtures",)


def test_fold_drops_accents_markup_entities_and_punctuation() -> None:
    assert fold("Neittaanmäki <i>&amp;</i> Søren's: Part-II") == "neittaanmaki soren s part ii"
    # inline markup joins what it wraps: "Ca<sup>2</sup>" reads "Ca2", as in the plain export
    assert fold("on Ca<sup>2</sup> handling") == fold("on Ca2 handling") == "on ca2 handling"
    assert fold("Цифровая Работа") == "цифровая работа"  # other scripts stay, only folded


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Treatment of dry age-related macular degeneration. [Turkish]", "treatment of dry age "
         "related macular degeneration"),
        ("[Fibrin glue pleurodesis in recurrent malignant pleural effusions]", "fibrin glue "
         "pleurodesis in recurrent malignant pleural effusions"),
        ("Pleurodesis in malignant effusions: bleomycin vs. mitoxantrone [abstract]",
         "pleurodesis in malignant effusions bleomycin vs mitoxantrone"),
        ("RETRACTED: Exenatide protects the heart", "exenatide protects the heart"),
    ],
)  # fmt: skip
def test_clean_title_unwraps_translations_and_drops_tags(raw: str, expected: str) -> None:
    # titles as they stand in sra_rathbone2015.csv (the last one is made up around a real mark)
    assert clean_title(raw) == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Neubauer, Marcus A.", "neubauer m"),
        ("Neubauer M. A.", "neubauer m"),
        ("M. A. Neubauer", "neubauer m"),
        ("Abu Dayyeh B. K.", "abudayyeh b"),
        ("Si Hyun Kang, null", "sihyunkang"),  # an EndNote export's empty given name
        ("Neittaanmäki, Pekka", "neittaanmaki p"),
        ("Alexion Pharmaceuticals Investigators", None),  # a group, not a person
    ],
)
def test_author_key_is_surname_and_first_initial(name: str, key: str | None) -> None:
    assert author_key(name) == key


def test_authors_run_together_are_split() -> None:
    # asysd_diabetes.csv lost its commas: one "author" holds the whole list
    listed = '["Nagashima M.Watanabe T.Terasaki M.Tomoyasu M.Nohtomi K.Kim-Kaneyama J."]'
    assert author_keys(listed) == [
        "nagashima m", "watanabe t", "terasaki m", "tomoyasu m", "nohtomi k", "kimkaneyama j",
    ]  # fmt: skip
    assert first_author(listed) == "nagashima"
    assert first_author('["Raihani, Nichola J", "Bshary, Redouan"]') == "raihani"


def test_journal_names_know_translations_and_conference_tails() -> None:
    assert journal_names("Zhongguo fei ai za zhi = Chinese journal of lung cancer") == (
        ("zhongguo", "fei", "ai", "za", "zhi"),
        ("chinese", "journal", "lung", "cancer"),
    )
    assert journal_names("Gan to Kagaku Ryoho [Japanese Journal of Cancer & Chemotherapy]") == (
        ("gan", "to", "kagaku", "ryoho"),
        ("japanese", "journal", "cancer", "chemotherapy"),
    )
    assert journal_names("Circulation. Conference: American Heart Association's") == (
        ("circulation",),
    )


def test_pages_volumes_and_dois_are_normalised() -> None:
    assert page_range("2649-59") == ("2649", "2659")
    assert page_range("S231-S232") == ("231", "232")
    assert page_range("205 -- 226") == ("205", "226")
    assert page_range("e24") == ("24", None)
    assert leading_int("150 (Suppl 1)") == "150"
    assert leading_int("1)") is None  # what is left of "59(Suppl 1)" once commas went
    # diabetes DIAB00282 and DIAB01132: one DOI, once URL-escaped inside a link
    assert doi_key("http://dx.doi.org/10.1016/S0025-7753%2817%2930624-3") == doi_key(
        "10.1016/s0025-7753(17)30624-3"
    )


def test_title_numbers_tell_parts_phases_and_volumes_apart() -> None:
    assert title_numbers(clean_title("Linomide in relapsing MS: Part I: Trial design")) == {1}
    assert title_numbers("a phase iii study of x") == {3}
    assert title_numbers(fold("FOCUS 2: A randomized, double-blinded Phase III trial")) == {2, 3}


@pytest.mark.parametrize(
    ("title", "notice"),
    [
        ('Erratum to "Leveraging IT resources and capabilities at the housing and development '
         'board"', True),  # DW01723
        ("Correction to - How and why organisations use social media", True),  # DW01454
        ("Corrigendum: A Video-Based Screening System for Automated Risk Assessment", True),
        ("Open sources? A commentary on 'IS research methods - inclusive or exclusive?'", True),
        ("Correction of post-stroke cognitive impairments using computer programs", False),
        ("Response of tumours to intrapleural therapy", False),
    ],
)  # fmt: skip
def test_notices_are_told_from_titles_that_merely_start_alike(title: str, notice: bool) -> None:
    folded = clean_title(title)
    assert is_notice(title, folded, set(folded.split())) is notice


def test_recurring_column_titles_are_generic() -> None:
    for title in ("Editor's Comments", "Editorial Introduction", "ESICON 2017 Abstracts"):
        folded = clean_title(title)
        assert is_generic(folded, folded.split()), title
    folded = clean_title(
        "Mourning the Commons: Circulating Affect in Crowdfunded Funeral Campaigns"
    )
    assert not is_generic(folded, folded.split())


def test_sample_records_read_as_expected(sample_keys: dict[str, Keys]) -> None:
    k = sample_keys["DW00091"].detail()  # "Plattformökonomie und Crowdworking ..."
    assert k.title.startswith("plattformokonomie und crowdworking als herausforderungen")
    assert (k.volume, k.issue, k.first_page, k.last_page) == ("27", "2", "205", "226")
    assert k.journal == (("industrielle", "beziehungen"),)
    assert k.authors == "greef s schroeder w sperling h"
    # the Diabetologia 2016 supplement's DOI is shared by unrelated abstracts: forgotten
    assert sample_keys["DIAB00005"].doi is None
    assert sample_keys["DIAB00411"].doi == "10.1016/j.ijcard.2017.05.062"
