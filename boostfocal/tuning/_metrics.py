"""Scores of the tuner: what every model is ranked, early-stopped and selected by.

Every score takes encoded labels ``y`` (0..K-1), class probabilities ``proba`` of shape ``(n, K)``
and optional non-negative sample weights ``w`` (``None``: 1 each):

- ``average_precision`` (PR-AUC): ``AP = sum_n (R_n - R_{n-1}) P_n`` over the distinct thresholds
  of the score, with weighted counts (scikit-learn's ``average_precision_score``); multiclass: the
  macro mean of the one-vs-rest APs.
- ``roc_auc``: area under the ROC curve (scikit-learn's ``roc_auc_score``); multiclass: macro mean
  of one-vs-rest AUCs.
- ``recall_at_precision``: ``max { recall(t) : precision(t) >= precision_level }`` over all
  thresholds ``t`` (0 if none reaches it); multiclass: macro mean.
- ``log_loss``: ``-sum_i w_i log P(y_i | x_i) / sum_i w_i`` (probabilities clipped below at 1e-15).
- ``brier``: binary ``sum_i w_i (P(y=1 | x_i) - y_i)^2 / sum_i w_i``; multiclass
  ``sum_i w_i sum_k (P(y=k | x_i) - [y_i = k])^2 / sum_i w_i``.

Multilabel (``y`` an ``(n, L)`` 0/1 matrix, ``proba`` the ``(n, L)`` per-label posteriors): every
metric is the macro mean over labels of its binary value on the label (:func:`per_label`).

Average precision is our own few lines, not ``sklearn.metrics.average_precision_score``: it is
evaluated on the inner validation split after every boosting round of every early-stopped fit,
where scikit-learn's input checks cost more than the curve.  It sorts only the negatives' scores
(:func:`average_precision`): on 13,300 rows (the inner validation split of the default run) about
0.2 ms a round without weights, against about 5 ms for scikit-learn; equal to scikit-learn to
1e-12, with and without weights and with ties (tested).  ROC-AUC, evaluated once per kept model,
is scikit-learn's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from ._search import Row, Settings

__all__ = [
    "EXTRA",
    "METRICS",
    "RANK_METRICS",
    "Scored",
    "average_precision",
    "metric_name",
    "per_label",
    "recall_at_precision",
    "score",
    "test_scores",
    "validation_score",
]

DEFAULT_PRECISION_LEVEL = 0.5


@dataclass(frozen=True)
class Metric:
    """A score column: printed label, direction, number format."""

    label: str
    greater_is_better: bool
    fmt: str


#: Score columns, in table order: name -> (printed label, higher is better, number format).
METRICS: dict[str, Metric] = {
    "average_precision": Metric("PR-AUC", True, ".3f"),
    "roc_auc": Metric("ROC-AUC", True, ".3f"),
    "recall_at_precision": Metric("recall@P", True, ".3f"),
    "log_loss": Metric("log-loss", False, ".4f"),
    "brier": Metric("Brier", False, ".4f"),
}
#: Per-fit facts reported beside the scores.
EXTRA: dict[str, Metric] = {
    "best_iteration": Metric("trees", False, ".0f"),
    "fit_time": Metric("fit s", False, ".2f"),
}
RANK_METRICS = ("average_precision", "roc_auc", "recall_at_precision")
#: Scores in money and within an alert budget (binary targets), columns of the table when their
#: settings are given (``tune(amount=..., admin_cost=...)``, ``cost_fp/cost_fn``, ``alert_budget``):
#: the savings and the cost (in the data's currency, summed over a test fold) of the Bayes rule on
#: the row's calibrated probability, and the precision among the top-k rows (:mod:`boostfocal.metrics`).
MONEY: dict[str, Metric] = {
    "savings": Metric("savings", True, ".3f"),
    "cost": Metric("cost", False, ",.0f"),
    "precision_at_budget": Metric("prec@budget", True, ".3f"),
}
#: Score keys of the log-loss row with a decision threshold tuned on the inner validation split
#: (the "log-loss + threshold" row of the table): its savings and cost on the test fold, its
#: savings on the validation split it was tuned on, and the tuned scale.
TUNED_KEYS = ("savings@tuned", "cost@tuned", "val_savings@tuned", "scale@tuned")
ALIASES = {"pr_auc": "average_precision", "ap": "average_precision", "auc": "roc_auc", "logloss": "log_loss"}


def metric_name(metric: str, allowed: Iterable[str] = ()) -> str:
    """The canonical name of ``metric`` (aliases resolved); ValueError if unknown."""
    if not isinstance(metric, str):
        raise TypeError(f"a metric name must be a string, got {type(metric).__name__}")
    m = ALIASES.get(metric, metric)
    allowed = list(allowed) or [*METRICS, *MONEY]
    if m not in allowed and m not in EXTRA:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(allowed)}")
    return m


def greater_is_better(metric: str) -> bool:
    """Direction of ``metric``: a custom scoring function is higher-is-better."""
    if metric in METRICS:
        return METRICS[metric].greater_is_better
    if metric in MONEY:
        return MONEY[metric].greater_is_better
    return metric not in EXTRA


def _pr_curve(y_true: Any, score: Any, w: Any = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Precision and recall at every distinct threshold, highest threshold first (weighted counts).

    The points of scikit-learn's ``precision_recall_curve`` (ties in ``score`` are flagged
    together), without its checks and its final ``(recall 0, precision 1)`` point.
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(score, dtype=np.float64)
    order = np.argsort(-s)  # ties are grouped below: the order within a tie does not matter
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # last index of each run of equal scores
    if w is None:
        tps = np.cumsum(y)[last].astype(np.float64)
        flagged = last + 1.0
    else:
        wo = np.asarray(w, dtype=np.float64)[order]
        tps = np.cumsum(wo * y)[last]
        flagged = np.cumsum(wo)[last]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, tps / np.where(flagged > 0, flagged, 1.0), 1.0)
    recall = tps / tps[-1] if tps[-1] > 0 else np.zeros_like(tps)
    return precision, recall


def average_precision(y_true: Any, score: Any, sample_weight: Any = None) -> float:
    r"""Average precision (PR-AUC): ``AP = sum_n (R_n - R_{n-1}) P_n`` over the distinct thresholds.

    ``P_n`` and ``R_n`` are the (weighted) precision and recall when every sample scoring at least
    the n-th highest distinct score is flagged, ``R_0 = 0``.  Recall moves only at the scores of
    positives, so with ``u_1 < ... < u_m`` the distinct scores of the positives,

    .. math::

        AP = \sum_{j} \frac{TP_j - TP_{j+1}}{TP_1} \cdot \frac{TP_j}{F_j},
        \quad TP_j = \sum_{i: y_i = 1, s_i \ge u_j} w_i, \quad F_j = \sum_{i: s_i \ge u_j} w_i

    (``TP_{m+1} = 0``): one sort of the negatives' scores and a binary search for each ``u_j``,
    ``O(n log n)``, a few times faster than sorting with the positions (the early-stopping score
    of every boosting round).  Equal to scikit-learn's ``average_precision_score`` to rounding (tested to
    1e-12, with weights and ties).  ``nan`` without positives (or without positive weight).
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(score, dtype=np.float64).reshape(-1)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if not y.any() or (w is not None and not np.any(w[y] > 0)):
        return float("nan")
    if np.isnan(s).any():  # NaN scores: ranked as the sort of the full curve ranks them
        precision, recall = _pr_curve(y, s, w)
        return float(np.sum(np.diff(recall, prepend=0.0) * precision))
    pos, neg = s[y], s[~y]
    u, pos_at = np.unique(pos, return_inverse=True)  # distinct positive scores, ascending
    # TP_j: weight of the positives scoring >= u_j (suffix sums over their threshold index)
    tp = np.cumsum(np.bincount(pos_at, weights=None if w is None else w[y], minlength=u.size)[::-1])[::-1]
    # FP_j: weight of the negatives scoring >= u_j, from the sorted negatives (suffix sums)
    if w is None:
        below = np.searchsorted(np.sort(neg), u, side="left")
        fp = (neg.size - below).astype(np.float64)
    else:
        order = np.argsort(neg)
        below = np.searchsorted(neg[order], u, side="left")
        suffix = np.r_[np.cumsum(w[~y][order][::-1])[::-1], 0.0]
        fp = suffix[below]
    flagged = tp + fp
    gain = tp - np.r_[tp[1:], 0.0]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, tp / np.where(flagged > 0, flagged, 1.0), 1.0)
    return float(np.sum(gain / tp[0] * precision))


def recall_at_precision(
    y_true: Any, score: Any, precision_level: float = DEFAULT_PRECISION_LEVEL, sample_weight: Any = None
) -> float:
    """Highest recall over all thresholds whose precision is at least ``precision_level``.

    .. math::

        R@P(\\pi) = \\max \\{ \\mathrm{recall}(t) : \\mathrm{precision}(t) \\ge \\pi \\},
        \\quad \\mathrm{precision}(t) = \\frac{TP(t)}{TP(t) + FP(t)},
        \\quad \\mathrm{recall}(t) = \\frac{TP(t)}{TP(t) + FN(t)}

    where a sample is flagged positive when ``score >= t`` and counts are weighted by
    ``sample_weight``.  Returns 0 when no threshold reaches the precision (and without positives).
    Ties in ``score`` are flagged together.

    >>> recall_at_precision([0, 1, 1, 0, 1], [0.1, 0.9, 0.8, 0.7, 0.2], 0.9)
    0.6666666666666666
    """
    y = np.asarray(y_true).astype(bool)
    if not y.any():
        return 0.0
    precision, recall = _pr_curve(y, score, sample_weight)
    ok = precision >= precision_level
    return float(recall[ok].max()) if np.any(ok) else 0.0


def _roc_auc(y: Any, score: Any, sample_weight: Any = None) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y).astype(bool)
    if y.all() or not y.any():
        return float("nan")
    return float(roc_auc_score(y, score, sample_weight=sample_weight))


def _per_class(y: NDArray[np.intp], proba: NDArray[np.float64], w: Any, fn: Callable[[Any, Any, Any], float]) -> float:
    """``fn`` on the positive class (binary) or its macro mean over one-vs-rest problems."""
    k = proba.shape[1]
    if k == 2:
        return float(fn(y == 1, proba[:, 1], w))
    values = [fn(y == c, proba[:, c], w) for c in range(k) if np.any(y == c) and not np.all(y == c)]
    return float(np.mean(values)) if values else float("nan")


def _takes_weights(fn: Callable[..., Any]) -> bool:
    try:
        return "sample_weight" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False


def per_label(
    metric: str,
    y: NDArray[np.intp],
    proba: NDArray[np.float64],
    precision_level: float,
    sample_weight: NDArray[np.float64] | None = None,
) -> list[float]:
    """The binary value of a :data:`METRICS` metric on each label of a multilabel target:
    ``y`` ``(n, L)`` 0/1, ``proba`` ``(n, L)`` per-label posteriors; their mean is the macro score."""
    return [
        score(metric, y[:, j], np.column_stack([1.0 - proba[:, j], proba[:, j]]), precision_level, None, sample_weight)
        for j in range(y.shape[1])
    ]


def score(
    metric: str,
    y: NDArray[np.intp],
    proba: NDArray[np.float64],
    precision_level: float,
    scoring_fn: Callable[..., float] | None = None,
    sample_weight: NDArray[np.float64] | None = None,
) -> float:
    """One metric (a :data:`METRICS` name, or ``scoring_fn``) for encoded labels and ``(n, K)`` probabilities.

    ``scoring_fn(y, proba)`` receives ``sample_weight=`` too when its signature has that name.
    """
    w = sample_weight
    if y.ndim == 2 and metric in METRICS:  # multilabel: the macro mean (a custom function gets (n, L))
        values = per_label(metric, y, proba, precision_level, w)
        return float(np.mean(values))
    if metric == "average_precision":
        return _per_class(y, proba, w, average_precision)
    if metric == "roc_auc":
        return _per_class(y, proba, w, _roc_auc)
    if metric == "recall_at_precision":
        return _per_class(y, proba, w, lambda t, s, ww: recall_at_precision(t, s, precision_level, ww))
    n = proba.shape[0]
    rows = np.arange(n)
    if metric == "log_loss":
        per_row = -np.log(np.clip(proba[rows, y], 1e-15, 1.0))
    elif metric == "brier":
        if proba.shape[1] == 2:
            per_row = (proba[:, 1] - (y == 1)) ** 2
        else:
            onehot = np.zeros_like(proba)
            onehot[rows, y] = 1.0
            per_row = np.sum((proba - onehot) ** 2, axis=1)
    else:
        if scoring_fn is None:
            raise ValueError(f"unknown metric {metric!r}")
        if w is not None and _takes_weights(scoring_fn):
            return float(scoring_fn(y, proba, sample_weight=w))
        return float(scoring_fn(y, proba))
    return float(np.average(per_row, weights=w))


class Scored(NamedTuple):
    """What a model is scored on: the rows of one split and the model's probabilities for them.

    ``y``: encoded labels ``(n,)`` (multilabel: the ``(n, L)`` 0/1 matrix); ``proba``: the
    calibrated ``(n, K)`` class probabilities (multilabel: ``(n, L)`` per-label posteriors);
    ``w``: sample weights or ``None``; ``aux``: row-aligned side arrays (e.g. ``amount``) or ``None``.
    """

    y: NDArray[Any]
    proba: NDArray[np.float64]
    w: NDArray[np.float64] | None
    aux: dict[str, NDArray[Any]] | None


def money_score(metric: str, settings: Settings, scored: Scored, scale: float = 1.0) -> float:
    """A :data:`MONEY` score of a binary model on one split: ``savings`` and ``cost`` of the Bayes
    rule (:func:`boostfocal.metrics.bayes_flags`, with ``scale``) on its calibrated probability
    ``proba[:, 1]``, or ``precision_at_budget`` of that probability."""
    from ..metrics import bayes_flags, expected_cost, precision_at_budget, savings

    p = scored.proba[:, 1]
    if metric == "precision_at_budget":
        return precision_at_budget(scored.y, p, settings.alert_budget, scored.w)
    costs = settings.costs
    amount = None if scored.aux is None else scored.aux.get("amount")
    flags = bayes_flags(p, costs, amount, scale)
    if metric == "savings":
        return savings(scored.y, flags, costs, amount, scored.w)
    return expected_cost(scored.y, flags, costs, amount, scored.w)


def validation_score(settings: Settings, row: Row, val: Scored) -> float:
    """The selection score of a model on the inner validation split: the ``scoring`` metric of its
    posterior (higher or lower is better as :func:`greater_is_better` says); a :data:`MONEY`
    metric with the Bayes rule on the calibrated probability."""
    s = settings
    if s.scoring_name in MONEY:
        return money_score(s.scoring_name, s, val)
    return score(s.scoring_name, val.y, val.proba, s.precision_level, s.scoring_fn, val.w)


def test_scores(settings: Settings, row: Row, val: Scored | None, test: Scored) -> dict[str, float]:
    """Every metric column of the table for the model kept for one (fold, row), scored on the test fold.

    ``val`` is the inner validation split (``None`` when there is none); ``test`` the test fold.
    :data:`MONEY` metrics decide by the Bayes rule on the row's own calibrated probability (the
    recovered posterior of focal and balanced CE, the prior-corrected score of
    ``scale_pos_weight``, ``sigma(z)`` of log-loss).  The log-loss row also reports, under
    :data:`TUNED_KEYS`, the same decisions with a threshold tuned on ``val``
    (:func:`boostfocal.metrics.tuned_scale`): the baseline an analyst tries first.
    """
    s = settings
    out = {
        m: score(m, test.y, test.proba, s.precision_level, s.scoring_fn, test.w)
        for m in s.metric_names
        if m not in MONEY
    }
    for m in s.metric_names:
        if m in MONEY:
            out[m] = money_score(m, s, test)
    if s.costs is not None and val is not None and row.kind == "log-loss" and not s.multilabel:
        from ..metrics import tuned_scale

        amount = None if val.aux is None else val.aux.get("amount")
        scale = tuned_scale(val.y, val.proba[:, 1], s.costs, amount, val.w)
        tuned = (
            money_score("savings", s, test, scale),
            money_score("cost", s, test, scale),
            money_score("savings", s, val, scale),
            scale,
        )
        out.update(zip(TUNED_KEYS, tuned, strict=True))
    return out


test_scores.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
