from __future__ import annotations

from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation, Section
from screening.importers import bibtex, detect_format
from screening.importers.latex import latex_to_text
from screening.importers.textfile import SourceFile
from screening.normalise import surname_first
from tests.conftest import FIXTURES

SCOPUS = FIXTURES / "bibtex" / "synthesisr_Scopus_bib_example.bib"


def read(path: Path) -> list[Citation]:
    return list(bibtex.read(SourceFile.open(path)))


def read_text(tmp_path: Path, text: str) -> list[Citation]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return read(path)


def parse_error(tmp_path: Path, text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        read_text(tmp_path, text)
    return info.value


def test_scopus_file_is_sniffed_and_gives_three_entries() -> None:
    source = SourceFile.open(SCOPUS)
    assert bibtex.sniff(source.head())
    assert detect_format(source) == "bibtex"
    citations = read(SCOPUS)
    assert [c.extra["bibtex_key"] for c in citations] == ["Li2020", "Cao2020", "Tang2020"]
    assert [c.line for c in citations] == [2, 28, 53]


def test_scopus_entry_maps_every_field() -> None:
    li = read(SCOPUS)[0]
    assert li.title == (
        "Soil fauna diversity at different stages of reed restoration in a lakeshore "
        "wetland at Lake Taihu, China"
    )
    assert li.authors[:3] == ["Li, W.", "Dou, Z.", "Cui, L."]
    assert len(li.authors) == 10 and li.authors[-1] == "Pan, X."
    assert (li.year, li.volume, li.issue, li.pages) == (2020, "6", "1", "1722034")
    assert li.journal == "Ecosystem Health and Sustainability"
    assert li.journal_abbrev == "Ecosyst. Health Sustain."
    assert li.doi == "10.1080/20964129.2020.1722034"
    assert (li.issn, li.language) == ("2096-4129", "English")
    assert (li.publication_types, li.record_type) == (["Article"], "article")
    assert li.keywords == [
        "Environmental factors",
        "Lake Taihu",
        "lakeshore wetland",
        "reed",
        "soil fauna",
        "wetland restoration",
    ]
    assert li.source_record_id == "2-s2.0-85079532227"  # the EID in the Scopus URL
    assert li.urls[0].startswith("https://www.scopus.com/inward/record.uri?eid=2-s2.0-85079")
    assert li.abstract is not None
    assert li.abstract.startswith("Introduction: Wetland soil fauna support material cycling")
    assert li.abstract.endswith("on behalf of the Ecological Society of China.")
    assert li.extra == {
        "bibtex_key": "Li2020",
        "database": "Scopus",
        "publisher": "Taylor and Francis Ltd.",
    }


def test_scopus_index_keywords_go_to_extra_when_author_keywords_exist() -> None:
    tang = read(SCOPUS)[2]
    assert tang.keywords == [
        "Criminisi algorithm",
        "Digital",
        "Relic restoration",
        "Structure tensor",
    ]
    assert tang.extra["index_keywords"][:3] == ["Image enhancement", "MATLAB", "Restoration"]
    assert tang.authors == ["Tang, H.", "Geng, G.", "zhou, M."]
    assert tang.doi == "10.1007/s11220-019-0265-8"


def test_raw_is_the_entry_verbatim_from_at_sign_to_closing_brace() -> None:
    cao = read(SCOPUS)[1]
    lines = SCOPUS.read_text(encoding="utf-8").splitlines()
    assert cao.raw == "\n".join(lines[27:51])
    assert cao.raw.startswith("@ARTICLE{Cao2020,\nauthor={Cao, F. and Li, J.")
    assert cao.raw.endswith("source={Scopus},\n}")


def test_latex_accents_and_escapes_become_unicode(tmp_path: Path) -> None:
    (entry,) = read_text(
        tmp_path,
        r"""@article{muller2019,
  author = {M{\"u}ller, J{\"o}rg and Fran\c{c}ois Bront{\"e} and
            Stra{\ss}er, G. and {\'A}lvarez, {\'I}{\~n}igo},
  title = {{Caf\'{e}} \& {\em na\"ive} effects on $\alpha$-synuclein, 1990--2000},
  journal = "Journal of R{\'e}sum{\'e}s",
  pages = {12--19},
  year = 2019,
  note = {100\% sure~really},
}""",
    )
    assert entry.authors == ["Müller, Jörg", "Brontë, François", "Straßer, G.", "Álvarez, Íñigo"]
    assert entry.title == "Café & naïve effects on α-synuclein, 1990–2000"
    assert entry.journal == "Journal of Résumés"
    assert (entry.pages, entry.year) == ("12-19", 2019)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"o}", "ö"),
        (r"\"{o}", "ö"),
        (r"\'e", "é"),
        (r"\'{\i}", "í"),
        (r"\c{c}", "ç"),
        (r"\v{S}koda", "Škoda"),
        (r"Stra\ss e", "Straße"),
        (r"\o{}re", "øre"),
        (r"\aa", "å"),
        (r"A \& B", "A & B"),
        (r"50\%", "50%"),
        ("a~b", "a b"),
        ("CO$_2$", "CO2"),
        (r"\emph{Foo} bar", "Foo bar"),
        ("{{Nested {Braces}}}", "Nested Braces"),
        ("one\n\n two", "one\n\ntwo"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


def test_string_macros_concatenation_and_months_expand(tmp_path: Path) -> None:
    (entry,) = read_text(
        tmp_path,
        """% a comment line with a stray } and an old @article{entry,
@string{jnl = "Journal of "}
@STRING(topic = {Systematic Reviews})
@preamble{"\\newcommand{\\noop}[1]{}"}
@comment{an @article{inside, title={not an entry}} comment}
@Article(smith2019,
  Title = jnl # topic # { and More},
  Journal = jnl # topic,
  month = mar,
  Year = {2019},
  Author = {Jane van Dyke and {World Health Organization}},
)
""",
    )
    assert entry.title == "Journal of Systematic Reviews and More"
    assert entry.journal == "Journal of Systematic Reviews"
    assert entry.authors == ["van Dyke, Jane", "World Health Organization"]
    assert entry.extra["bibtex_key"] == "smith2019"
    assert entry.line == 6


def test_entry_types_give_record_types_and_booktitle(tmp_path: Path) -> None:
    citations = read_text(
        tmp_path,
        "@inproceedings{a, title={A}, booktitle={Proc. of Things}}\n"
        "@incollection{b, title={B}, booktitle={A Book}, editor={Doe, J.}}\n"
        "@phdthesis{c, title={C}}\n@misc{d, title={D}, pmid={12345678}}\n",
    )
    assert [c.record_type for c in citations] == [
        "conference paper",
        "book chapter",
        "thesis",
        None,
    ]
    assert citations[0].journal == "Proc. of Things"
    assert citations[1].extra["editors"] == ["Doe, J."]
    assert citations[3].pmid == "12345678"
    assert citations[3].source_record_id == "d"  # no better id than the key


def test_structured_abstract_paragraphs_become_sections(tmp_path: Path) -> None:
    (entry,) = read_text(
        tmp_path,
        "@article{k, title={T}, abstract={Background: Why.\n\nMethods: How.\n\nResults: What.}}\n",
    )
    assert entry.sections == [
        Section("Background", "Why."),
        Section("Methods", "How."),
        Section("Results", "What."),
    ]
    assert entry.abstract == "Background: Why.\n\nMethods: How.\n\nResults: What."


def test_name_order_conversions() -> None:
    assert surname_first("Jane van Dyke", given_first=True) == "van Dyke, Jane"
    assert surname_first("J. Smith", given_first=True) == "Smith, J."
    assert surname_first("Smith J.", given_first=True) == "Smith, J."
    assert surname_first("Smith, John", given_first=True) == "Smith, John"
    assert surname_first("Plato", given_first=True) == "Plato"


def test_entry_never_closed_names_its_first_line(tmp_path: Path) -> None:
    error = parse_error(
        tmp_path, "@article{ok, title={Fine}}\n\n@article{bad,\n  title = {Open {brace},\n"
    )
    assert error.line == 3
    assert "never closed" in str(error)
    assert str(error).startswith(str(tmp_path / "refs.bib") + ": line 3:")


def test_missing_brace_before_next_entry_names_the_open_entry(tmp_path: Path) -> None:
    error = parse_error(
        tmp_path,
        "@article{a,\n  title = {One,\n  year = {2019}\n}\n@article{b,\n  title = {Two}\n}\n",
    )
    assert error.line == 1
    assert "line 5" in error.message


def test_one_brace_too_many_is_reported_where_it_shows(tmp_path: Path) -> None:
    error = parse_error(tmp_path, "@article{a,\n  title = {One}},\n  year = {2019}\n}\n")
    assert error.line == 3
    assert "'}' outside any entry" in error.message


def test_missing_comma_between_fields_names_the_line(tmp_path: Path) -> None:
    error = parse_error(tmp_path, "@article{a,\n  title = {One}\n  year = {2019}\n}\n")
    assert error.line == 3
    assert error.message == "expected ',' after the value of 'title', found 'year = {2019}'"


def test_other_formats_are_not_sniffed() -> None:
    assert not bibtex.sniff("TY  - JOUR\nTI  - A title\nER  - \n")
    assert not bibtex.sniff("PMID- 123\nTI  - x\n")
    assert not bibtex.sniff("Title,Authors\nA,B\n")
    assert bibtex.sniff("% JabRef\n\n@Article{x,\n}")
    assert bibtex.sniff("Automatically generated by Mendeley Desktop\n\n@article{x,\n}")
