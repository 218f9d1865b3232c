"""`metasift init`: a new review folder with review.db and an annotated review.toml."""

from __future__ import annotations

from pathlib import Path

import click

from screening.review import init_review


@click.command()
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--title", default="", help="The review's title (default: the folder's name).")
@click.option("--question", default="", help="The review question.")
def init(folder: str, title: str, question: str) -> None:
    """Start a review: write review.db and an annotated review.toml in FOLDER.

    review.toml documents every protocol key in its comments: fill in the PICOS criteria,
    keywords, exclusion reasons and reviewers there.

    Example:

    \b
        metasift init cirrhosis-msc --title "MSC for liver cirrhosis"
    """
    db_path = init_review(Path(folder), title=title, question=question)
    click.echo(f"Created {db_path} and {db_path.with_name('review.toml')}")
    click.echo("Next: edit review.toml (PICOS, reviewers), then `metasift import FILE...`")


def register(group: click.Group) -> None:
    group.add_command(init)
