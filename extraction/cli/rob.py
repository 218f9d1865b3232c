"""`metasift rob`: risk of bias (extraction.rob): the form, the engine's judgement for given
answers, the agreed judgements as a sheet, and robvis-style plots."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from db.errors import MetasiftError
from extraction.cli.context import (
    ADJUDICATOR,
    EXTRACTOR,
    VIEWER,
    IncludedStudy,
    ReviewOpener,
)
from extraction.cli.output_files import writable_file
from extraction.cli.rob_weights import EQUAL, chosen, study_weights, weight_options

NO_TERMINAL = (
    "metasift rob needs a terminal: its input or output is a pipe or a file. Run it from a "
    "terminal window; `metasift rob export` and `metasift rob plot` work without one."
)
INSTRUMENT_HELP = "rob2 (RoB 2), robins-i (ROBINS-I), or an instrument's .toml file."


def review_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--review", "review_path", type=click.Path(), default=None,
        help="The review: its review.db, or the folder holding it.",
    )(f)  # fmt: skip


def reviewer_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--reviewer", envvar="METASIFT_REVIEWER", help="Who is asking (or METASIFT_REVIEWER)."
    )(f)


def instrument_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--instrument", default="rob2", show_default=True, help=INSTRUMENT_HELP)(f)


def build(opener: ReviewOpener) -> click.Group:
    @click.group(invoke_without_command=True)
    @review_option
    @click.option("--reviewer", envvar="METASIFT_REVIEWER", help="Who is assessing.")
    @click.option("--study", help="Open on this study (its label or the start of its UUID).")
    @instrument_option
    @click.option("--result", default="", help="The result assessed (outcome, time point).")
    @click.pass_context
    def rob(
        ctx: click.Context,
        review_path: str | None,
        reviewer: str | None,
        study: str | None,
        instrument: str,
        result: str,
    ) -> None:
        """Assess risk of bias in the terminal, one domain at a time: answer the signalling
        questions with keys (y Yes, Y probably yes, N probably no, n No, i no information,
        a not applicable), with support text and a quote per answer; questions that do not
        apply are skipped, and the instrument's algorithm suggests each domain's judgement
        as you answer. Every entry is saved at once as an event of its own; with two
        reviewers, each sees only their own answers until both are done.

        Example:

        \b
            metasift rob --reviewer ana
            metasift rob --reviewer ana --study "Mohamadnejad 2013" --result "MELD at 6 months"
            metasift rob --instrument robins-i --reviewer ben
        """
        if ctx.invoked_subcommand is not None:
            return
        _open_screen(opener, ctx.params)

    rob.add_command(judge)
    for make in (_compare, _consensus, _export, _plot):
        rob.add_command(make(opener))
    return rob


@click.command()
@instrument_option
@click.option("--domain", required=True, help="D1, D2, ... or overall.")
@click.option("--variant", default="", help="Domain 2 of RoB 2: assignment or adhering.")
@click.option("--answers", required=True, help="1.1=Y,1.2=PY,... or, for overall, D1=low,...")
@click.option("--json", "as_json", is_flag=True, help='Print {"judgement": ...}.')
def judge(instrument: str, domain: str, variant: str, answers: str, as_json: bool) -> None:
    """The engine's suggested judgement for one domain from the given answers (Y, PY, PN, N,
    NI, NA), or the overall judgement from one judgement per domain. A question the tree
    needs but was not answered, or an answer a question does not take, is an error (exit 1).
    ROBINS-I's domain judgements are the reviewer's: for it only the overall rule is computed.

    Example:

    \b
        metasift rob judge --domain D1 --answers 1.1=Y,1.2=PY,1.3=N --json
        metasift rob judge --domain D2 --variant adhering --answers 2.1=N,2.2=N,2.4=NA,2.5=N
        metasift rob judge --instrument robins-i --domain overall --answers D1=low,D2=serious,...
    """
    from extraction.rob.engine import judge_domain, overall, parse_pairs
    from extraction.rob.instrument import find_instrument

    tool = find_instrument(instrument)
    given = parse_pairs(answers)
    if domain.lower() == "overall":
        judgements = {k.upper(): v for k, v in given.items()}
        found = overall(tool, judgements, variant)
    else:
        found = judge_domain(tool, tool.domain(domain, variant), given)
    click.echo(json.dumps({"judgement": found}) if as_json else tool.label(found))


def _compare(opener: ReviewOpener) -> click.Command:
    @click.command(name="compare")
    @review_option
    @reviewer_option
    @instrument_option
    @click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one per domain.")
    def compare(**params: Any) -> None:
        """List every domain (and overall judgement) two reviewers judged differently, for a
        consensus (`metasift rob consensus`). Only results both reviewers have marked done are
        compared; a consensus that still matches what it settled takes a domain off the list.

        JSON: a list of objects with keys study, label, result, domain and judgements
        (reviewer -> judgement).

        Example:

        \b
            metasift rob compare --reviewer cy
            metasift rob compare --json | jq 'length'
        """
        _compare_now(opener, params)

    return compare


def _consensus(opener: ReviewOpener) -> click.Command:
    @click.command(name="consensus")
    @review_option
    @reviewer_option
    @instrument_option
    @click.option("--study", help="Only this study (its label or the start of its UUID).")
    def consensus(**params: Any) -> None:
        """Settle, in the terminal, the domains (and overall judgements) two reviewers judged
        differently, on studies both have marked done: each reviewer's judgement, answers,
        support text and quotes side by side; take one side's judgement (1, 2), the one the
        agreed answers suggest (s), or write it (e), always with a justification; agree
        answers where they differ (y Y N n i a). Each entry is an event of its own; the
        agreed judgement is what `rob export`, `rob plot` and `analyse --exclude-high-risk`
        use, and a reviewer who changes an answer in that domain brings it back.

        Example:

        \b
            metasift rob consensus --reviewer cy
            metasift rob consensus --reviewer cy --study "Mohamadnejad 2013"
        """
        _consensus_screen(opener, params)

    return consensus


def _export(opener: ReviewOpener) -> click.Command:
    @click.command(name="export")
    @review_option
    @reviewer_option
    @instrument_option
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
    @click.option(
        "--layout", type=click.Choice(["rows", "robvis"]), default="rows", show_default=True,
        help="rows: one per study and domain (RevMan); robvis: one per study, D1..Dn, Overall.",
    )  # fmt: skip
    @weight_options
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False), callback=writable_file,
        help="File, or - for standard output (csv's default).",
    )  # fmt: skip
    def export(**params: Any) -> None:
        """Write the agreed risk-of-bias judgements as a sheet: one row per study and domain
        (study, result, domain, judgement, state, justification), or robvis's input layout.
        A domain the reviewers have not yet agreed on is exported with an empty judgement
        and its state (pending or conflict). With --weight, robvis's layout adds a Weight
        column: each study's total sample size, or its weight (%) in a pooled analysis.

        Example:

        \b
            metasift rob export --format csv -o rob.csv
            metasift rob export --format xlsx --layout robvis --weight sample-size -o robvis.xlsx
        """
        _export_now(opener, params)

    return export


def _plot(opener: ReviewOpener) -> click.Command:
    @click.command(name="plot")
    @review_option
    @reviewer_option
    @instrument_option
    @click.option("--kind", type=click.Choice(["traffic-light", "summary"]), required=True)
    @click.option(
        "--palette", type=click.Choice(["cochrane", "colourblind"]), default="cochrane",
        show_default=True, help="robvis's colours, or its colour-blind-safe palette.",
    )  # fmt: skip
    @weight_options
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False), callback=writable_file, required=True
    )
    def plot(**params: Any) -> None:
        """Draw the agreed judgements the way robvis does: a traffic-light plot (a row per
        study, a coloured circle with its symbol per domain, the overall column last) or a
        summary plot (a 100 % bar per domain, each study counted once, or weighted by its
        total sample size, or by its weight in a pooled analysis chosen as `metasift analyse`
        chooses one; the plot says how). The file's suffix, .svg or .png, picks the format.

        Example:

        \b
            metasift rob plot --kind traffic-light -o rob.svg
            metasift rob plot --kind summary --weight sample-size --palette colourblind -o rob.png
            metasift rob plot --kind summary --weight analysis \\
                --analysis "outcome=albumin,timepoint=6 months,method=FE" -o rob.svg
        """
        _plot_now(opener, params)

    return plot


def _compare_now(opener: ReviewOpener, params: dict[str, Any]) -> None:
    review_path, reviewer, instrument, as_json = (
        params[k] for k in ("review_path", "reviewer", "instrument", "as_json")
    )
    from extraction.rob.consensus import open_conflicts
    from extraction.rob.instrument import find_instrument

    tool = find_instrument(instrument)
    with opener(review_path, reviewer, VIEWER) as review:
        labels = _labels(review.included_studies())
        found = open_conflicts(review.db, tool)
    listed = [{"study": s.study_uuid, "label": labels.get(s.study_uuid, s.study_uuid[:8]),
               "result": s.result, "domain": s.domain, "judgements": s.judgements}
              for s in found]  # fmt: skip
    if as_json:
        click.echo(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    for state in found:
        judged = ", ".join(f"{who} {tool.label(j) if j else '-'}"
                           for who, j in state.judgements.items())  # fmt: skip
        result = f" ({state.result})" if state.result else ""
        label = labels.get(state.study_uuid, state.study_uuid[:8])
        click.echo(f"{label}{result}  {state.domain}: {judged}")
    click.echo(f"{len(listed)} to settle" if listed else "no judgements differ on finished studies")


def _export_now(opener: ReviewOpener, params: dict[str, Any]) -> None:
    review_path, reviewer, instrument, fmt, layout, output = (
        params[k] for k in ("review_path", "reviewer", "instrument", "fmt", "layout", "output")
    )
    from extraction.rob.export import robvis_rows, study_domain_rows, write_sheet
    from extraction.rob.instrument import find_instrument

    tool = find_instrument(instrument)
    output = None if output == "-" else output  # '-' is standard output, as in `export`
    if fmt == "xlsx" and not output:
        raise MetasiftError("--format xlsx needs -o FILE.xlsx")
    if layout == "rows" and chosen(params) != EQUAL:  # it was ignored without a word
        raise MetasiftError("--weight adds a Weight column to --layout robvis; rows have none")
    with opener(review_path, reviewer, VIEWER) as review:
        labels = _labels(review.included_studies())
        sizes = study_weights(review, params).by_study
        make = robvis_rows if layout == "robvis" else study_domain_rows
        rows = make(review.db, tool, labels, sizes)
    write_sheet(rows, fmt, Path(output) if output else None, sys.stdout)
    if output:
        click.echo(f"{output}: {len(rows) - 1} rows", err=True)


def _plot_now(opener: ReviewOpener, params: dict[str, Any]) -> None:
    review_path, reviewer, instrument, kind, palette, output = (
        params[k] for k in ("review_path", "reviewer", "instrument", "kind", "palette", "output")
    )
    from extraction.rob.export import plot_table
    from extraction.rob.instrument import find_instrument
    from extraction.rob.plots import draw

    target = Path(output)
    if target.suffix.lower() not in (".svg", ".png"):
        raise MetasiftError(f"{output}: the plot is written as .svg or .png")
    if kind == "traffic-light" and chosen(params) != EQUAL:  # it was ignored without a word
        raise MetasiftError(
            "--weight weighs the summary plot's bars (--kind summary); the traffic-light plot "
            "shows each study once"
        )
    tool = find_instrument(instrument)
    with opener(review_path, reviewer, VIEWER) as review:
        labels = _labels(review.included_studies())
        weighting = study_weights(review, params)
        table, left_out = plot_table(review.db, tool, labels, weighting.by_study)
    if not table.studies:
        raise MetasiftError("no study has every domain agreed (and a weight) yet: nothing to plot")
    table.weighting = weighting.words
    draw(table, kind, palette, target, weighted=weighting.by_study is not None)
    unweighed = " or without a weight" if weighting.by_study is not None else ""
    said = f"; not yet agreed{unweighed}: {left_out}" if left_out else ""
    click.echo(f"{output}: {len(table.studies)} studies{said}", err=True)
    for note in weighting.notes:
        click.echo(f"note: {note}", err=True)


def _labels(studies: list[IncludedStudy]) -> dict[str, str]:
    return {s.uuid: s.label for s in studies}


def _open_screen(opener: ReviewOpener, params: dict[str, Any]) -> None:
    """The form for the group's options (review_path, reviewer, study, instrument, result)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.ClickException(NO_TERMINAL)
    from extraction.cli.extract import _find
    from extraction.rob.form import RobForm
    from extraction.rob.instrument import find_instrument
    from extraction.tui.rob_screen import RobScreen

    tool = find_instrument(params["instrument"])
    with opener(params["review_path"], params["reviewer"], EXTRACTOR) as review:
        assert review.reviewer is not None  # an assessor always has a name
        studies = review.included_studies()
        form = RobForm(review.db, tool, review.reviewer, studies, params["result"])
        if params["study"]:
            form.at = _find(studies, params["study"])
        review.run_screen(lambda: RobScreen(form), "metasift · risk of bias")


def _consensus_screen(opener: ReviewOpener, params: dict[str, Any]) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.ClickException(NO_TERMINAL)
    from extraction.cli.extract import _find
    from extraction.rob.adjudication import RobConsensus
    from extraction.rob.instrument import find_instrument
    from extraction.tui.rob_consensus_screen import RobConsensusScreen

    tool = find_instrument(params["instrument"])
    with opener(params["review_path"], params["reviewer"], ADJUDICATOR) as review:
        studies = review.included_studies()
        only = studies[_find(studies, params["study"])].uuid if params["study"] else None
        who = review.reviewer or ""
        settling = RobConsensus(review.db, tool, who, _labels(studies), only)
        review.run_screen(lambda: RobConsensusScreen(settling), "metasift · risk-of-bias consensus")


def register(group: click.Group, opener: ReviewOpener) -> None:
    group.add_command(build(opener))
