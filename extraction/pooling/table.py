"""Studies to pool, read from a CSV with metafor's column names (as `export sheet --for
metafor` writes them): study, then m1i, sd1i, n1i, m2i, sd2i, n2i; or ai, n1i, ci, n2i (or
ai, bi, ci, di); or yi, vi; optional subgroup, outcome and timepoint columns. Each problem
is refused with the file, line and study it concerns."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from db.errors import MetasiftError
from extraction.pooling.result import Vector

CONTINUOUS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
EVENTS_OF_TOTALS = ("ai", "n1i", "ci", "n2i")
EVENTS_AND_OTHERS = ("ai", "bi", "ci", "di")
PRECOMPUTED = ("yi", "vi")


@dataclass(frozen=True)
class Studies:
    """Rows of one outcome: kind is "continuous", "2x2" (columns ai, bi, ci, di) or "yivi"."""

    source: str
    kind: str
    names: tuple[str, ...]
    lines: tuple[int, ...]
    columns: dict[str, Vector]
    subgroups: tuple[str, ...] | None = None

    def where(self, i: int) -> str:
        return f"{self.source} line {self.lines[i]} (study {self.names[i]})"

    def take(self, indices: npt.NDArray[np.intp]) -> Studies:
        subgroups = self.subgroups
        return Studies(
            source=self.source,
            kind=self.kind,
            names=tuple(self.names[i] for i in indices),
            lines=tuple(self.lines[i] for i in indices),
            columns={k: v[indices] for k, v in self.columns.items()},
            subgroups=None if subgroups is None else tuple(subgroups[i] for i in indices),
        )


@dataclass(frozen=True)
class Selection:
    """Which rows and columns to read: outcome, timepoint and comparison filter; subgroup names
    a column. values: final values or changes from baseline, which `export sheet --for
    metafor` writes in a `measure` column and which are never pooled together."""

    outcome: str | None = None
    timepoint: str | None = None
    subgroup: str | None = None
    comparison: str | None = None
    values: str = "final"


def read_studies(path: Path, continuous: bool, selection: Selection = Selection()) -> Studies:
    """The studies in path; continuous says the measure wants means and SDs (MD, SMD)."""
    header, rows = read_rows(path)
    return studies_from_rows(path, header, rows, continuous, selection)


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The CSV's header and its rows by column, each with its line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            return header, [(reader.line_num, _stripped(row)) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise MetasiftError(f"{path}: cannot read it as CSV ({e})") from e


def studies_from_rows(
    source: Path | str,
    header: Sequence[str],
    rows: list[tuple[int, dict[str, str]]],
    continuous: bool,
    selection: Selection = Selection(),
) -> Studies:
    """The studies in rows already read (line number, cells as text by column), as from a
    file named source: `metasift analyse` hands in the sheet it builds in memory."""
    kind, needed = _kind(source, header, continuous)
    rows = _selected(source, header, rows, selection)
    return _parse(str(source), kind, needed, rows, selection.subgroup)


def _stripped(row: dict[str | None, str | None]) -> dict[str, str]:
    return {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}


def _kind(path: Path | str, header: Sequence[str], continuous: bool) -> tuple[str, tuple[str, ...]]:
    has = set(header)
    if continuous and has.issuperset(CONTINUOUS):
        return "continuous", CONTINUOUS
    if not continuous and has.issuperset(EVENTS_AND_OTHERS):
        return "2x2", EVENTS_AND_OTHERS
    if not continuous and has.issuperset(EVENTS_OF_TOTALS):
        return "2x2", EVENTS_OF_TOTALS
    if has.issuperset(PRECOMPUTED):
        return "yivi", PRECOMPUTED
    wanted = ", ".join(CONTINUOUS) if continuous else "ai, n1i, ci, n2i (or ai, bi, ci, di)"
    raise MetasiftError(f"{path}: the header needs the columns {wanted}, or yi, vi")


def _selected(
    path: Path | str,
    header: Sequence[str],
    rows: list[tuple[int, dict[str, str]]],
    selection: Selection,
) -> list[tuple[int, dict[str, str]]]:
    chosen = (
        ("outcome", selection.outcome),
        ("timepoint", selection.timepoint),
        ("comparison", selection.comparison),
    )
    for column, wanted in chosen:
        if wanted is None and column in header:
            found = sorted({row.get(column, "") for _, row in rows})
            if len(found) > 1:
                raise MetasiftError(
                    f"{path} holds {len(found)} {column}s ({', '.join(found)}); "
                    f"choose one with --{column}"
                )
        if wanted is None:
            continue
        if column not in header:
            raise MetasiftError(f"--{column} {wanted}: {path} has no {column} column")
        rows = [(n, row) for n, row in rows if row.get(column, "") == wanted]
        if not rows:
            raise MetasiftError(f"--{column} {wanted}: no row of {path} has it")
    if "measure" in header:
        rows = _values_of_a_kind(path, rows, selection.values)
    elif selection.values == "change":  # a file without the column cannot say which it holds
        raise MetasiftError(
            f"--change-from-baseline: {path} has no measure column (final or change) to pick by"
        )
    if selection.subgroup is not None and selection.subgroup not in header:
        raise MetasiftError(f"--subgroup {selection.subgroup}: {path} has no such column")
    return rows


def _values_of_a_kind(
    path: Path | str, rows: list[tuple[int, dict[str, str]]], values: str
) -> list[tuple[int, dict[str, str]]]:
    """A sheet's final values, or its changes from baseline: never pooled together."""
    kept = [(n, row) for n, row in rows if row.get("measure", "") == values]
    if not kept:
        hint = " (--change-from-baseline pools the changes)" if values == "final" else ""
        raise MetasiftError(f"{path}: no {values} values to pool here{hint}")
    return kept


def _parse(
    source: str,
    kind: str,
    needed: tuple[str, ...],
    rows: list[tuple[int, dict[str, str]]],
    subgroup: str | None,
) -> Studies:
    if not rows:
        raise MetasiftError(f"{source}: no study to pool")
    names = tuple(row.get("study") or f"row {n}" for n, row in rows)
    values = {c: np.array([_number(source, n, row, c) for n, row in rows]) for c in needed}
    labels = None
    if subgroup is not None:
        labels = tuple(row.get(subgroup, "") for _, row in rows)
        for (n, _), label in zip(rows, labels, strict=True):
            if not label:
                raise MetasiftError(f"{source} line {n}: the {subgroup} column is empty")
    studies = Studies(source, kind, names, tuple(n for n, _ in rows), values, labels)
    if kind == "2x2" and "n1i" in values:
        studies.columns["bi"] = values["n1i"] - values["ai"]
        studies.columns["di"] = values["n2i"] - values["ci"]
    check_values(studies)
    return studies


def _number(source: str, line: int, row: dict[str, str], column: str) -> float:
    text = row.get(column, "")
    where = f"{source} line {line} (study {row.get('study') or '?'})"
    if not text:
        raise MetasiftError(f"{where}: no usable data, {column} is empty")
    try:
        value = float(text)
    except ValueError:
        raise MetasiftError(f"{where}: {column} {text!r} is not a number") from None
    if not np.isfinite(value):
        raise MetasiftError(f"{where}: {column} {text!r} is not a finite number")
    return value


def check_values(studies: Studies) -> None:
    """Refuse what cannot be a study's data: negative SDs, n below 2, negative or
    fractional counts, events above the total, non-positive variances."""
    for i in range(len(studies.names)):
        problem = _problem({k: float(v[i]) for k, v in studies.columns.items()}, studies.kind)
        if problem:
            raise MetasiftError(f"{studies.where(i)}: {problem}")


def _problem(row: dict[str, float], kind: str) -> str | None:
    if kind == "continuous":
        for arm in ("1", "2"):
            if row[f"sd{arm}i"] < 0:
                return f"sd{arm}i {row[f'sd{arm}i']:g} is negative"
            if row[f"n{arm}i"] < 2:
                return f"n{arm}i {row[f'n{arm}i']:g} is below 2"
        if row["sd1i"] == 0 and row["sd2i"] == 0:
            return "both SDs are 0, so the study has no variance to weight it by"
        return None
    if kind == "yivi":
        return None if row["vi"] > 0 else f"vi {row['vi']:g} is not positive"
    return _count_problem(row)


def _count_problem(row: dict[str, float]) -> str | None:
    for event, total in (("ai", "n1i"), ("ci", "n2i")):
        if total in row and row[event] > row[total]:
            return f"{event} {row[event]:g} events is above the total {total} {row[total]:g}"
    for cell in ("ai", "bi", "ci", "di"):
        if row[cell] < 0 or row[cell] != int(row[cell]):
            return f"{cell} {row[cell]:g} is not a count"
    if row["ai"] + row["bi"] == 0 or row["ci"] + row["di"] == 0:
        return "an arm has no participants"
    return None
