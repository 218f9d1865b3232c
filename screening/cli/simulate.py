"""`metasift simulate`: the screen's ranking replayed on a fully labelled set
(screening.ranking.simulation), to see how much reading it would have saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from db.errors import MetasiftError
from screening.cli.progress import ProgressLine

if TYPE_CHECKING:
    from screening.ranking.simulation import Simulation

F = TypeVar("F", bound=Callable[..., Any])
FIGURES = ("wss95", "records_to_95", "records_to_100", "recall_at_10pct")


def _count(name: str, default: int, minimum: int, help_text: str) -> Callable[[F], F]:
    return click.option(
        name, type=click.IntRange(min=minimum), default=default, show_default=True, help=help_text
    )


@click.command()
@click.argument("labelled", type=click.Path(dir_okay=False, path_type=Path))
@_count("--seeds", 10, 1, "Runs, with seeds 0, 1, ...: each draws its own priors.")
@_count("--prior-includes", 1, 0, "Includes known before screening starts, drawn at random.")
@_count("--prior-excludes", 1, 0, "Excludes known before screening starts, drawn at random.")
@click.option(
    "--label",
    "label_column",
    metavar="COLUMN",
    help="The 0/1 label column.  [default: label_included, else included]",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def simulate(
    labelled: Path,
    seeds: int,
    prior_includes: int,
    prior_excludes: int,
    label_column: str | None,
    as_json: bool,
) -> None:
    """Replay screening on a fully labelled CSV with the model `metasift screen` ranks by:
    after the priors, the model always reads the record it scores highest, learns its label,
    and retrains: after every label for the first 200, then each time the labels grow by 2%
    (the screen retrains after every decision; replaying every label took several times as
    long and scored no better). Prints, per seed and on average, the records read
    to find 95% and 100% of the includes, WSS@95 (work saved over reading in random order at
    95% recall, in percent of records, as asreview-insights computes it), the recall after
    reading 10% of the records, and the time one retrain took. The priors are left out of
    every figure.

    The CSV has a title and/or abstract column and a 0/1 label column (ASReview's
    convention); keywords and mesh_terms columns (';'-separated) are used where present.

    JSON: an object with the means under wss95, records_to_95, records_to_100,
    recall_at_10pct and retrain_seconds; records, includes, label and priors; and seeds, a
    list with the same figures per seed plus seed and prior_rows (0-based data rows).

    Example:

    \b
        metasift simulate cohen2006_ppi.csv --seeds 5 --label label_ti_ab --json | jq .wss95
    """
    from screening.ranking.labelled import read_labelled
    from screening.ranking.simulation import simulate_set

    data = read_labelled(labelled, label_column)
    line = ProgressLine(f"simulating {labelled.name}", unit="records read")
    total, read = len(data.labels) * seeds, 0

    def progress(count: int) -> None:
        nonlocal read
        read += count
        line.update(read, read, total)

    try:
        result = simulate_set(
            data.texts, data.labels, range(seeds), (prior_includes, prior_excludes), progress
        )
    except MetasiftError as e:
        raise MetasiftError(f"{labelled}: {e}") from e
    finally:
        line.finish()
    report = _report(result, data.label_column, (prior_includes, prior_excludes))
    click.echo(json.dumps(report, indent=2) if as_json else _text(report, labelled.name))


def _report(result: Simulation, label: str, priors: tuple[int, int]) -> dict[str, Any]:
    seeds = [
        {
            "seed": run.seed,
            **{f: getattr(run.figures, f) for f in FIGURES},
            "retrain_seconds": sum(run.retrain_seconds) / max(len(run.retrain_seconds), 1),
            "prior_rows": list(run.prior_rows),
        }
        for run in result.runs
    ]
    return {
        **{f: result.mean(f) for f in FIGURES},
        "retrain_seconds": result.retrain_seconds(),
        "records": result.records,
        "includes": result.includes,
        "label": label,
        "priors": {"includes": priors[0], "excludes": priors[1]},
        "seeds": seeds,
    }


def _text(report: dict[str, Any], name: str) -> str:
    lines = [
        f"{name}: {report['records']:,} records, {report['includes']:,} includes "
        f"({report['label']}), priors {report['priors']['includes']} include(s) and "
        f"{report['priors']['excludes']} exclude(s)",
        f"{'seed':>6} {'WSS@95':>7} {'to 95%':>7} {'to 100%':>8} {'recall@10%':>11} {'retrain':>9}",
    ]
    for row in [*report["seeds"], {**report, "seed": "mean"}]:
        lines.append(
            f"{row['seed']:>6} {row['wss95']:6.1f}% {row['records_to_95']:7.0f} "
            f"{row['records_to_100']:8.0f} {row['recall_at_10pct']:10.1f}% "
            f"{row['retrain_seconds'] * 1000:7.1f}ms"
        )
    return "\n".join(lines)


def register(group: click.Group) -> None:
    group.add_command(simulate)
