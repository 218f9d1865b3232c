"""README.md's shell blocks read as commands, and a metasift command line checked against the
real click group: what tests/test_readme.py needs to hold README to the code.

Blocks fenced as bash, sh, shell or console are read. In a console block a line starting
`$ ` is a command and the lines under it are what it printed; in the others every line is a
command. Lines ending in `\\` continue; `&&`, `||`, `;` and `|` separate commands; `# ...`
comments, `> FILE` redirections and quotes are read as a shell reads them; `$(...)` and
`$VARIABLES` are left as written (only the program's base name matters for finding metasift).
"""

from __future__ import annotations

import inspect
import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

README = Path(__file__).resolve().parent.parent / "README.md"
SHELL_FENCES = {"bash", "sh", "shell", "console"}
SEPARATORS = {"&&", "||", ";", "|", "&"}
REDIRECTIONS = {">", ">>", "<", "2>", "&>"}
STATED_EXIT = re.compile(r"#.*\bexits? (?:code )?([0-9])\b")


@dataclass(frozen=True)
class Command:
    """One simple command of a README block."""

    line: int  # README's line number where the command starts (1-based)
    text: str  # the whole logical line as written
    program: str  # argv[0] as written (`$OLDPWD/.venv/bin/metasift`, `cd`, ...)
    args: tuple[str, ...]
    output: tuple[str, ...] = ()  # what README shows it printed (console blocks only)
    stdout_to: str | None = None  # the file of a `> FILE` redirection
    origin: str = "README.md"  # or the `--help` text it comes from
    reference: bool = False  # inline `metasift CMD` naming a command, not running it

    @property
    def is_metasift(self) -> bool:
        return Path(self.program).name == "metasift"

    @property
    def stated_exit(self) -> int:
        """The exit code README states in the command's comment (`# exits 1`), else 0."""
        found = STATED_EXIT.search(self.text)
        return int(found.group(1)) if found else 0

    def where(self) -> str:
        return f"{self.origin}:{self.line}: {self.text.strip()}"


@dataclass
class Block:
    """A fenced shell block, the heading it is under and the prose just before it."""

    line: int
    language: str
    section: str
    prose: str
    commands: list[Command] = field(default_factory=list)


def readme_blocks(path: Path = README) -> list[Block]:
    """Every shell block of README, in order."""
    blocks: list[Block] = []
    section, prose, fence, body, start = "", [], "", [], 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```") and not fence:
            fence, body, start = line[3:].strip() or "text", [], number
        elif line.startswith("```"):
            if fence in SHELL_FENCES:
                block = Block(start, fence, section, "\n".join(prose))
                block.commands = _commands(body, start + 1, console=fence == "console")
                blocks.append(block)
            fence, prose = "", []
        elif fence:
            body.append(line)
        elif line.startswith("#"):
            section, prose = line.lstrip("#").strip(), []
        else:
            prose.append(line)
    return blocks


def _commands(body: list[str], first_line: int, console: bool) -> list[Command]:
    """The commands of a block's lines (first_line: README's number of body[0])."""
    commands: list[Command] = []
    logical, start = "", 0
    for offset, line in enumerate(body):
        if console and not logical and not line.startswith("$ "):
            if commands:  # output of the command above
                last = commands[-1]
                commands[-1] = replace(last, output=(*last.output, line))
            continue
        text = line[2:] if console and not logical else line
        if not logical:
            start = first_line + offset
        if text.rstrip().endswith("\\"):
            logical += text.rstrip()[:-1] + " "
            continue
        logical += text
        if logical.strip():
            commands.extend(split_line(logical, start))
        logical = ""
    return commands


def split_line(text: str, line: int, origin: str = "README.md") -> list[Command]:
    """The simple commands of one logical shell line."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[Command] = []
    words: list[str] = []
    stdout_to: str | None = None
    tokens = iter([*lexer, ";"])
    for token in tokens:
        if token in SEPARATORS:
            if words:
                argv = (words[0], tuple(words[1:]))
                commands.append(Command(line, text, *argv, (), stdout_to, origin))
            words, stdout_to = [], None
        elif token in REDIRECTIONS:
            target = next(tokens)
            stdout_to = target if token in {">", ">>"} else stdout_to
        else:
            words.append(token)
    return commands


def metasift_commands(path: Path = README) -> list[Command]:
    return [c for block in readme_blocks(path) for c in block.commands if c.is_metasift]


INLINE = re.compile(r"`(metasift [^`]*)`")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*$")  # ID, NAME, PATH: the reader's own value


def inline_commands(path: Path = README) -> list[Command]:
    """The `metasift ...` spans in README's prose. `[--json]` counts as written out, a
    placeholder in capitals as a value; a span of command names alone is a reference."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for span in INLINE.findall(line):
            words = shlex.split(span.replace("[", "").replace("]", ""))
            args = tuple("1" if PLACEHOLDER.match(w) else w for w in words[1:])
            bare = all(re.fullmatch(r"[a-z-]+", w) for w in args)
            found.append(Command(number, span, "metasift", args, reference=bare))
    return found


def help_commands(group: click.Group) -> list[Command]:
    """The `metasift ...` lines of every command's --help text: its Example: block, indented
    (a line of prose may start with the word metasift too)."""
    found: list[Command] = []

    def walk(command: click.Command, names: str, ctx: click.Context) -> None:
        logical = ""
        for line in inspect.cleandoc(command.help or "").splitlines():
            if logical or line.startswith(" ") and line.strip().startswith("metasift "):
                logical += line.strip().removesuffix("\\") + " "
                if not line.rstrip().endswith("\\"):
                    where = f"`{names} --help`"
                    found.extend(c for c in split_line(logical, 0, where) if c.is_metasift)
                    logical = ""
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(sub, f"{names} {name}", click.Context(sub, info_name=name, parent=ctx))

    walk(group, "metasift", click.Context(group, info_name="metasift"))
    return found


def parse(
    group: click.Group, args: tuple[str, ...], placeholders: Path, reference: bool = False
) -> click.Context:
    """Resolve args to their (sub)command through group, as `metasift ARGS` would, and parse
    its options and arguments for real. A path that must exist and does not is created, empty,
    under placeholders (the current folder), so only the command line is judged. With
    reference, naming an existing (sub)command is enough."""
    command: click.Command = group
    parent: click.Context | None = None
    names, rest = ["metasift"], list(args)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        parent = click.Context(command, info_name=names[-1], parent=parent)
        sub = command.get_command(parent, rest[0])
        if sub is None:
            raise click.UsageError(f"No such command {rest[0]!r} in {' '.join(names)}")
        command = sub
        names.append(rest.pop(0))
    if reference and not rest:  # `metasift export sheet` in prose: the command exists
        return click.Context(command, info_name=names[-1], parent=parent)
    _make_placeholders(command, rest, parent, placeholders)
    return command.make_context(names[-1], rest, parent=parent, resilient_parsing=False)


def _make_placeholders(
    command: click.Command, args: list[str], parent: click.Context | None, folder: Path
) -> None:
    raw_ctx = click.Context(command, parent=parent, resilient_parsing=True)
    raw_values, _, _ = command.make_parser(raw_ctx).parse_args(args=list(args))
    for param in command.params:
        value = raw_values.get(param.name or "")
        values = value if isinstance(value, list | tuple) else [value]
        for each in (str(v) for v in values if v not in (None, "-")):
            _placeholder(param.type, folder / each)


def _placeholder(kind: click.ParamType, path: Path) -> None:
    must_exist = isinstance(kind, click.Path) and kind.exists
    reads = isinstance(kind, click.File) and "r" in kind.mode
    if not (must_exist or reads) or path.exists():
        return
    wants_folder = isinstance(kind, click.Path) and (
        not kind.file_okay or (kind.dir_okay and not path.suffix)
    )
    if wants_folder:
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
