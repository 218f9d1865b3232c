"""What the person asking may see of other reviewers' work, while blinding holds.

While a cluster lacks the decisions the protocol requires of it, no reviewer sees another's
verdict, reason, note or tags on it: not in the screen, the exports, status or records. Once
the required decisions are in (or the cluster is settled), everyone on the team may see them.
An adjudicator sees everything, except on clusters where they still owe a decision of their
own as a screener. A review whose protocol names nobody has no team to blind: everything is
visible, as before reviewers were listed.
"""

from __future__ import annotations

from sqlite_utils import Database

from screening.decisions.stage_outcomes import ClusterState, stage_states
from screening.protocol import Protocol


def hidden_clusters(db: Database, protocol: Protocol, asker: str | None) -> dict[str, set[int]]:
    """stage -> clusters on which the asker may not see anyone else's events."""
    if not protocol.people:
        return {stage: set() for stage in protocol.stages}
    return {
        stage: {
            cluster
            for cluster, state in stage_states(db, protocol, stage).items()
            if _hidden(protocol, asker, state)
        }
        for stage in protocol.stages
    }


def _hidden(protocol: Protocol, asker: str | None, state: ClusterState) -> bool:
    if not state.blinded:
        return False
    if asker in protocol.adjudicators:
        owes = asker in protocol.reviewers and not state.voted(asker)
        return owes
    return True
