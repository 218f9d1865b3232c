"""The agreed risk-of-bias judgements as sheets (one row per study and domain, for RevMan;
robvis's input layout, one row per study) and as the table the plots draw.

Only agreed or settled judgements (extraction/rob/consensus.py) are exported as judgements;
a domain still pending or in conflict is a row with an empty judgement and its state, so a
sheet never shows one reviewer's view as the review's.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from extraction.forms.form import Form
from extraction.rob.assessment import WHOLE
from extraction.rob.consensus import AGREED, RESOLVED, agreed
from extraction.rob.instrument import Instrument
from extraction.sheets import safe_cell
from extraction.values.cells import ARM
from extraction.values.consensus import cell_states

Row = list[Any]
STUDY_DOMAIN_HEADER = ["Study", "Result", "Instrument", "Domain", "Domain name", "Judgement",
                       "State", "Justification", "Study UUID"]  # fmt: skip


def _name(labels: Mapping[str, str], study_uuid: str) -> str:
    return labels.get(study_uuid, f"study {study_uuid[:8]}")


def _study(labels: Mapping[str, str], key: tuple[str, str]) -> str:
    """A study as sheets and plots name it: its label, and the result when one is named."""
    name = _name(labels, key[0])
    return f"{name} ({key[1]})" if key[1] else name


def study_domain_rows(
    db: Database, instrument: Instrument, labels: Mapping[str, str], sizes: Any = None
) -> list[Row]:
    """Header, then per assessed result one row per domain and one for the overall judgement."""
    rows: list[Row] = [STUDY_DOMAIN_HEADER]
    names = {d.id: d.name for d in instrument.domains}
    ordered = sorted(agreed(db, instrument).items(), key=lambda kv: _study(labels, kv[0]))
    for (study, result), states in ordered:
        for domain, state in states.items():
            judgement = instrument.label(state.value) if state.value else ""
            why = (state.consensus or {}).get("support") if state.state == RESOLVED else None
            name = "Overall" if domain == WHOLE else names.get(domain, domain)
            label = "Overall" if domain == WHOLE else domain
            rows.append([_name(labels, study), result, instrument.name, label, name, judgement,
                         state.state, why or "", study])  # fmt: skip
    return rows


def robvis_rows(
    db: Database,
    instrument: Instrument,
    labels: Mapping[str, str],
    sizes: Mapping[str, float] | None = None,
) -> list[Row]:
    """robvis's input: Study, D1..Dn, Overall (and Weight); only fully agreed studies."""
    table, _ = plot_table(db, instrument, labels, sizes)
    header: Row = ["Study", *table.domains, "Overall"] + (["Weight"] if sizes is not None else [])
    rows: list[Row] = [header]
    for i, study in enumerate(table.studies):
        judged = [instrument.label(j) for j in table.judgements[i]]
        weight = [table.weights[i]] if sizes is not None else []
        rows.append([study, *judged, instrument.label(table.overall[i]), *weight])
    return rows


@dataclass
class PlotTable:
    """What a plot draws: studies in order, their domain judgements and overall, weights."""

    instrument: Instrument
    domains: list[str]
    studies: list[str] = field(default_factory=list)
    judgements: list[list[str]] = field(default_factory=list)
    overall: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    weighting: str = ""  # how the weights were derived, said under a weighted summary plot


def plot_table(
    db: Database,
    instrument: Instrument,
    labels: Mapping[str, str],
    sizes: Mapping[str, float] | None = None,
) -> tuple[PlotTable, int]:
    """The studies whose every domain and overall judgement is agreed (and, with sizes, that
    have a weight there), and how many are left out."""
    domains = instrument.domain_ids()
    table, left_out = PlotTable(instrument, domains), 0
    for key, states in sorted(agreed(db, instrument).items(), key=lambda kv: _study(labels, kv[0])):
        values = [states[d].value for d in [*domains, WHOLE]]
        settled = all(states[d].state in (AGREED, RESOLVED) for d in [*domains, WHOLE])
        if not settled or sizes is not None and key[0] not in sizes:
            left_out += 1
            continue
        table.studies.append(_study(labels, key))
        table.judgements.append([str(v) for v in values[:-1]])
        table.overall.append(str(values[-1]))
        table.weights.append(float(sizes[key[0]]) if sizes is not None else 1.0)
    return table, left_out


def total_sample_sizes(db: Database, form: Form) -> dict[str, int]:
    """Each study's total sample size: the sum of its arms' agreed n (studies whose arms
    have no agreed n are left out)."""
    totals: dict[str, int] = {}
    for cell, state in cell_states(db, form).items():
        if cell.item != ARM or state.value is None or state.state not in (AGREED, RESOLVED):
            continue
        n = state.value.value.get("n") if isinstance(state.value.value, dict) else None
        if isinstance(n, int):
            totals[cell.study_uuid] = totals.get(cell.study_uuid, 0) + n
    return totals


def write_sheet(rows: list[Row], fmt: str, path: Path | None, stdout: TextIO) -> None:
    """CSV (to path, or stdout) or XLSX; text cells a spreadsheet would run are neutralised."""
    safe = [[safe_cell(v) for v in row] for row in rows]
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Risk of bias")
        for row in safe:
            sheet.append(row)
        book.save(str(path))
        return
    if path is None:
        csv.writer(stdout).writerows(safe)
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(safe)
