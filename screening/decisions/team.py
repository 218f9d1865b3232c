"""Who is asking: the names review.toml lists, and what each role may do.

Every command that writes a reviewer's work or shows anyone's verdicts knows who is asking
(--reviewer or METASIFT_REVIEWER). While review.toml lists nobody, any name is accepted, as
before reviewers existed; once it lists people, every command refuses other names, so a typo
never starts a second, empty set of decisions. Someone taken off the list keeps their
decisions (they still count and appear in agreement) but can make no new ones.
"""

from __future__ import annotations

from db.errors import MetasiftError
from screening.protocol import Protocol, person_name

SCREENER, ADJUDICATOR, VIEWER = "screener", "adjudicator", "viewer"


class UnknownReviewer(MetasiftError):
    pass


def who_is_asking(protocol: Protocol, given: str | None, role: str = SCREENER) -> str:
    """The name to act as: given (checked against the protocol for the role), else the only
    person the role allows."""
    allowed = _allowed(protocol, role)
    if given and given.strip():
        name = person_name(given)
        if allowed and name not in allowed:
            raise UnknownReviewer(_not_listed(name, role, allowed))
        return name
    if len(allowed) == 1:
        return allowed[0]
    listed = f" (review.toml lists {', '.join(allowed)})" if allowed else ""
    raise UnknownReviewer(f"who is asking? Pass --reviewer NAME or set METASIFT_REVIEWER{listed}")


def viewer(protocol: Protocol, given: str | None) -> str | None:
    """Who is looking at the review's decisions: a checked name, or None in a review whose
    protocol names nobody (there is no team to blind)."""
    if not protocol.people:
        return person_name(given) if given and given.strip() else None
    return who_is_asking(protocol, given, VIEWER)


def _allowed(protocol: Protocol, role: str) -> tuple[str, ...]:
    if role == ADJUDICATOR:
        return protocol.adjudicators or protocol.reviewers
    if role == VIEWER:
        return protocol.people
    return protocol.reviewers


def _not_listed(name: str, role: str, allowed: tuple[str, ...]) -> str:
    where = "adjudicators" if role == ADJUDICATOR and allowed != () else "reviewers"
    kind = {ADJUDICATOR: "adjudicators", VIEWER: "people"}.get(role, "reviewers")
    return (
        f"{name!r} is not one of review.toml's {kind} ({', '.join(allowed)}); check the "
        f"spelling or add the name under [screening] {where}"
    )
