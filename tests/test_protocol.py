from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from screening.decisions.team import who_is_asking
from screening.protocol import DEFAULT_REASONS, ProtocolError, parse_protocol, template
from screening.review import init_review, load_review


def test_template_parses_to_the_default_protocol() -> None:
    protocol = parse_protocol(template("MSC for liver cirrhosis", 'Do "MSCs" help?'))
    assert protocol.title == "MSC for liver cirrhosis"
    assert protocol.question == 'Do "MSCs" help?'
    assert protocol.exclusion_reasons == DEFAULT_REASONS
    assert "not retrieved" not in protocol.exclusion_reasons
    assert protocol.reason_required == {"title-abstract": False, "full-text": True}
    assert set(protocol.picos) == {
        "population",
        "intervention",
        "comparator",
        "outcomes",
        "study_designs",
    }


def test_picos_keywords_are_read() -> None:
    text = template("t").replace(
        '[picos.population]\ndescription = ""\ninclude = []',
        '[picos.population]\ndescription = "cirrhosis"\ninclude = ["cirrho*", "fibrosis"]',
    )
    protocol = parse_protocol(text)
    assert protocol.picos["population"].include == ("cirrho*", "fibrosis")


def test_wrong_type_names_key_and_line() -> None:
    text = template("t").replace("reviewers = []", "reviewers = 3")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("reviewers"))
    with pytest.raises(ProtocolError) as e:
        parse_protocol(text, "review.toml")
    assert str(e.value) == (
        f"review.toml: line {line}: screening.reviewers: must be a list of strings"
    )


def test_not_retrieved_is_refused_as_a_reason() -> None:
    text = template("t").replace('"other",\n]', '"other",\n    "not retrieved",\n]')
    with pytest.raises(ProtocolError, match="full-text outcome"):
        parse_protocol(text)


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(ProtocolError, match=r"line 3"):
        parse_protocol('version = 1\ntitle = "x"\nquestion = "unclosed\n', "review.toml")


def test_unknown_picos_element_is_named() -> None:
    text = template("t") + '\n[picos.setting]\ndescription = "x"\n'
    with pytest.raises(ProtocolError, match=r"picos.setting: unknown PICOS element"):
        parse_protocol(text)


def test_protocol_changes_are_snapshotted(tmp_path: Path) -> None:
    db_path = init_review(tmp_path / "r", title="First")
    toml = db_path.with_name("review.toml")
    with load_review(db_path) as review:
        assert review.db["protocol_versions"].count == 1
    toml.write_text(toml.read_text().replace('title = "First"', 'title = "Second"'))
    with load_review(db_path) as review:
        assert review.protocol.title == "Second"
        versions = list(review.db["protocol_versions"].rows)
    assert len(versions) == 2
    assert 'title = "First"' in versions[0]["toml"]
    with load_review(db_path) as review:
        assert review.db["protocol_versions"].count == 2


def test_names_typed_decomposed_match_the_teams() -> None:
    decomposed = unicodedata.normalize("NFD", "zoë")
    protocol = parse_protocol(f'[screening]\nreviewers = ["{decomposed}", "ana"]\n')
    assert protocol.reviewers == ("zoë", "ana")  # composed, as --reviewer is compared
    assert who_is_asking(protocol, decomposed) == "zoë"
    assert who_is_asking(protocol, " zoë ") == "zoë"
