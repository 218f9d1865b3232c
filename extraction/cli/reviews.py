"""How extraction's commands open a review and learn who is asking: the opener the root
command passes as click's context object (extraction never imports screening)."""

from __future__ import annotations

from contextlib import AbstractContextManager

import click

from extraction.studies.reports import OpenedReview, ReviewOpener

REVIEW_HELP = "The review: its review.db, or the folder holding it.  [default: ./review.db]"
GROUP_REVIEW = "metasift.extraction.review"  # a group's --review, for its subcommands
REVIEWER_HELP = "Who is doing this (or METASIFT_REVIEWER): one of review.toml's people."


def review_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--review", "review_path", type=click.Path(), help=REVIEW_HELP)(f)


def reviewer_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--reviewer", envvar="METASIFT_REVIEWER", help=REVIEWER_HELP)(f)


def open_review(review_path: str | None) -> AbstractContextManager[OpenedReview]:
    """The review, opened by the root command's opener."""
    ctx = click.get_current_context()
    opener: ReviewOpener | None = ctx.obj
    if not callable(opener):
        raise click.ClickException("run this through the `metasift` command")
    return opener(review_path or ctx.meta.get(GROUP_REVIEW))
