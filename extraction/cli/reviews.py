"""How the studies and full-text commands open a review: screening's opener, handed to
`register` (extraction never imports screening) and kept as their click context object."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

from extraction.cli.context import VIEWER, ExtractionReview, ReviewOpener

REVIEW_HELP = "The review: its review.db, or the folder holding it.  [default: ./review.db]"
REVIEWER_HELP = "Who is doing this (or METASIFT_REVIEWER): one of review.toml's people."
GROUP_REVIEW = "metasift.extraction.review"  # a group's --review, for its subcommands
C = TypeVar("C", bound=click.Command)


def review_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--review", "review_path", type=click.Path(), help=REVIEW_HELP)(f)


def reviewer_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--reviewer", envvar="METASIFT_REVIEWER", help=REVIEWER_HELP)(f)


def hand_opener(group: C, opener: ReviewOpener) -> C:
    """The group (or command), its commands opening reviews with opener (click passes a
    context's obj on to its subcommands)."""
    group.context_settings["obj"] = opener
    return group


@contextmanager
def open_review(
    review_path: str | None, reviewer: str | None = None, role: str = VIEWER
) -> Iterator[ExtractionReview]:
    """The review, opened by the opener handed in, with who is asking (anyone on the team;
    ANYONE: no name needed, for counts that show no one's verdict)."""
    ctx = click.get_current_context()
    opener: ReviewOpener = ctx.obj
    with opener(review_path or ctx.meta.get(GROUP_REVIEW), reviewer, role) as review:
        yield review


def acting(review: ExtractionReview) -> str:
    """Who writes the events: a name is needed even where review.toml lists nobody."""
    if review.reviewer is None:
        raise click.ClickException("who is asking? Pass --reviewer NAME or set METASIFT_REVIEWER")
    return review.reviewer
