"""`metasift init`: a new review folder with review.db and an annotated review.toml."""

from __future__ import annotations

from pathlib import Path

import click

from screening.review import init_review
from screening.review import restore_protocol as restore_from_snapshot


@click.command()
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--title", default="", help="The review's title (default: the folder's name).")
@click.option("--question", default="", help="The review question.")
@click.option(
    "--restore-protocol",
    is_flag=True,
    help="Write a deleted review.toml back from the copy review.db keeps (the protocol last "
    "in force); changes nothing else.",
)
def init(folder: str, title: str, question: str, restore_protocol: bool) -> None:
    """Start a review: write review.db and an annotated review.toml in FOLDER.

    review.toml documents every protocol key in its comments: fill in the PICOS criteria,
    keywords, exclusion reasons and reviewers there. If review.toml of an existing review was
    deleted, --restore-protocol writes it back from review.db.

    Example:

    \b
        metasift init cirrhosis-msc --title "MSC for liver cirrhosis"
        metasift init cirrhosis-msc --restore-protocol
    """
    if restore_protocol:
        restored = restore_from_snapshot(Path(folder))
        click.echo(f"Restored {restored} from the protocol kept in review.db")
        return
    db_path = init_review(Path(folder), title=title, question=question)
    click.echo(f"Created {db_path} and {db_path.with_name('review.toml')}")
    click.echo("Next: edit review.toml (PICOS, reviewers), then `metasift import FILE...`")


def register(group: click.Group) -> None:
    group.add_command(init)
