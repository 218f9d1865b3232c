"""A review replayed on a fully labelled set: the model screens as a reviewer would, always
reading next the record it scores highest, and learns each label as it is read.

The priors (a few includes and excludes the reviewer knows up front) are drawn with the
seed; everything after follows from them and the seed, so a run can be repeated exactly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.errors import MetasiftError
from screening.ranking.features import feature_views
from screening.ranking.metrics import OrderFigures, order_figures
from screening.ranking.model import ModelChoice, relevance_scores
from screening.ranking.texts import RankingText

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix


@dataclass(frozen=True)
class Schedule:
    """When the model retrains: after every label until `every_label_until` records are
    labelled, then each time the labelled count grows by `growth` (a share). The screen
    retrains after every decision; benchmarks/ranking_choices.py --schedule every replays
    that, and scored no better for the default model (Bannach-Brown 55.0 against 55.3,
    Cohen 43.8 against 44.4, 3 seeds) in several times the time."""

    every_label_until: int = 200
    growth: float = 0.02

    def batch(self, labelled: int) -> int:
        if labelled < self.every_label_until:
            return 1
        return max(1, int(labelled * self.growth))


DEFAULT_SCHEDULE = Schedule()
DEFAULT_MODEL = ModelChoice()


@dataclass(frozen=True)
class SeedRun:
    seed: int
    prior_rows: tuple[int, ...]
    order: tuple[int, ...]  # rows in the order screened after the priors
    figures: OrderFigures
    retrain_seconds: tuple[float, ...]


def simulate_seed(
    features: tuple[csr_matrix, ...],
    labels: Sequence[int],
    seed: int,
    priors: tuple[int, int] = (1, 1),
    choice: ModelChoice = DEFAULT_MODEL,
    schedule: Schedule = DEFAULT_SCHEDULE,
    progress: Callable[[int], None] | None = None,
    prior_rows: Sequence[int] | None = None,
) -> SeedRun:
    """Screens every record of the set once, in the model's order; `progress` is told how
    many records each step screened."""
    import numpy as np

    truth = np.asarray(labels)
    rng = np.random.default_rng(seed)
    prior_rows = list(prior_rows) if prior_rows is not None else draw_priors(truth, priors, rng)
    unread = np.setdiff1d(np.arange(len(truth)), prior_rows)
    rng.shuffle(unread)  # ties in score (and the start, without both classes) read randomly
    labelled, order, timings = list(prior_rows), list[int](), list[float]()
    while len(unread):
        step = schedule.batch(len(labelled))
        if len(np.unique(truth[labelled])) < 2:  # no model before an include and an exclude
            picked = unread[:step]
        else:
            started = time.perf_counter()
            # every row scored in place: slicing out the unread rows would copy the matrix
            scores = relevance_scores(features, labelled, truth[labelled], None, choice, seed)
            scores = scores[unread]
            timings.append(time.perf_counter() - started)
            picked = unread[_top(scores, step)]
        unread = unread[~np.isin(unread, picked)]
        labelled.extend(int(r) for r in picked)
        order.extend(int(r) for r in picked)
        if progress:
            progress(len(picked))
    figures = order_figures([int(truth[r]) for r in order])
    return SeedRun(seed, tuple(prior_rows), tuple(order), figures, tuple(timings))


def draw_priors(truth: np.ndarray, priors: tuple[int, int], rng: np.random.Generator) -> list[int]:
    """`priors` = (includes, excludes) rows drawn at random from the labelled set."""
    import numpy as np

    wanted_in, wanted_out = priors
    includes, excludes = np.flatnonzero(truth == 1), np.flatnonzero(truth == 0)
    if wanted_in > len(includes) or wanted_out > len(excludes):
        raise MetasiftError(
            f"asked for {wanted_in} prior includes and {wanted_out} prior excludes; "
            f"the set has {len(includes)} includes and {len(excludes)} excludes"
        )
    if wanted_in == len(includes):  # every figure would be about finding nothing
        raise MetasiftError(
            f"the set has {len(includes)} includes and {wanted_in} are priors: none is left to find"
        )
    drawn = [
        *rng.choice(includes, wanted_in, replace=False),
        *rng.choice(excludes, wanted_out, replace=False),
    ]
    return [int(r) for r in drawn]


def _top(scores: np.ndarray, count: int) -> np.ndarray:
    """Positions of the `count` highest scores, highest first (a stable sort keeps the
    shuffled order among ties)."""
    import numpy as np

    return np.argsort(-scores, kind="stable")[:count]


@dataclass(frozen=True)
class Simulation:
    """Every seed's run on one labelled set, and their means."""

    records: int
    includes: int
    runs: list[SeedRun]

    def mean(self, figure: str) -> float:
        import statistics

        return statistics.fmean(float(getattr(r.figures, figure)) for r in self.runs)

    def retrain_seconds(self) -> float:
        """The mean time one retrain (fit and score) took, over every seed."""
        import statistics

        times = [t for r in self.runs for t in r.retrain_seconds]
        return statistics.fmean(times) if times else 0.0


def simulate_set(
    texts: Sequence[RankingText],
    labels: Sequence[int],
    seeds: Sequence[int],
    priors: tuple[int, int] = (1, 1),
    progress: Callable[[int], None] | None = None,
) -> Simulation:
    """The default features and model (what `metasift screen` ranks with), seed by seed."""
    features = feature_views(texts)
    runs = [simulate_seed(features, labels, s, priors, progress=progress) for s in seeds]
    return Simulation(len(labels), sum(labels), runs)
