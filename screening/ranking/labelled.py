"""A fully labelled set read from CSV, for `metasift simulate`: ASReview's convention, one
row per record with `title`, `abstract` and a 0/1 label column (`label_included` or
`included` unless named), plus `keywords` and `mesh_terms` where the file has them
(separated by ';')."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from db.errors import MetasiftError
from screening.ranking.texts import RankingText, ranking_text

DEFAULT_LABELS = ("label_included", "included")
FIELDS = ("title", "abstract", "keywords", "mesh_terms")
TRUE, FALSE = {"1", "1.0", "yes", "true", "y"}, {"0", "0.0", "no", "false", "n"}


@dataclass(frozen=True)
class LabelledSet:
    texts: list[RankingText]
    labels: list[int]
    label_column: str


def read_labelled(path: Path, label_column: str | None = None) -> LabelledSet:
    """The set, or a MetasiftError naming the file and line of the first thing wrong."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _read(path, csv.DictReader(handle), label_column)
    except OSError as e:
        raise MetasiftError(f"{path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise MetasiftError(f"{path}: not UTF-8 text ({e.reason})") from e
    except csv.Error as e:
        raise MetasiftError(f"{path}: not a readable CSV ({e})") from e


def _read(path: Path, reader: csv.DictReader[str], label_column: str | None) -> LabelledSet:
    names = reader.fieldnames or []
    column = _label_column(path, names, label_column)
    named = {n.strip().lower(): n for n in names}  # Title, ABSTRACT: any case
    title, abstract, keywords, mesh = (named.get(n, n) for n in FIELDS)
    texts, labels = [], []
    for row in reader:
        labels.append(_label(path, reader.line_num, row.get(column)))
        texts.append(
            ranking_text(
                row.get(title),
                row.get(abstract),
                _terms(row.get(keywords)),
                _terms(row.get(mesh)),
            )
        )
    if not labels:
        raise MetasiftError(f"{path}: no records")
    if sum(labels) == 0:
        raise MetasiftError(f"{path}: no record is labelled 1 in column {column!r}")
    return LabelledSet(texts, labels, column)


def _label_column(path: Path, names: Sequence[str], wanted: str | None) -> str:
    lowered = {n.strip().lower(): n for n in names}
    if "title" not in lowered and "abstract" not in lowered:
        raise MetasiftError(f"{path}, line 1: no 'title' or 'abstract' column")
    for name in (wanted,) if wanted else DEFAULT_LABELS:
        if name.lower() in lowered:
            return lowered[name.lower()]
    asked = repr(wanted) if wanted else " or ".join(repr(n) for n in DEFAULT_LABELS)
    raise MetasiftError(f"{path}, line 1: no label column {asked} (columns: {', '.join(names)})")


def _label(path: Path, line: int, value: str | None) -> int:
    text = (value or "").strip().lower()
    if text in TRUE:
        return 1
    if text in FALSE:
        return 0
    raise MetasiftError(f"{path}, line {line}: label {value!r} is not 0 or 1")


def _terms(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(";") if t.strip()]
