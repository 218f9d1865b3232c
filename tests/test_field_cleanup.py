"""The rules every format shares (screening/citation_cleanup), on real exports, as imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from screening.author_names import author_name, split_authors
from screening.citation import Citation
from screening.citation_cleanup import tidy_citation, title_and_notes
from screening.importing import import_file
from screening.markup import plain_text
from tests.conftest import FIXTURES


def imported(db: Database, name: str) -> list[dict[str, Any]]:
    """The file's records as rows, in file order, JSON columns loaded."""
    import_file(db, FIXTURES / name)
    rows = list(db.query("SELECT * FROM records ORDER BY id"))
    for row in rows:
        for column in ("authors", "mesh_terms", "keywords", "extra"):
            row[column] = json.loads(row[column]) if row[column] else None
    return rows


def test_zoological_record_authors_lose_their_emails_and_issns_split(review_db: Database) -> None:
    rows = imported(review_db, "wos/synthesisr_zoorec.txt")
    assert len(rows) == 134
    assert rows[0]["authors"][0] == "Stillman, Andrew N."
    assert not any("@" in name for row in rows for name in row["authors"])
    assert rows[0]["title"] == (
        "Nest site selection and nest survival of Black-backed Woodpeckers after wildfire"
    )
    assert rows[34]["issn"] == "0001-6454"
    assert rows[34]["extra"]["issns"] == ["0001-6454", "1734-8471"]
    assert rows[43]["issn"] == "2150-8925"  # "2150-8925; 2150-8925": one ISSN
    assert "issns" not in (rows[43]["extra"] or {})


def test_biosis_names_print_issn_and_surname_initials(review_db: Database) -> None:
    rows = imported(review_db, "wos/litsearchr_WoS_biosis.txt")
    assert rows[0]["authors"][0] == "Tingley, Morgan W."
    assert rows[47]["issn"] == "0196-2094"  # "0196-2094(print)"
    assert rows[133]["authors"] == ["BREININGER, D R", "SMITH, R B"]
    assert rows[139]["authors"] == ["VAN DEN BERGH, L M J"]


def test_medline_from_the_wos_platform_keeps_mesh_and_keywords(review_db: Database) -> None:
    rows = imported(review_db, "wos/litsearchr_WoS_medline.txt")
    assert rows[1]["mesh_terms"] == [
        "Animals", "Birds", "Canada", "Climate Change", "Ecosystem", "Forests",
        "Species Specificity",
    ]  # fmt: skip
    assert rows[1]["extra"]["mesh_major"] == ["Climate Change", "Ecosystem", "Forests"]
    assert "Birds/growth & development/physiology" in rows[2]["mesh_terms"]
    assert rows[0]["keywords"][:3] == [
        "Picoides arcticus",
        "black-backed woodpecker",
        "colonization",
    ]
    assert rows[0]["extra"] is None  # ID is not Keywords Plus here


def test_scopus_csv_names_get_their_comma_and_entities_are_decoded(review_db: Database) -> None:
    rows = imported(review_db, "csv/litsearchr_scopus.csv")
    assert rows[18]["authors"][:2] == ["Casas, Á.", "García, M."]
    assert rows[133]["authors"] == ["HUTTO, R.L."]
    assert "(F2,235 = 22.1, df = 2, P < 0.0001)" in rows[76]["abstract"]
    assert rows[30]["abstract"].endswith("published by John Wiley & Sons Ltd.")
    assert not any("&lt;" in (r["abstract"] or "") or "&gt;" in (r["abstract"] or "") for r in rows)


def test_ris_title_markup_is_flattened(review_db: Database) -> None:
    rows = imported(review_db, "ris/citesource_search1_166.ris")
    assert rows[121]["title"] == (
        "Legacy effects of prescribed fire season and frequency on soil properties in a "
        "Pinus resinosa forest in northern Minnesota"
    )
    # "PM<sub>2•5</sub>": "•" has no subscript form, so the plain characters stand
    assert rows[94]["title"].startswith("Mortality risk attributable to wildfire-related PM2•5 ")


@pytest.mark.parametrize(
    ("name", "number", "authors"),
    [
        ("ris/citesource_WoS_79.ris", 74, ["Hampton, T", "Hampton, T"]),
        ("csv/colrev_pubmed_fitbit.csv", 6, ["Hakim, M", "Miller, R", "Hakim, M", "Tumin, D"]),
        ("ris/reflib_blue-light_endnote.ris", 94, ["Li, J.", "Li, J.", "Zhang, L."]),
    ],
)
def test_an_author_list_keeps_repeated_names(
    review_db: Database, name: str, number: int, authors: list[str]
) -> None:
    assert imported(review_db, name)[number - 1]["authors"][: len(authors)] == authors


def test_scopus_placeholder_is_no_author(review_db: Database) -> None:
    rows = imported(review_db, "csv/litstudy_scopus.csv")
    assert rows[8]["authors"] == []


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("CO<inf>2</inf> fluxes", "CO₂ fluxes"),
        ("Ca<sup>2+</sup> and <i>E. coli</i>", "Ca²⁺ and E. coli"),
        ("Alzheimer&#39;s disease", "Alzheimer's disease"),
        ("p < 0.05 and <4 years, a < b > c", "p < 0.05 and <4 years, a < b > c"),
        ("R&D &copy 2019", "R&D &copy 2019"),  # no semicolon: not an entity
    ],
)
def test_plain_text_keeps_real_less_than_signs(raw: str, text: str) -> None:
    assert plain_text(raw) == text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ma Ch.L.", "Ma, Ch.L."),
        ("Smith J A", "Smith, J A"),
        ("Lim SM", "Lim, SM"),
        ("J.A. Smith", "J.A. Smith"),
        ("Smith Jr.", "Smith Jr."),
        ("[No author name available]", None),
        ("Writing Committee of the WHO", "Writing Committee of the WHO"),  # a group, not turned
    ],
)
def test_author_names_from_the_issue(name: str, expected: str | None) -> None:
    assert author_name(name) == expected


def test_scopus_cell_with_mixed_names_gives_every_comma() -> None:
    assert split_authors("Casas Á., García M., HUTTO R.L.") == [
        "Casas, Á.",
        "García, M.",
        "HUTTO, R.L.",
    ]


def test_title_notes_are_kept_aside_and_notices_are_not_touched() -> None:
    title, notes = title_and_notes("Drug X for Y. [Review] [75 refs]")
    assert (title, notes) == ("Drug X for Y", ["[Review]", "[75 refs]"])
    assert (
        title_and_notes("Erratum: Drug X for Y [Erratum]")[0] == "Erratum: Drug X for Y [Erratum]"
    )
    assert title_and_notes("Birds of the U.S. [Review]")[0] == "Birds of the U.S."
    assert title_and_notes("A plain title.")[0] == "A plain title"
    assert title_and_notes("Smith et al.")[0] == "Smith et al."
    c = tidy_citation(Citation(raw="", line=1, title="A.[Erratum appears in J. 2004;29:1762]"))
    assert c.title == "A"
    assert c.extra["title_notes"] == ["[Erratum appears in J. 2004;29:1762]"]


def test_pages_get_one_hyphen() -> None:
    assert tidy_citation(Citation(raw="", line=1, pages="1279\u20101297")).pages == "1279-1297"


def test_early_access_year_from_ey(tmp_path: Path) -> None:
    from screening.importers import wos_tab
    from screening.importers.textfile import SourceFile

    path = tmp_path / "savedrecs.txt"
    path.write_text("PT\tTI\tPY\tEY\tUT\nJ\tA title\t\t2019\tWOS:1\n", encoding="utf-8")
    assert next(wos_tab.read(SourceFile.open(path))).year == 2019


def test_review_note_of_a_real_title_is_kept_aside(review_db: Database) -> None:
    import_file(review_db, FIXTURES / "dedup/sample.csv", fmt="csv")
    row = next(review_db.query("SELECT title, extra FROM records WHERE extra LIKE '%[Review]%'"))
    assert row["title"] == (
        "Atypical hemolytic uremic syndrome associated with mutations in complement regulator genes"
    )
    assert json.loads(row["extra"])["title_notes"] == ["[Review]"]


def test_jats_markup_as_crossref_and_lens_give_it() -> None:
    # the opening of an abstract in CiteSource's vignettes/new_stage_data/lens_343.ris
    raw = "<jats:title>Abstract</jats:title><jats:p>Wildfires raise risks of floods"
    assert " ".join((plain_text(raw) or "").split()) == "Abstract Wildfires raise risks of floods"
