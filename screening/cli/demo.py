"""`metasift demo`: build the example review from the bundled records and open the screen on
it; --full also plays the whole path and prints the pooled estimate and PRISMA's counts."""

from __future__ import annotations

from pathlib import Path

import click

from screening.cli.screen import has_terminal, run_app

ANALYSE = ["--outcome", "inflammatory_lesions", "--timepoint", "12 weeks"]
ANALYSE_SUBGROUP = ["--outcome", "inflammatory_lesions", "--timepoint", "4 weeks",
                    "--subgroup", "comparator"]  # fmt: skip
ILLUSTRATIVE = (
    "The values pooled below mix means quoted from the records' abstracts with ILLUSTRATIVE "
    "numbers made up for the demo (every SD among them): the estimate shows how metasift "
    "works and says nothing about blue light. Every output made from them marks each study "
    "illustrative (\u2020 in the forest plot, an illustrative column in the sheets, an "
    "illustrative list in --json); each value's note says what is quoted "
    "(`metasift export sheet -o sheet.xlsx`, outcomes sheet)."
)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--no-tui", is_flag=True, help="Do not open the screen; print each step.")
@click.option(
    "--full",
    is_flag=True,
    help="Also play the whole path (two reviewers screen both stages, conflicts resolved, "
    "RoB 2, extraction at two time points), then print the pooled estimate and PRISMA's "
    "counts. Implies --no-tui.",
)
def demo(folder: Path | None, no_tui: bool, full: bool) -> None:
    """Create an example review from records bundled with metasift (a blue-light library
    exported from PubMed and from EndNote: 182 records, 80 of them duplicates), with a
    protocol, two reviewers, an extraction form and RoB 2, then open the screening screen
    on it as reviewer ana. FOLDER must not hold a review (default: a new folder
    metasift-demo here). Nothing is fetched from the network.

    Example:

    \b
        metasift demo
        metasift demo blue-light --no-tui
        metasift demo blue-light-full --full
    """
    from screening.demo.example import create_example_review, new_folder  # numpy: not for --help

    target = folder if folder is not None else new_folder(Path())
    create_example_review(target, _say)
    if full:
        _play(target)
    elif no_tui or not has_terminal():
        if not no_tui:
            click.echo("No terminal here, so the screen stays closed.", err=True)
        _next_steps(target)
    else:
        _open_screen(target)


def _say(step: str) -> None:
    click.echo(f"- {step}")


def _play(folder: Path) -> None:
    from screening.demo.extraction_play import play_extraction, play_rob
    from screening.demo.screening_play import load_play, play_screening
    from screening.review import load_review

    play = load_play()
    with load_review(folder) as review:
        play_screening(review.db, review.protocol, play, _say)
        play_rob(review.db, review.protocol, play, _say)
        play_extraction(review.db, review.protocol, play, _say)
    click.echo(f"\n{ILLUSTRATIVE}")
    for args in (ANALYSE, ANALYSE_SUBGROUP, ["prisma"]):
        command = args if args[0] == "prisma" else ["analyse", *args, "--reviewer", "ana"]
        _run(command, folder)
    _next_steps(folder, full=True)


def _run(args: list[str], folder: Path) -> None:
    """Run a metasift command in this process and show it as typed."""
    from screening.cli import cli

    shown = " ".join(f'"{a}"' if " " in a else a for a in args)
    click.echo(f"\n$ metasift {shown} --review {folder}")
    cli.main([*args, "--review", str(folder)], prog_name="metasift", standalone_mode=False)


def _next_steps(folder: Path, full: bool = False) -> None:
    steps = [
        "metasift status",
        "metasift screen --reviewer ana            # i include, e exclude, m maybe, ? help",
    ]
    if full:
        steps = [
            "metasift status",
            "metasift agreement",
            "metasift export sheet --reviewer ana -o sheet.xlsx   # each value's note",
            "metasift rob plot --kind traffic-light --reviewer cleo -o rob.svg",
            "metasift prisma --svg prisma.svg",
        ]
    click.echo(f"\nThe review is in {folder}/. Next, from that folder:")
    click.echo("\n".join(f"  {step}" for step in steps))


def _open_screen(folder: Path) -> None:
    from screening.decisions.session import ScreeningSession
    from screening.review import load_review
    from screening.tui import app as tui_app
    from screening.tui.screening_screen import ScreeningScreen

    with load_review(folder) as review:
        session = ScreeningSession(review.db, review.protocol, "ana", "title-abstract")
        session.set_order("relevance")  # as `metasift screen` opens: likely includes first
        title = f"metasift · {review.protocol.title}"
        run_app(tui_app.make_app(lambda: ScreeningScreen(session, ranking=True), title=title))
    _next_steps(folder)


def register(group: click.Group) -> None:
    group.add_command(demo)
