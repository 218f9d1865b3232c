"""Protocol mistakes are refused in one line naming the file, the line and the key (issue 11):
no IndexError, no RecursionError, no misspelt key silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli import cli
from screening.protocol import ProtocolError, parse_protocol, template

TEMPLATE = template("t")


def line_of(text: str, start: str) -> int:
    return next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith(start))


def refusal(text: str) -> str:
    with pytest.raises(ProtocolError) as e:
        parse_protocol(text, "review.toml")
    message = str(e.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "exclusion_reasons =",
            "exlusion_reasons =",
            "screening.exlusion_reasons: unknown protocol key; did you mean exclusion_reasons?",
        ),
        ("[dedup]", "[dedupe]", "dedupe: unknown protocol key; did you mean dedup?"),
        ("question =", "questoin =", "questoin: unknown protocol key; did you mean question?"),
        (
            "[picos.outcomes]\ndescription",
            "[picos.outcomes]\ndescripton",
            "picos.outcomes.descripton: unknown protocol key; did you mean description?",
        ),
        (
            "[picos.outcomes]",
            "[picos.outcome]",
            "picos.outcome: unknown PICOS element; did you mean outcomes?",
        ),
    ],
)
def test_a_misspelt_key_is_named_with_its_line_and_the_nearest_key(
    old: str, new: str, expected: str
) -> None:
    text = TEMPLATE.replace(old, new)
    line = line_of(text, new.split("\n")[-1])
    assert refusal(text) == f"review.toml: line {line}: {expected}"


def test_an_unknown_key_far_from_any_lists_the_known_ones() -> None:
    text = TEMPLATE.replace("[dedup]", "[dedup]\nzzz = 1")
    assert refusal(text).endswith("dedup.zzz: unknown protocol key; known: source_priority")


def test_no_stages_is_refused() -> None:
    text = TEMPLATE.replace('stages = ["title-abstract", "full-text"]', "stages = []")
    line = line_of(text, "stages =")
    assert refusal(text) == (
        f"review.toml: line {line}: screening.stages: names no stage; "
        "list title-abstract, full-text or both"
    )


@pytest.mark.parametrize("value", ["-1", "0", "true", '"2"'])
def test_version_must_be_a_known_whole_number(value: str) -> None:
    text = TEMPLATE.replace("version = 2", f"version = {value}")
    assert refusal(text) == (
        f"review.toml: line {line_of(text, 'version')}: version: must be a whole number from 1 to 2"
    )


@pytest.mark.parametrize(
    "nested", ["x = " + "[" * 2000 + "]" * 2000, "x = " + "{a = " * 2000 + "1" + "}" * 2000]
)
def test_deep_nesting_is_refused_without_recursion_error(nested: str) -> None:
    text = TEMPLATE.replace("[dedup]", f"[dedup]\n{nested}")
    assert refusal(text) == (
        f"review.toml: line {line_of(text, 'x =')}: arrays or tables nested over 100 deep"
    )


def test_brackets_inside_strings_and_comments_are_not_nesting() -> None:
    text = TEMPLATE.replace('title = "t"', 'title = "' + "[" * 300 + '"  # ' + "{" * 300)
    assert parse_protocol(text).title == "[" * 300


def test_a_toml_syntax_error_is_one_line_with_file_and_line() -> None:
    assert refusal('version = 1\ntitle = "x"\nquestion = "unclosed\n') == (
        "review.toml: line 3: Illegal character '\\n'"
    )


def test_screen_with_no_stages_is_a_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("screening.cli.screen.has_terminal", lambda: True)  # no app is reached
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "r")]).exit_code == 0
    toml = tmp_path / "r" / "review.toml"
    toml.write_text(
        toml.read_text().replace('stages = ["title-abstract", "full-text"]', "stages = []")
    )
    result = runner.invoke(cli, ["screen", "--review", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {toml}: line ")
    assert "screening.stages: names no stage" in result.stderr
