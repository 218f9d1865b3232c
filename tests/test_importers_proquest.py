"""ProQuest plain text, checked against the BibTeX bibliography ProQuest appends to the same
export (its own second rendering of every document) and against the file's own lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import detect_format, proquest
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

DISSERTATIONS = FIXTURES / "proquest" / "metaknowledge_ProQuest_TestFile.txt"
_BIBTEX = re.compile(
    r"author=\{(?P<author>[^}]*)\}, year=\{(?P<year>\d+)\},\s*title=\{(?P<title>[^}]*)\}"
    r".*?isbn=\{(?P<isbn>[^}]*)\}.*?url=\{(?P<url>[^}]*)\}",
    re.DOTALL,
)


def read(path: Path) -> list[Citation]:
    return list(proquest.read(SourceFile.open(path)))


def bibliography() -> list[re.Match[str]]:
    text = DISSERTATIONS.read_text(encoding="utf-8")
    return list(_BIBTEX.finditer(text[text.index("Citation style: BibTeX") :]))


def test_detected_and_every_document_read() -> None:
    assert detect_format(SourceFile.open(DISSERTATIONS)) == "proquest"
    assert len(read(DISSERTATIONS)) == 100


def test_each_document_agrees_with_proquests_own_bibliography() -> None:
    entries = bibliography()
    assert len(entries) == 100
    for ours, theirs in zip(read(DISSERTATIONS), entries, strict=True):
        assert ours.title == theirs["title"]
        # the bibliography shortens some given names ("Noel W." for "Noel Waldron")
        assert ours.authors[0].split(",")[0] == theirs["author"].split(",")[0]
        assert ours.year == int(theirs["year"])
        assert ours.extra["isbn"] == theirs["isbn"]
        assert ours.urls[0] == theirs["url"]


def test_first_document_reads_whole() -> None:
    first = read(DISSERTATIONS)[0]
    assert first.title == "Entrenchment and the Kripke-Wittgenstein paradox"
    assert first.authors == ["Dorst, Chris"]
    assert first.abstract.startswith("Surprisingly little attention has been paid to Goodman")
    assert first.abstract.endswith("the Kripke-Wittgenstein paradox about meaning.")
    assert (first.year, first.language, first.record_type) == (2014, "English", "thesis")
    assert first.source_record_id == "1548716365"
    assert first.extra["database"] == "ProQuest Dissertations & Theses Global"
    assert first.extra["university"] == "The University of North Carolina at Chapel Hill"
    assert "Kripke-Wittgenstein paradox" in first.keywords
    assert first.line == 218 and first.raw.startswith("Document 1 of 100")


def test_a_displayed_title_with_a_colon_is_not_a_field() -> None:
    truth = read(DISSERTATIONS)[95]
    assert truth.title == "Truth or Dare: Management Theory at a Crossroads"
    assert "Truth or Dare" not in truth.extra


def test_a_file_cut_short_is_refused(tmp_path: Path) -> None:
    text = DISSERTATIONS.read_text(encoding="utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(text[: text.index("Document 3 of 100")], encoding="utf-8")
    with pytest.raises(ParseError, match="holds 2 of the 100 documents"):
        read(path)


def test_documents_out_of_order_are_refused(tmp_path: Path) -> None:
    text = DISSERTATIONS.read_text(encoding="utf-8").replace(
        "Document 2 of 100", "Document 7 of 100"
    )
    path = tmp_path / "joined.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match="document 7 comes where document 2 should be") as err:
        read(path)
    assert err.value.line == 284
