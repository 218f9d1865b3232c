"""Clusters from duplicate links: union-find with a transitivity guard.

A chain of individually good links can still join two different papers (A~B, B~C, A!=C). So
links are applied strongest first, and a link is refused when the merged cluster would hold
two different DOIs or PMIDs, two accession numbers of the same database, or two records a
person said are different. Refused links go to a person instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Link:
    """Two records (indexes) judged the same, by a rule or by a person."""

    a: int
    b: int
    strength: float  # higher is applied first
    human: bool = False
    rule: str = ""
    score: float | None = None
    reviewer: str | None = None


@dataclass(slots=True)
class Identity:
    """What a record is known as; two clusters with disjoint identities cannot merge."""

    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    accessions: dict[str, set[str]] = field(default_factory=dict)  # database -> accessions

    def clashes(self, other: Identity) -> bool:
        if _disjoint(self.dois, other.dois) or _disjoint(self.pmids, other.pmids):
            return True
        return any(
            _disjoint(acc, other.accessions.get(db, set())) for db, acc in self.accessions.items()
        )

    def absorb(self, other: Identity) -> None:
        self.dois |= other.dois
        self.pmids |= other.pmids
        for db, acc in other.accessions.items():
            self.accessions.setdefault(db, set()).update(acc)


def _disjoint(x: set[str], y: set[str]) -> bool:
    return bool(x and y and x.isdisjoint(y))


class Clusters:
    """Union-find over record indexes, keeping each cluster's members and identity.

    identity_of(i) gives a fresh Identity for record i; it is asked only for records that
    some link touches.
    """

    def __init__(
        self,
        size: int,
        identity_of: Callable[[int], Identity],
        cannot_link: Iterable[tuple[int, int]] = (),
    ) -> None:
        self.parent = list(range(size))
        self.members: dict[int, list[int]] = {}
        self.identity: dict[int, Identity] = {}  # per root, made when first needed
        self.identity_of = identity_of
        self.cannot: dict[int, set[int]] = {}
        for a, b in cannot_link:
            self.cannot.setdefault(a, set()).add(b)
            self.cannot.setdefault(b, set()).add(a)

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def _identity(self, root: int) -> Identity:
        ident = self.identity.get(root)
        if ident is None:
            ident = self.identity[root] = self.identity_of(root)
        return ident

    def join(self, link: Link) -> bool:
        """Merge the clusters of a link's records; False (nothing changed) if the guard refuses."""
        ra, rb = self.find(link.a), self.find(link.b)
        if ra == rb:
            return True
        if self._forbidden(ra, rb):
            return False
        ia, ib = self._identity(ra), self._identity(rb)
        if not link.human and ia.clashes(ib):
            return False
        big, small = (ra, rb) if len(self.group(ra)) >= len(self.group(rb)) else (rb, ra)
        self.parent[small] = big
        self.members[big] = self.group(big) + self.group(small)
        self.members.pop(small, None)
        self._identity(big).absorb(self.identity.pop(small))
        return True

    def _forbidden(self, ra: int, rb: int) -> bool:
        small, other = (ra, rb) if len(self.group(ra)) <= len(self.group(rb)) else (rb, ra)
        for m in self.group(small):
            for partner in self.cannot.get(m, ()):
                if self.find(partner) == other:
                    return True
        return False

    def components(self) -> list[list[int]]:
        """Every cluster of two or more records, members sorted."""
        return [sorted(m) for m in self.members.values()]


def cluster(
    size: int,
    identity_of: Callable[[int], Identity],
    links: Iterable[Link],
    cannot_link: Iterable[tuple[int, int]] = (),
) -> tuple[Clusters, list[Link]]:
    """Apply person-confirmed links first, then the rest strongest first.

    Returns the clusters and the links the guard refused (they need a person).
    """
    clusters = Clusters(size, identity_of, cannot_link)
    refused = []
    for link in sorted(links, key=lambda x: (not x.human, -x.strength, x.a, x.b)):
        if not clusters.join(link):
            refused.append(link)
    return clusters, refused
