"""PICOS keyword highlighting: whole words, trailing *, longest match, on real abstracts."""

from __future__ import annotations

from pathlib import Path

from screening.citation import Citation
from screening.decisions.highlight import Highlighter
from screening.importers.pubmed_xml import read
from screening.importers.textfile import SourceFile
from screening.protocol import Criterion
from tests.screening_fixtures import ENTREZ, RATS_PMID, RCT_PMID


def citation(path: Path, pmid: str) -> Citation:
    return next(c for c in read(SourceFile.open(path)) if c.pmid == pmid)


def found(h: Highlighter, text: str) -> list[tuple[str, str, str]]:
    return [(text[s.start : s.end], s.element, s.kind) for s in h.spans(text)]


def test_keywords_match_whole_words_only() -> None:
    h = Highlighter({"population": Criterion(exclude=("rat",))})
    assert found(h, "Rat pups; rats; pirate; a rat.") == [
        ("Rat", "population", "exclude"),
        ("rat", "population", "exclude"),
    ]


def test_trailing_star_matches_any_ending() -> None:
    h = Highlighter({"population": Criterion(include=("cirrho*",))})
    text = "Cirrhosis and cirrhotic livers, not precirrhotic ones."
    assert [t for t, _, _ in found(h, text)] == ["Cirrhosis", "cirrhotic"]


def test_hyphenated_compound_is_one_word() -> None:
    # "randomized" must not light up as an inclusion inside "non-randomized"
    h = Highlighter({"study_designs": Criterion(include=("randomized",), exclude=("non-random*",))})
    assert found(h, "A non-randomized, randomized trial") == [
        ("non-randomized", "study_designs", "exclude"),
        ("randomized", "study_designs", "include"),
    ]


def test_multi_word_keyword_spans_spaces_and_hyphens_and_wins_over_shorter() -> None:
    h = Highlighter(
        {
            "population": Criterion(include=("liver",)),
            "comparator": Criterion(include=("control group", "liver cirrhosis")),
        }
    )
    text = "liver cirrhosis vs a control-group; the liver"
    assert found(h, text) == [
        ("liver cirrhosis", "comparator", "include"),
        ("control-group", "comparator", "include"),
        ("liver", "population", "include"),
    ]


def test_no_keywords_means_no_spans() -> None:
    h = Highlighter({"population": Criterion(include=(), exclude=("*",))})
    assert not h
    assert h.spans("anything at all") == []


PROTOCOL_PICOS = {
    "population": Criterion(include=("participants", "humans"), exclude=("rats", "animal*")),
    "intervention": Criterion(include=("chlorhexidine", "vitamin*")),
    "outcomes": Criterion(include=("sensitivity", "hypoplasia")),
    "study_designs": Criterion(include=("randomized",), exclude=("review",)),
}


def test_real_rct_abstract_finds_intervention_outcome_and_design() -> None:
    rct = citation(ENTREZ / "hawc" / "efetch_charrefs_23878845_16080930.xml", RCT_PMID)
    h = Highlighter(PROTOCOL_PICOS)
    title = found(h, rct.title or "")
    assert title == [
        ("Randomized", "study_designs", "include"),
        ("chlorhexidine", "intervention", "include"),
        ("sensitivity", "outcomes", "include"),
    ]
    methods = next(s for s in rct.sections if s.label == "METHOD AND MATERIALS")
    assert ("participants", "population", "include") in found(h, methods.text)
    summary = h.summarise([rct.title, *(s.text for s in rct.sections)])
    assert summary.words("intervention", "include")["chlorhexidine"] >= 3
    assert not summary.words("population", "exclude")


def test_real_animal_study_marks_exclusions_beside_inclusions() -> None:
    rats = citation(ENTREZ / "hawc" / "efetch_charrefs_23878845_16080930.xml", RATS_PMID)
    methods = next(s for s in rats.sections if s.label == "MATERIAL AND METHODS")
    marks = found(Highlighter(PROTOCOL_PICOS), methods.text)
    assert marks[:3] == [
        ("rats", "population", "exclude"),
        ("animals", "population", "exclude"),
        ("vitamin", "intervention", "include"),
    ]
