"""Union-find with a transitivity guard: chains of links never join two known-different records."""

from __future__ import annotations

from screening.dedup.union_find import Identity, Link, cluster


def identities(*dois: str | None) -> list[Identity]:
    return [Identity({d} if d else set()) for d in dois]


def clusters_of(
    idents: list[Identity], links: list[Link], cannot: tuple[tuple[int, int], ...] = ()
) -> tuple[list[list[int]], list[Link]]:
    result, refused = cluster(len(idents), lambda i: idents[i], links, cannot)
    return result.components(), refused


def test_links_join_records_into_one_cluster() -> None:
    comps, refused = clusters_of(
        identities(None, None, None, None), [Link(0, 1, 1.9), Link(1, 2, 1.8)]
    )
    assert comps == [[0, 1, 2]]
    assert refused == []


def test_a_chain_between_two_dois_is_cut_at_its_weakest_link() -> None:
    # 0 has DOI x, 2 has DOI y, 1 has none: 0~1 and 1~2 cannot both hold
    weak, strong = Link(1, 2, 1.85, rule="similar"), Link(0, 1, 1.97, rule="title-locator")
    comps, refused = clusters_of(identities("10.1/x", None, "10.1/y"), [weak, strong])
    assert comps == [[0, 1]]
    assert refused == [weak]


def test_two_accessions_of_one_database_do_not_merge() -> None:
    idents = [Identity(accessions={"Embase": {"L1"}}), Identity(accessions={"Embase": {"L2"}})]
    comps, refused = clusters_of(idents, [Link(0, 1, 1.99)])
    assert comps == [] and len(refused) == 1
    # an accession of another database says nothing
    idents = [Identity(accessions={"Embase": {"L1"}}), Identity(accessions={"PubMed": {"123"}})]
    assert clusters_of(idents, [Link(0, 1, 1.99)])[0] == [[0, 1]]


def test_a_person_saying_different_keeps_two_clusters_apart() -> None:
    links = [Link(0, 1, 1.99), Link(2, 3, 1.99), Link(1, 2, 1.95)]
    comps, refused = clusters_of(identities(None, None, None, None), links, cannot=((0, 3),))
    assert comps == [[0, 1], [2, 3]]
    assert refused == [links[2]]


def test_a_person_saying_same_overrides_conflicting_dois() -> None:
    # a wrong DOI in one export: the person's link wins over the DOI guard
    comps, _ = clusters_of(identities("10.1/x", "10.1/y"), [Link(0, 1, float("inf"), human=True)])
    assert comps == [[0, 1]]


def test_person_links_are_applied_before_machine_links() -> None:
    idents = identities("10.1/x", None, "10.1/y")
    machine = Link(1, 2, 2.5, rule="doi")
    person = Link(0, 1, float("inf"), human=True)
    comps, refused = clusters_of(idents, [machine, person])
    assert comps == [[0, 1]]
    assert refused == [machine]
