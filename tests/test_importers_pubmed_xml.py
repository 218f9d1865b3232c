"""PubMed XML reader, on real efetch responses (Biopython's test files and HAWC's recordings)."""

from __future__ import annotations

import http.server
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from db.errors import ParseError
from screening.citation import Citation
from screening.importers import detect_format
from screening.importers.pubmed_xml import iter_articles, parse_articles, read, sniff
from screening.importers.textfile import SourceFile
from tests.conftest import FIXTURES

ENTREZ = FIXTURES / "entrez"
HAWC = ENTREZ / "hawc"
BIOPYTHON = ENTREZ / "biopython"


def records(path: Path) -> list[Citation]:
    return list(read(SourceFile.open(path)))


def only(path: Path) -> Citation:
    (citation,) = records(path)
    return citation


@pytest.mark.parametrize(
    ("name", "pmids"),
    [
        ("biopython/pubmed1.xml", ["12091962", "9997"]),
        ("biopython/pubmed2.xml", ["11748933", "11700088"]),
        ("biopython/pubmed4.xml", ["27797938"]),
        ("biopython/pubmed5.xml", ["28775130"]),
        ("biopython/pubmed6.xml", ["30108519"]),
        ("biopython/pubmed7.xml", ["29963580"]),
        (
            "hawc/efetch_6_records.xml",
            ["19008416", "18927361", "18787170", "18487186", "18239126", "18239125"],
        ),
        ("hawc/efetch_batch1_retmax3.xml", ["19008416", "18927361", "18787170"]),
        ("hawc/efetch_batch2_retmax3.xml", ["18487186", "18239126", "18239125"]),
        ("hawc/efetch_abstract_markup_29186030.xml", ["29186030"]),
        ("hawc/efetch_charrefs_23878845_16080930.xml", ["23878845", "16080930"]),
        ("hawc/efetch_collective_author_21860499.xml", ["21860499"]),
        ("hawc/efetch_doi_21813142.xml", ["21813142"]),
        ("hawc/efetch_pubmedbookarticle_26468569.xml", ["26468569"]),
        ("hawc/efetch_pubmedbookarticle_genereviews_20301382.xml", ["20301382"]),
        ("hawc/efetch_structured_abstract_erratum_21813367.xml", ["21813367"]),
        ("hawc/efetch_title_markup_27933116.xml", ["27933116"]),
    ],
)
def test_every_record_is_read_with_its_pmid(name: str, pmids: list[str]) -> None:
    got = records(ENTREZ / name)
    assert [c.pmid for c in got] == pmids
    assert [c.source_record_id for c in got] == pmids
    assert all(c.title for c in got)


def test_structured_abstract_keeps_labels_and_erratum() -> None:
    c = only(HAWC / "efetch_structured_abstract_erratum_21813367.xml")
    assert [s.label for s in c.sections] == [
        "BACKGROUND",
        "OBJECTIVES",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert c.sections[0].text == (
        "People living or working in eastern Ohio and western West Virginia have been exposed "
        "to perfluorooctanoic acid (PFOA) released by DuPont Washington Works facilities."
    )
    assert c.abstract.startswith("BACKGROUND: People living or working in eastern Ohio")
    assert "facilities.\n\nOBJECTIVES: Our objective was to estimate" in c.abstract
    assert c.extra["comments_corrections"] == [
        {"type": "ErratumIn", "pmid": None, "ref": "Environ Health Perspect.2013 Apr;121(4):A113"}
    ]


def test_journal_article_fields() -> None:
    c = only(HAWC / "efetch_structured_abstract_erratum_21813367.xml")
    assert c.title == (
        "Retrospective exposure estimation and predicted versus observed serum "
        "perfluorooctanoic acid concentrations for participants in the C8 Health Project."
    )
    assert c.authors == [
        "Shin, Hyeong-Moo",
        "Vieira, Verónica M",
        "Ryan, P Barry",
        "Steenland, Kyle",
        "Bartell, Scott M",
    ]
    assert (c.year, c.volume, c.issue, c.pages) == (
        2011,
        "119",
        "12",
        "1760-1765",
    )  # MedlinePgn "1760-5" written out
    assert c.journal == "Environmental health perspectives"
    assert c.journal_abbrev == "Environ Health Perspect"
    assert (c.doi, c.pmcid, c.issn, c.language) == (
        "10.1289/ehp.1103729",
        "PMC3261988",
        "1552-9924",
        "English",  # <Language>eng</Language>
    )
    assert c.publication_types == [
        "Journal Article",
        "Research Support, Non-U.S. Gov't",
        "Validation Study",
    ]
    assert c.mesh_terms[:3] == ["Caprylates", "Drinking Water", "Environmental Exposure"]
    assert len(c.mesh_terms) == 15
    assert "Fluorocarbons" in c.extra["mesh_major"]
    assert "Humans" not in c.extra["mesh_major"]
    assert c.record_type == "article"


def test_comment_in_is_kept_and_cites_are_not() -> None:
    c = only(BIOPYTHON / "pubmed4.xml")
    assert c.extra["comments_corrections"] == [
        {"type": "CommentIn", "pmid": "27920200", "ref": "Gut. 2017 Jun;66(6):1"}
    ]
    assert [s.label for s in c.sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert c.keywords == ["PANCREATIC CANCER"]


def test_label_wins_over_nlm_category() -> None:
    c = only(BIOPYTHON / "pubmed5.xml")  # Label="OBJECTIVES" NlmCategory="OBJECTIVE"
    assert [s.label for s in c.sections] == ["OBJECTIVES", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert c.keywords == [
        "agriculture",
        "hypothyroidism",
        "pesticides",
        "thyroid disease",
        "thyroid stimulating hormone",
    ]


def test_nlm_category_labels_a_section_without_label(tmp_path: Path) -> None:
    # the real pubmed5.xml record with its Label attributes taken out
    data = re.sub(rb' Label="[^"]*"', b"", (BIOPYTHON / "pubmed5.xml").read_bytes())
    (c,) = parse_articles(data, "pubmed5-no-labels.xml")
    assert [s.label for s in c.sections] == ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert c.abstract.startswith("OBJECTIVE: ")


def test_unlabelled_abstract_is_plain_text_without_sections() -> None:
    c = only(HAWC / "efetch_collective_author_21860499.xml")
    assert c.abstract is None and c.sections == []
    c = records(BIOPYTHON / "pubmed1.xml")[1]
    assert c.sections == []
    assert c.abstract.startswith("Electron paramagnetic resonance and magnetic susceptibility")


def test_whole_book_from_the_national_academies() -> None:
    c = only(HAWC / "efetch_pubmedbookarticle_26468569.xml")
    assert c.record_type == "book"
    assert c.title == (
        "Application of Modern Toxicology Approaches for Predicting Acute Toxicity for "
        "Chemical Defense"
    )
    assert c.journal is None
    # the first CollectiveName runs over two lines in the file
    assert c.authors[0] == (
        "Committee on Predictive-Toxicology Approaches for Military Assessments of Acute Exposures"
    )
    assert c.authors[-1] == "The National Academies of Sciences, Engineering, and Medicine"
    assert len(c.authors) == 6
    assert (c.year, c.doi, c.language) == (2015, "10.17226/21775", "English")
    assert c.publication_types == ["Review"]
    assert c.extra["book_accession"] == "NBK321423"
    assert c.extra["publisher"] == "National Academies Press (US)"
    assert c.extra["isbn"] == ["9780309376662"]
    assert "toxicology system. Application of Modern Toxicology Approaches" in c.abstract


def test_book_chapter_keeps_editors_apart() -> None:
    c = only(HAWC / "efetch_pubmedbookarticle_genereviews_20301382.xml")
    assert c.record_type == "book chapter"
    assert c.title == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert c.journal == "GeneReviews®"  # <sup>&#xae;</sup> in BookTitle
    assert c.authors == ["Goldstein, Amy", "Falk, Marni J"]
    assert c.extra["editors"][0] == "Adam, Margaret P"
    assert len(c.extra["editors"]) == 8
    assert c.extra["book_accession"] == "NBK1203"
    assert [s.label for s in c.sections] == [
        "CLINICAL CHARACTERISTICS",
        "DIAGNOSIS/TESTING",
        "MANAGEMENT",
        "GENETIC COUNSELING",
    ]
    assert c.sections[2].text.startswith("Targeted therapy: Folinic acid supplementation")
    assert "coenzyme Q10 and antioxidants" in c.sections[2].text
    assert c.keywords.count("mtDNA Deletion Syndromes") == 1  # listed twice in the file
    assert len(c.keywords) == 9
    # the reference list carries PMCIDs of other papers; none is this chapter's
    assert (c.year, c.doi, c.pmcid) == (1993, None, None)


def test_collective_author_as_is() -> None:
    c = only(HAWC / "efetch_collective_author_21860499.xml")
    assert c.authors == ["National Toxicology Program"]
    assert c.title == "Nitrofen."
    assert c.journal == "Report on carcinogens : carcinogen profiles"
    assert (c.year, c.volume, c.pages, c.doi) == (2011, "12", "296-297", None)


def test_inline_markup_in_title_is_flattened() -> None:
    c = only(HAWC / "efetch_title_markup_27933116.xml")
    assert c.title == (
        "Phoenix dactylifera mediated green synthesis of Cu2O particles for arsenite uptake "
        "from water."
    )
    assert "date fruit pulp (Phoenix dactylifera) and used" in c.abstract
    # the article's own ids, not those in its reference list
    assert (c.doi, c.pmcid) == ("10.1080/14686996.2016.1244472", "PMC5127256")


def test_inline_markup_in_abstract_is_flattened() -> None:
    c = only(HAWC / "efetch_abstract_markup_29186030.xml")
    assert c.abstract.startswith(
        "CYP353D1v2 is a cytochrome P450 related to imidacloprid resistance in Laodelphax "
        "striatellus. This work was conducted"
    )
    assert c.sections == []
    assert c.pages is None  # only an ELocationID pii, no MedlinePgn
    assert c.doi == "10.3390/ijms18122564"


def test_character_references_become_characters() -> None:
    dental, hearts = records(HAWC / "efetch_charrefs_23878845_16080930.xml")
    assert hearts.authors == ["González-Reyes, Salomé", "Martínez, Leopoldo", "Tovar, Juan A"]
    assert dental.sections[1].label == "METHOD AND MATERIALS"
    assert dental.sections[1].text.endswith("Data were analyzed by Fisher exact test (α = .05).")
    assert "at the 1-day recall (P < .05; Fisher exact test)" in dental.sections[2].text
    assert (dental.year, dental.issue) == (2013, "10")  # PubDate with a Season


def test_raw_utf8_and_quotes_come_through() -> None:
    c = only(BIOPYTHON / "pubmed6.xml")
    assert c.title == (
        'A "Blood Relationship" Between the Overlooked Minimum Lactate Equivalent and Maximal '
        "Lactate Steady State in Trained Runners. Back to the Old Days?"
    )
    assert "[VMLSS 15.0 ± 1.1 km·h-1; maximal oxygen uptake ( V.O2max ) 67.6" in c.abstract
    assert "(coefficient of variation: ≈7%)" in c.abstract
    assert c.pages == "1034"


def test_mathml_keeps_its_spaces_but_not_its_indentation() -> None:
    c = only(BIOPYTHON / "pubmed7.xml")
    assert "(1) inhaled He3/Xe129 MRI ventilation and apparent diffusion" in c.abstract


def test_doi_is_lower_case() -> None:
    assert only(BIOPYTHON / "pubmed7.xml").doi == "10.1117/1.jmi.5.2.026002"


def test_vernacular_title_and_language() -> None:
    c = only(HAWC / "efetch_doi_21813142.xml")
    assert c.title == "[Hospitalized surgical patients comanaged by Internal Medicine specialists]."
    assert c.extra["vernacular_title"] == (
        "Pacientes quirúrgicos ingresados: asistencia compartida con Medicina Interna."
    )
    assert (c.language, c.doi) == ("Spanish", "10.1016/j.medcli.2011.05.017")


def test_old_record_years_and_dois() -> None:
    aids, heme = records(BIOPYTHON / "pubmed1.xml")
    assert aids.year == 1990  # <Year>1990</Year><Season>Spring</Season>
    assert aids.journal_abbrev == "Soc Justice"
    assert (heme.year, heme.doi) == (1976, "10.1016/0005-2795(76)90109-4")


def test_year_from_medline_date(tmp_path: Path) -> None:
    # the real collective-author record with its PubDate rewritten as a MedlineDate
    data = (HAWC / "efetch_collective_author_21860499.xml").read_bytes()
    data = data.replace(
        b"<PubDate><Year>2011</Year></PubDate>",
        b"<PubDate><MedlineDate>2011 Jan-Feb</MedlineDate></PubDate>",
    )
    assert b"MedlineDate" in data
    (c,) = parse_articles(data, "medline-date.xml")
    assert c.year == 2011


def test_raw_is_the_record_and_reads_back_the_same() -> None:
    c = only(BIOPYTHON / "pubmed4.xml")
    assert c.line == 4
    assert c.raw.startswith("<PubmedArticle>\n    <MedlineCitation")
    assert c.raw.endswith("</PubmedArticle>")
    (again,) = parse_articles(f"<PubmedArticleSet>{c.raw}</PubmedArticleSet>".encode(), "raw")
    assert (again.title, again.authors, again.sections, again.extra) == (
        c.title,
        c.authors,
        c.sections,
        c.extra,
    )


def test_lines_stay_right_past_line_65535(tmp_path: Path) -> None:
    # libxml2 keeps no line number on elements past 65535; the reader corrects lxml's guess
    record = (BIOPYTHON / "pubmed4.xml").read_bytes().split(b"<PubmedArticleSet>\n")[1]
    record = record.replace(b"</PubmedArticleSet>", b"").strip()
    path = tmp_path / "long.xml"
    path.write_bytes(
        b"<PubmedArticleSet>"
        + b"\n" * 70_000
        + record
        + b"\n"
        + record
        + b"\n</PubmedArticleSet>\n"
    )
    first, second = records(path)
    assert first.line == 70_001
    assert second.line == 70_001 + record.count(b"\n") + 1


def test_parse_articles_matches_the_file_reader() -> None:
    path = HAWC / "efetch_6_records.xml"
    assert parse_articles(path.read_bytes(), "efetch body") == records(path)


def test_truncated_file_names_file_and_line(tmp_path: Path) -> None:
    lines = (BIOPYTHON / "pubmed4.xml").read_bytes().split(b"\n")
    path = tmp_path / "cut.xml"
    path.write_bytes(b"\n".join(lines[:100]) + b"\n")
    with pytest.raises(ParseError) as err:
        records(path)
    assert err.value.path == str(path)
    assert err.value.line == 101
    assert (
        "the XML is cut short: the file ends inside the <PubmedArticle> that starts on line 4"
        in str(err.value)
    )


def test_broken_record_in_the_middle_names_its_line(tmp_path: Path) -> None:
    text = (BIOPYTHON / "pubmed4.xml").read_text(encoding="utf-8")
    lines = text.split("\n")
    target = [i for i, s in enumerate(lines) if "<ArticleTitle>" in s][-1]
    lines[target] = lines[target].replace("<ArticleTitle>", "<ArticleTitle><i>", 1)
    path = tmp_path / "broken.xml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ParseError) as err:
        records(path)
    assert err.value.line is not None and abs(err.value.line - (target + 1)) <= 1
    assert "the XML is broken" in str(err.value)


def test_text_between_records_is_refused(tmp_path: Path) -> None:
    data = (BIOPYTHON / "pubmed1.xml").read_bytes()
    end = data.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    path = tmp_path / "stitched.xml"
    path.write_bytes(data[:end] + b"\nstray text\n" + data[end:])
    with pytest.raises(ParseError, match="unexpected content between records: 'stray text'"):
        records(path)


def test_missing_closing_root_is_cut_short(tmp_path: Path) -> None:
    data = (BIOPYTHON / "pubmed1.xml").read_bytes()
    path = tmp_path / "noend.xml"
    path.write_bytes(data[: data.rindex(b"</PubmedArticleSet>")])
    with pytest.raises(ParseError, match="ends without </PubmedArticleSet>"):
        records(path)


def test_truncated_efetch_body_raises_after_the_complete_records() -> None:
    data = (BIOPYTHON / "pubmed1.xml").read_bytes()
    second = data.index(b"<PubmedArticle>", data.index(b"</PubmedArticle>"))
    got: list[str | None] = []
    with pytest.raises(ParseError) as err:
        for c in iter_articles(io.BytesIO(data[: second + 500]), "efetch batch 2"):
            got.append(c.pmid)
    assert got == ["12091962"]
    assert err.value.line == 4
    with pytest.raises(ParseError):
        parse_articles(data[: second + 500], "efetch batch 2")


def test_esearch_result_is_refused() -> None:
    with pytest.raises(ParseError) as err:
        records(HAWC / "esearch_retmax3_retstart0.xml")
    assert "<eSearchResult>, not <PubmedArticleSet>" in str(err.value)
    assert err.value.line == 3


def test_ncbi_error_body_is_quoted() -> None:
    with pytest.raises(ParseError) as err:
        parse_articles((BIOPYTHON / "epost2.xml").read_bytes(), "epost")
    assert "NCBI said: Invalid db name specified: nothing" in str(err.value)


@pytest.mark.parametrize(
    "body", [b"", b'{"error":"API rate limit exceeded","count":"11"}', b"<html><body/></html>"]
)
def test_bodies_that_are_not_pubmed_xml_are_refused(body: bytes) -> None:
    with pytest.raises(ParseError) as err:
        parse_articles(body, "response")
    assert err.value.line == 1


def test_empty_article_set_has_no_records() -> None:
    assert parse_articles(b"<?xml version='1.0'?><PubmedArticleSet></PubmedArticleSet>", "x") == []


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request made to it."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            requests.append(self.path)
            body = b'<!ENTITY remote "REMOTE-DTD-WAS-LOADED">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def test_external_entities_and_dtds_are_never_loaded(
    tmp_path: Path, dtd_server: tuple[str, list[str]]
) -> None:
    url, requests = dtd_server
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4711")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY viadtd SYSTEM "{secret.as_uri()}">')
    path = tmp_path / "evil.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE PubmedArticleSet SYSTEM "{url}/pubmed.dtd" [\n'
        f'<!ENTITY x SYSTEM "{secret.as_uri()}">\n'
        f'<!ENTITY % p SYSTEM "{dtd.as_uri()}">\n'
        "%p;\n"
        "]>\n"
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>Before &x; after</ArticleTitle>"
        "<Abstract><AbstractText>&viadtd;</AbstractText></Abstract>"
        "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    )
    assert sniff(path.read_text())
    (c,) = records(path)
    assert c.title == "Before after"
    assert "TOPSECRET" not in repr(c) and "REMOTE" not in repr(c)
    assert requests == []
    # control: a permissive parser does read the secret (this lxml's libxml2 has no HTTP
    # client at all, so the server check guards against a build that has one)
    unsafe = etree.XMLParser(load_dtd=True, no_network=False, resolve_entities=True)
    probe = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'
    assert etree.fromstring(probe, unsafe).text == "TOPSECRET-4711"


def test_sniff_finds_pubmed_xml_only() -> None:
    assert sniff((HAWC / "efetch_6_records.xml").read_text())
    assert sniff("<!-- saved by hand -->\n<PubmedArticleSet>\n<PubmedArticle>")
    assert not sniff((HAWC / "esearch_rettype_count.xml").read_text())
    assert not sniff((FIXTURES / "medline" / "biopython_pubmed_result1.txt").read_text())
    assert not sniff("<PubmedArticleSetX>")


def test_detect_format_names_pubmed_xml() -> None:
    assert detect_format(SourceFile.open(HAWC / "efetch_doi_21813142.xml")) == "pubmed-xml"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_bytes(
        b"\xef\xbb\xbf" + (HAWC / "efetch_collective_author_21860499.xml").read_bytes()
    )
    assert [c.pmid for c in records(path)] == ["21860499"]


def test_parallel_parse_gives_the_same_records_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.importers import pubmed_xml

    data = (HAWC / "efetch_6_records.xml").read_bytes()
    start = data.index(b"<PubmedArticle>")
    end = data.rindex(b"</PubmedArticleSet>")
    body = data[start:end]
    path = tmp_path / "many.xml"
    path.write_bytes(data[:start] + body * 100 + data[end:])  # 600 records, 3 batches
    serial = records(path)
    monkeypatch.setattr(pubmed_xml, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pubmed_xml.os, "sched_getaffinity", lambda _: {0, 1})
    parallel = records(path)
    assert len(parallel) == 600
    assert parallel == serial


def test_parallel_parse_reports_a_broken_record_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.importers import pubmed_xml

    text = (BIOPYTHON / "pubmed4.xml").read_text(encoding="utf-8")
    text = text.replace("<ArticleTitle>", "<ArticleTitle><i>", 1)
    path = tmp_path / "broken.xml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(pubmed_xml, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pubmed_xml.os, "sched_getaffinity", lambda _: {0, 1})
    with pytest.raises(ParseError) as err:
        records(path)
    assert err.value.path == str(path) and err.value.line == 31


def test_every_language_of_an_article_is_kept_as_names() -> None:
    """An article published in two languages has two <Language> elements (this input is a real
    record given a second one)."""
    data = (HAWC / "efetch_6_records.xml").read_bytes()
    data = data.replace(
        b"<Language>eng</Language>", b"<Language>eng</Language><Language>fre</Language>", 1
    )
    first = parse_articles(data, "two languages")[0]
    assert first.language == "English; French"
