"""The classifier: retrained on the decisions so far, it scores the records not yet screened.

Which classifier and settings: see ModelChoice and benchmarks/ranking_choices.py, which
measured the alternatives on four labelled reviews, choosing each time on three and scoring
on the fourth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

Classifier = Literal["svm", "logistic", "nb", "svm+nb", "logistic+nb", "svm+logistic"]


@dataclass(frozen=True)
class ModelChoice:
    """A classifier and how hard it leans towards the rare includes."""

    classifier: Classifier = "svm"
    # inverse regularisation of the linear models: ASReview's. On the stems, 0.2-1 gained on
    # the four ~2,000-record reviews (0.5: mean WSS@95 gain +4.6 points against +3.4, 5
    # seeds) but lost 3-10 on a 200-record slice of Cohen's (10 seeds), and small reviews
    # are common; with weight 2, on 27 label sets it was not chosen on, it scored 0.2 points
    # below C 0.11 on average and fell 12.1 below ASReview's model on its worst (5 seeds)
    c: float = 0.11
    # the includes' total weight over the excludes' (1: balanced); includes are rare, and
    # missing one costs more than reading an exclude. ASReview's is 9.8; on the stems and
    # characters 2 gained on the four shared reviews (mean WSS@95 gain over ASReview's model
    # +3.9 points against +3.4, 5 seeds) and, chosen there, on 27 label sets of 14 reviews
    # it was not chosen on (two runs, 5 seeds: +1.4 against -0.0 over asreview simulate
    # itself, then -0.2 against -0.7 over its model copied; level with ASReview there)
    include_weight: float = 2.0


def relevance_scores(
    features: csr_matrix | tuple[csr_matrix, ...],
    labelled: Sequence[int] | np.ndarray,
    labels: Sequence[int] | np.ndarray,
    rows: Sequence[int] | np.ndarray | None,
    choice: ModelChoice | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Scores (higher: more likely an include) of `rows` (None: every row, without copying
    the matrix), from a model trained on the rows `labelled` with their `labels` (1 include,
    0 exclude); both classes must be present."""
    import numpy as np

    choice = choice or ModelChoice()
    views = features if isinstance(features, tuple) else (features,)
    train, y = np.asarray(labelled), np.asarray(labels)
    if not any(view.shape[1] for view in views):  # no text to learn from: no record ahead
        return np.zeros(views[0].shape[0] if rows is None else len(rows))
    scores = [
        _fitted_scores(
            part, choice, view[train], y, view if rows is None else view[np.asarray(rows)], seed
        )
        for view in views
        for part in choice.classifier.split("+")
    ]
    return np.mean([_rank01(s) for s in scores], axis=0) if len(scores) > 1 else scores[0]


def _fitted_scores(
    name: str,
    choice: ModelChoice,
    x_train: csr_matrix,
    y: np.ndarray,
    x_rows: csr_matrix,
    seed: int,
) -> np.ndarray:
    weights = _sample_weights(y, choice.include_weight)
    if name == "svm":
        from sklearn.svm import LinearSVC

        svm = LinearSVC(C=choice.c, random_state=seed)
        return svm.fit(x_train, y, weights).decision_function(x_rows)
    if name == "logistic":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=choice.c, solver="liblinear", random_state=seed)
        return lr.fit(x_train, y, weights).decision_function(x_rows)
    from sklearn.naive_bayes import ComplementNB

    nb = ComplementNB(alpha=0.3)
    return nb.fit(x_train, y).predict_log_proba(x_rows)[:, 1]


def _sample_weights(y: np.ndarray, include_weight: float) -> np.ndarray:
    """Per-row weights giving the includes `include_weight` times the excludes' total, with
    the mean weight 1 (so C keeps its meaning)."""
    import numpy as np

    includes = max(int(y.sum()), 1)
    excludes = max(len(y) - includes, 1)
    weights = np.where(y == 1, include_weight / includes, 1.0 / excludes)
    return weights * (len(y) / weights.sum())


def _rank01(scores: np.ndarray) -> np.ndarray:
    """Scores as ranks in [0, 1], so models on different scales can be averaged."""
    from scipy.stats import rankdata

    if len(scores) < 2:
        return scores * 0.0
    return (rankdata(scores) - 1) / (len(scores) - 1)
