"""review.toml -> Protocol, with messages that name the key and the line of anything wrong."""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from db.errors import MetasiftError
from extraction.forms.form import Form, parse_form

PROTOCOL_VERSION = 2  # 2: adjudicators, decisions_required, maybe, reasons_must_agree, pilot
PICOS_ELEMENTS = ("population", "intervention", "comparator", "outcomes", "study_designs")
STAGES = ("title-abstract", "full-text")
DEFAULT_REASONS = (
    "wrong population",
    "wrong intervention",
    "wrong comparator",
    "wrong outcome",
    "wrong study design",
    "duplicate",
    "other",
)


# Which database's record speaks for a duplicate cluster, best first (prefix match, any case).
DEFAULT_SOURCE_PRIORITY = ("PubMed", "MEDLINE", "Embase", "Cochrane", "Web of Science", "Scopus")


# The stopping rules a protocol may set ([screening] stopping.rule): screening/stopping/
STOPPING_RULES = ("consecutive-excludes", "knee", "random-sample")
STOPPING_KEYS = ("rule", "consecutive_excludes", "recall_target", "confidence", "random_after")

# Every key review.toml may hold, by table ("" is the top level; "picos.*" each element). A
# feature that adds protocol keys lists them here, so a misspelt key is refused, not ignored.
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "": ("version", "title", "question", "picos", "screening", "dedup", "extraction"),
    "picos": PICOS_ELEMENTS,
    "picos.*": ("description", "include", "exclude"),
    "screening": (
        "stages",
        "exclusion_reasons",
        "reason_required",
        "reviewers",
        "adjudicators",
        "decisions_required",
        "maybe",
        "reasons_must_agree",
        "pilot",
        "stopping",
    ),
    "screening.stopping": STOPPING_KEYS,
    "dedup": ("source_priority",),
    # "extraction" checks its own keys: extraction/forms/form.py
}
# Deeper than any protocol needs; tomllib recurses once per level and fails near 1,000.
MAX_NESTING = 100


class ProtocolError(MetasiftError):
    pass


def person_name(name: str) -> str:
    """A name as the team's names are compared: stripped, in Unicode's composed form."""
    return unicodedata.normalize("NFC", name.strip())


@dataclass(frozen=True)
class Criterion:
    """One PICOS element: what it means and the words that suggest in or out."""

    description: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoppingRule:
    """[screening] stopping: the rule the team agreed to judge stopping by (shown, never
    applied automatically), with the figures the rules read. rule "" sets none."""

    rule: str = ""
    consecutive_excludes: int = 100  # the run of excludes the heuristic asks for
    recall_target: float = 0.95  # random sample: the recall the test is about
    confidence: float = 0.95  # of every interval and test shown
    random_after: int | None = None  # records screened before they were drawn at random


@dataclass(frozen=True)
class Protocol:
    title: str
    question: str = ""
    version: int = PROTOCOL_VERSION
    picos: dict[str, Criterion] = field(default_factory=dict)
    stages: tuple[str, ...] = STAGES
    exclusion_reasons: tuple[str, ...] = DEFAULT_REASONS
    reason_required: dict[str, bool] = field(
        default_factory=lambda: {"title-abstract": False, "full-text": True}
    )
    reviewers: tuple[str, ...] = ()  # empty: any name is accepted
    adjudicators: tuple[str, ...] = ()
    # per stage, the share of records that need two independent decisions (0: one each,
    # 1: two each, in between: a random sample drawn with the review's seed)
    dual_share: dict[str, float] = field(default_factory=lambda: {s: 0.0 for s in STAGES})
    maybe_is_include: bool = True  # when verdicts are compared: maybe counts as include
    reasons_must_agree: bool = True  # full text: two different exclusion reasons conflict
    pilot: int = 0  # records everyone screens first, in the same order
    stopping: StoppingRule = field(default_factory=StoppingRule)
    source_priority: tuple[str, ...] = DEFAULT_SOURCE_PRIORITY
    form: Form = field(default_factory=Form)  # [extraction]: what reviewers extract

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone the protocol names, reviewers first (empty: names are not enforced)."""
        return tuple(dict.fromkeys((*self.reviewers, *self.adjudicators)))


def template(title: str, question: str = "") -> str:
    """The annotated review.toml that `metasift init` writes."""
    text = resources.files("screening").joinpath("protocol_template.toml").read_text("utf-8")
    return text.replace("{title}", _toml_escape(title)).replace(
        "{question}", _toml_escape(question)
    )


def _toml_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def load_protocol(path: Path) -> Protocol:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProtocolError(f"{path}: no protocol file; run `metasift init`") from None
    except UnicodeDecodeError as e:
        raise ProtocolError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    return parse_protocol(text, path)


def parse_protocol(text: str, path: Path | str = "review.toml") -> Protocol:
    deep = _too_deep_line(text)
    if deep:
        raise ProtocolError(f"{path}: line {deep}: arrays or tables nested over {MAX_NESTING} deep")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        where = re.search(r"\s*\(at line (\d+), column \d+\)$", str(e))
        if not where:
            raise ProtocolError(f"{path}: {e}") from None
        what = str(e)[: where.start()]
        raise ProtocolError(f"{path}: line {where.group(1)}: {what}") from None
    return _Reader(text, str(path)).protocol(data)


def _too_deep_line(text: str) -> int | None:
    """The line where brackets nest deeper than MAX_NESTING (counted roughly: quoted text and
    comments skipped), so tomllib never recurses into a RecursionError."""
    depth, quote, line = 0, "", 1
    for i, char in enumerate(text):
        if char == "\n":  # a string or comment ends with its line (multi-line ones: roughly)
            line, quote = line + 1, ""
        elif quote:
            if char == quote != "#" and text[i - 1] != "\\":
                quote = ""
        elif char in "\"'#":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


class _Reader:
    """Validates the parsed TOML; errors say which key and on which line."""

    def __init__(self, text: str, path: str) -> None:
        self.lines = text.splitlines()
        self.path = path

    def fail(self, key: str, message: str) -> ProtocolError:
        line = self._table_line(key) or self.line_of(key)
        where = f"line {line}: " if line else ""
        return ProtocolError(f"{self.path}: {where}{key}: {message}")

    def check_keys(self, data: dict[str, Any], table: str = "") -> None:
        """Refuse a key no feature reads (a misspelling, most likely), naming the nearest one."""
        known = KNOWN_KEYS.get(table) or KNOWN_KEYS.get(table.rpartition(".")[0] + ".*", ())
        for key, value in data.items():
            dotted = f"{table}.{key}" if table else key
            if key not in known:
                near = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean {near[0]}?" if near else f"known: {', '.join(known)}"
                kind = "PICOS element" if table == "picos" else "protocol key"
                raise self.fail(dotted, f"unknown {kind}; {hint}")
            nested = dotted in KNOWN_KEYS or f"{table}.*" in KNOWN_KEYS
            if isinstance(value, dict) and nested:
                self.check_keys(value, dotted)

    def line_of(self, dotted: str) -> int | None:
        """The line where a dotted key is set, inside its [table] if it has one."""
        *tables, key = dotted.split(".")
        table = ".".join(tables)
        current = ""
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for number, line in enumerate(self.lines, start=1):
            header = re.match(r"^\s*\[([^\]]+)\]", line)
            if header:
                current = header.group(1).strip()
            elif pattern.match(line) and current == table:
                return number
            elif table and current == "" and line.lstrip().startswith(f"{dotted} "):
                return number
        if table:
            return self.line_of(table) if "." in table else self._table_line(table)
        return None

    def _table_line(self, table: str) -> int | None:
        for number, line in enumerate(self.lines, start=1):
            if re.match(rf"^\s*\[{re.escape(table)}\]", line):
                return number
        return None

    def string(self, data: dict[str, Any], key: str, dotted: str, default: str = "") -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise self.fail(dotted, f"must be a string, not {type(value).__name__}")
        return value

    def strings(self, data: dict[str, Any], key: str, dotted: str, default: Any = ()) -> tuple:
        value = data.get(key, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.fail(dotted, "must be a list of strings")
        return tuple(v.strip() for v in value if v.strip())

    def names(self, data: dict[str, Any], key: str, dotted: str) -> tuple[str, ...]:
        """People's names in Unicode's composed form (NFC), as --reviewer is compared: a
        name typed on macOS may come decomposed ("zoë" as z, o, e and a combining mark)."""
        return tuple(person_name(v) for v in self.strings(data, key, dotted))

    def protocol(self, data: dict[str, Any]) -> Protocol:
        self.check_keys(data)
        version = data.get("version", PROTOCOL_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", f"must be a whole number from 1 to {PROTOCOL_VERSION}")
        if version > PROTOCOL_VERSION:
            raise self.fail(
                "version",
                f"is {version}, newer than this metasift understands ({PROTOCOL_VERSION})",
            )
        screening = data.get("screening", {})
        if not isinstance(screening, dict):
            raise self.fail("screening", "must be a table")
        dedup = data.get("dedup", {})
        if not isinstance(dedup, dict):
            raise self.fail("dedup", "must be a table")
        return Protocol(
            title=self.string(data, "title", "title"),
            question=self.string(data, "question", "question"),
            version=version,
            picos=self.picos(data.get("picos", {})),
            source_priority=self.strings(
                dedup, "source_priority", "dedup.source_priority", DEFAULT_SOURCE_PRIORITY
            ),
            form=parse_form(data.get("extraction"), self.fail),
            **self.screening(screening),
        )

    def picos(self, data: Any) -> dict[str, Criterion]:
        if not isinstance(data, dict):
            raise self.fail("picos", "must be a table")
        out = {}
        for name, element in data.items():
            dotted = f"picos.{name}"
            if not isinstance(element, dict):
                raise self.fail(dotted, "must be a table")
            out[name] = Criterion(
                description=self.string(element, "description", f"{dotted}.description"),
                include=self.strings(element, "include", f"{dotted}.include"),
                exclude=self.strings(element, "exclude", f"{dotted}.exclude"),
            )
        return out

    def screening(self, data: dict[str, Any]) -> dict[str, Any]:
        stages = self.strings(data, "stages", "screening.stages", STAGES)
        if not stages:
            raise self.fail(
                "screening.stages", "names no stage; list title-abstract, full-text or both"
            )
        for stage in stages:
            if stage not in STAGES:
                raise self.fail("screening.stages", f"unknown stage {stage!r}; use {STAGES}")
        reasons = self.strings(
            data, "exclusion_reasons", "screening.exclusion_reasons", DEFAULT_REASONS
        )
        if any(r.lower() == "not retrieved" for r in reasons):
            raise self.fail(
                "screening.exclusion_reasons",
                "'not retrieved' is a full-text outcome of its own, not an exclusion reason",
            )
        required = data.get("reason_required", {"title-abstract": False, "full-text": True})
        if not isinstance(required, dict) or not all(
            k in STAGES and isinstance(v, bool) for k, v in required.items()
        ):
            raise self.fail(
                "screening.reason_required",
                "must map stages to true/false, e.g. { full-text = true }",
            )
        return {
            "stages": stages,
            "exclusion_reasons": reasons,
            "reason_required": {**{s: False for s in STAGES}, **required},
            "reviewers": self.names(data, "reviewers", "screening.reviewers"),
            **self.team(data),
        }

    def team(self, data: dict[str, Any]) -> dict[str, Any]:
        """How many reviewers decide each record, who adjudicates, what counts as agreeing."""
        maybe = data.get("maybe", "include")
        if maybe not in ("include", "maybe"):
            raise self.fail("screening.maybe", 'must be "include" or "maybe"')
        agree = data.get("reasons_must_agree", True)
        if not isinstance(agree, bool):
            raise self.fail("screening.reasons_must_agree", "must be true or false")
        pilot = data.get("pilot", 0)
        if not isinstance(pilot, int) or isinstance(pilot, bool) or pilot < 0:
            raise self.fail("screening.pilot", "must be a whole number of records (0: none)")
        return {
            "adjudicators": self.names(data, "adjudicators", "screening.adjudicators"),
            "dual_share": self.dual_share(data.get("decisions_required", {})),
            "maybe_is_include": maybe == "include",
            "reasons_must_agree": agree,
            "pilot": pilot,
            "stopping": self.stopping(data.get("stopping", {})),
        }

    def dual_share(self, data: Any) -> dict[str, float]:
        key = "screening.decisions_required"
        if not isinstance(data, dict) or any(k not in STAGES for k in data):
            raise self.fail(key, 'must map stages to 1, 2 or "N%", e.g. { title-abstract = 2 }')
        shares = {s: 0.0 for s in STAGES}
        for stage, value in data.items():
            percent = (
                re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", value)
                if isinstance(value, str)
                else None
            )
            if value in (1, 2) and not isinstance(value, bool):
                shares[stage] = float(value - 1)
            elif percent and 0 <= float(percent.group(1)) <= 100:
                shares[stage] = float(percent.group(1)) / 100
            else:
                raise self.fail(key, f'{stage} must be 1, 2 or a percentage such as "20%"')
        return shares

    def stopping(self, data: Any) -> StoppingRule:
        key = "screening.stopping"
        if not isinstance(data, dict):
            raise self.fail(key, 'must be a table, e.g. { rule = "knee" }')
        rule = data.get("rule", "")
        if rule not in ("", *STOPPING_RULES):
            raise self.fail(f"{key}.rule", f"must be one of {', '.join(STOPPING_RULES)}")
        run = self.whole(data, "consecutive_excludes", 100, minimum=1)
        random_after = self.whole(data, "random_after", None, minimum=0)
        if rule == "random-sample" and random_after is None:
            raise self.fail(
                f"{key}.random_after",
                "the random-sample rule needs it: how many records were screened before the "
                "screen drew them at random",
            )
        return StoppingRule(
            rule, run, self.share(data, "recall_target"), self.share(data, "confidence"),
            random_after,
        )  # fmt: skip

    def whole(self, data: dict[str, Any], key: str, default: Any, minimum: int) -> Any:
        value = data.get(key, default)
        if value is not default and (
            not isinstance(value, int) or isinstance(value, bool) or value < minimum
        ):
            raise self.fail(f"screening.stopping.{key}", f"must be a whole number from {minimum}")
        return value

    def share(self, data: dict[str, Any], key: str) -> float:
        value = data.get(key, 0.95)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise self.fail(f"screening.stopping.{key}", "must be a number between 0 and 1")
        return float(value)
