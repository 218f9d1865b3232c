"""README.md is held to the code at this commit (issue 19): read from README.md itself, every
metasift command in its shell blocks parses through the real click group, and the commands
that work on the example review are run, in README's order, printing what README shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from screening.cli import cli
from screening.demo.screening_play import ADJUDICATOR, _resolve, _screen, load_play
from screening.review import load_review
from tests.readme_commands import (
    README,
    Block,
    Command,
    help_commands,
    inline_commands,
    metasift_commands,
    parse,
    readme_blocks,
    split_line,
)

REPO = README.parent
COMMANDS = metasift_commands() + inline_commands()


def test_readme_has_the_commands_this_test_checks() -> None:
    # a README reshaped so this test reads nothing would pass every check below
    assert len(COMMANDS) >= 80, [c.where() for c in COMMANDS]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: f"line{c.line}-{'-'.join(c.args[:2])}")
def test_every_metasift_command_in_readme_parses(
    command: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its subcommand exists and its options and arguments parse as click parses them for
    real: a renamed option or a command gone fails here, naming README's line. Files the
    command reads are created empty in a temporary folder, so only the command line is
    judged."""
    monkeypatch.chdir(tmp_path)
    try:
        parse(cli, command.args, tmp_path, command.reference)
    except click.ClickException as e:
        pytest.fail(f"{command.where()}\n  {e.format_message()}")


def test_every_example_in_help_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`metasift X --help` ends with an Example: block; each of its commands parses too."""
    monkeypatch.chdir(tmp_path)
    examples, wrong = help_commands(cli), []
    for command in examples:
        try:
            parse(cli, command.args, tmp_path)
        except click.ClickException as e:
            wrong.append(f"{command.where()}\n  {e.format_message()}")
    assert len(examples) >= 40 and not wrong, "\n".join(wrong)


def test_scripts_and_pictures_readme_names_exist() -> None:
    """`python benchmarks/x.py`, `bash .ci/run` and every ![picture](path) are in the repo."""
    scripts = [
        (c, c.args[0])
        for block in readme_blocks()
        for c in block.commands
        if Path(c.program).name in {"python", "python3", "bash"} and c.args
        if not c.args[0].startswith("-")
    ]
    missing = [c.where() for c, script in scripts if not (REPO / script).is_file()]
    text = README.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    missing += [f"README.md: picture {p}" for p in pictures if not (REPO / p).is_file()]
    assert scripts and not missing, missing


# Commands of the run blocks that are parsed (above) but not run here, and why.
NOT_RUN = {
    "metasift search": "reaches PubMed over the network",
    "metasift dedup review": "opens the duplicate-review screen",
    "metasift rob": "opens the RoB 2 screen (tests/test_end_to_end.py drives it by keys)",
    "metasift rob consensus": "opens the RoB consensus screen (test_end_to_end.py)",
    "metasift extract": "opens the extraction screen (test_end_to_end.py)",
    "metasift extract consensus": "opens the extraction consensus screen",
}
# Commands that open a screen whose outcome the next commands print: the fictional team's
# decisions that `metasift demo --full` plays stand in for the keys a reviewer would press.
STAND_INS = {"metasift screen": "screen", "metasift resolve": "resolve"}
SIZE = re.compile(r"\([0-9.]+ [kMG]?B\)")
DEMO_IN_PROSE = re.compile(r"`(metasift demo [^`]*--(?:full|no-tui)[^`]*)`")


# Commands that need no review: run for real wherever README shows them.
NEEDS_NO_REVIEW = {"metasift convert", "metasift rob judge"}
SHOWN_JSON = re.compile(r"#\s*(\{.*\})\s*$")  # `# {"judgement": "low"}`: what it prints


def test_commands_that_need_no_review_run_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each exits as README says; a JSON comment beside one is what it prints."""
    monkeypatch.chdir(tmp_path)
    ran = 0
    for command in metasift_commands():
        if parse(cli, command.args, tmp_path).command_path not in NEEDS_NO_REVIEW:
            continue
        result = CliRunner().invoke(cli, list(command.args), catch_exceptions=False)
        assert result.exit_code == command.stated_exit, f"{command.where()}\n{result.output}"
        shown = SHOWN_JSON.search(command.text)
        if shown:
            assert json.loads(result.stdout) == json.loads(shown.group(1)), command.where()
        ran += 1
    assert ran >= 5, "convert's and rob judge's examples ran"


def run_blocks() -> list[Block]:
    """The blocks that work on the example review: transcripts (console blocks: `$ command`
    lines with what they printed, which must run as shown, in order, from the folder the
    blocks before left) and any block in a section whose heading names the example review."""
    return [b for b in readme_blocks() if b.language == "console" or "example review" in b.section]


def test_the_example_review_commands_run_as_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In README's order, in a temporary folder: each command exits as README says and prints
    the lines README pastes under it (see printed_as_shown for what is compared)."""
    monkeypatch.chdir(tmp_path)
    ran = 0
    for block in run_blocks():
        _start_on_the_review_prose_names(block, tmp_path, monkeypatch)
        for command in block.commands:
            if command.program == "cd":
                monkeypatch.chdir(Path.cwd() / command.args[0])
            elif command.is_metasift:
                ran += _run(command, tmp_path)
    assert ran >= 10, "the walkthrough's commands ran"


def _start_on_the_review_prose_names(
    block: Block, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the paragraph before the block names the review it runs on (`metasift demo X
    --full`), build it in the temporary folder and work in it, unless the block itself
    starts with that command."""
    named = DEMO_IN_PROSE.findall(block.prose.split("\n\n")[-1])
    first = block.commands[0] if block.commands else None
    if not named or (first and first.is_metasift and first.args[:1] == ("demo",)):
        return
    demo = split_line(named[-1], block.line)[0]
    monkeypatch.chdir(root)
    _run(demo, root)
    folder = next(a for a in demo.args[1:] if not a.startswith("-"))
    monkeypatch.chdir(root / folder)


def _run(command: Command, root: Path) -> int:
    """Run one README command in this process (or its stand-in); 1 if it ran, else 0."""
    ctx = parse(cli, command.args, root / "placeholders")
    path = ctx.command_path
    demo_on_screen = path == "metasift demo" and not {"--full", "--no-tui"} & set(command.args)
    if path in NOT_RUN or demo_on_screen:  # the demo opens the screen without those
        return 0
    if path in STAND_INS:
        _play(STAND_INS[path], ctx.params)
        return 1
    result = CliRunner().invoke(cli, list(command.args), catch_exceptions=False)
    assert result.exit_code == command.stated_exit, f"{command.where()}\n{result.output}"
    if command.stdout_to:
        Path(command.stdout_to).write_text(result.stdout, encoding="utf-8")
    missing = printed_as_shown(command.output, result.stdout)
    assert not missing, f"{command.where()}\nREADME shows, not printed: {missing}\n{result.stdout}"
    return 1


def printed_as_shown(shown: tuple[str, ...], printed: str) -> list[str]:
    """The first of README's pasted lines that the command did not print after the ones before
    it (none: all printed, in README's order). Compared: every non-blank line README shows,
    with runs of spaces counted as one (alignment may shift) and file sizes as any size (they
    move with the schema); skipped: lines README elides with `...`. The run's paths are
    README's own (relative to the temporary folder), and the example review's outputs carry
    no timestamps or UUIDs."""
    lines = iter(_stable(line) for line in printed.splitlines())
    wanted = [_stable(line) for line in shown if line.strip() and "..." not in line]
    return [w for w in wanted if w not in lines][:1]  # `in` consumes: the order must hold


def _stable(line: str) -> str:
    return SIZE.sub("(SIZE)", " ".join(line.split()))


def _play(what: str, params: dict[str, Any]) -> None:
    """What the screen's keys would have done: the demo's script for this reviewer and stage."""
    play = load_play()
    stage = params.get("stage") or "title-abstract"
    with load_review(Path(params.get("review_path") or ".")) as review:
        if what == "resolve":
            assert params["reviewer"] == ADJUDICATOR, "the demo's script is cleo's"
            _resolve(review.db, review.protocol, stage, play[stage])
        else:
            _screen(review.db, review.protocol, params["reviewer"], stage, play[stage])


def test_the_lists_of_commands_not_run_name_real_commands(tmp_path: Path) -> None:
    # a command renamed in code would leave its line above silently unused
    for path in [*NOT_RUN, *STAND_INS, *NEEDS_NO_REVIEW]:
        parse(cli, tuple(path.split()[1:]), tmp_path, reference=True)
