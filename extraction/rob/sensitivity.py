"""Which studies a sensitivity analysis leaves out for risk of bias: those whose agreed overall
judgement (extraction.rob.consensus.agreed, as `rob export` and `rob plot` read it) is high
(RoB 2), serious or critical (ROBINS-I). A study assessed for several results is left out when
any of its agreed overall judgements is; a study with no agreed overall judgement stays in,
and is named, so the reader knows the analysis is not yet complete."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from extraction.rob.assessment import WHOLE
from extraction.rob.consensus import AGREED, RESOLVED, agreed
from extraction.rob.instrument import Instrument

HIGH_RISK = frozenset({"high", "serious", "critical"})


@dataclass(frozen=True)
class RiskOfBias:
    """high: study UUID to the judgement that puts it at high risk; unsettled: the studies
    assessed whose overall judgement is not agreed yet."""

    high: dict[str, str] = field(default_factory=dict)
    unsettled: frozenset[str] = frozenset()
    assessed: frozenset[str] = frozenset()


def high_risk_studies(db: Database, instrument: Instrument) -> RiskOfBias:
    """The studies at high risk of bias overall, by the agreed judgements."""
    high: dict[str, str] = {}
    settled: set[str] = set()
    assessed: set[str] = set()
    for (study, _result), states in agreed(db, instrument).items():
        assessed.add(study)
        overall = states.get(WHOLE)
        if overall is None or overall.state not in (AGREED, RESOLVED) or not overall.value:
            continue
        settled.add(study)
        if str(overall.value) in HIGH_RISK:
            high[study] = instrument.label(str(overall.value))
    return RiskOfBias(high, frozenset(assessed - settled - set(high)), frozenset(assessed))
