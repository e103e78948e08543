r"""Money and alert budgets: what a fraud team judges a model by, and the decisions that earn it.

A model flags a row (``c = 1``: block it, or send it to an investigator) or lets it pass
(``c = 0``).  Each outcome has a cost; with a per-row cost matrix

.. math::

    \mathrm{cost} = \sum_i w_i \Big[ c_i \big( (1 - y_i)\, C^{FP}_i + y_i\, C^{TP}_i \big)
                                   + (1 - c_i)\, y_i\, C^{FN}_i \Big]

two settings are covered (Bahnsen, Aouada & Ottersten, "Example-dependent cost-sensitive
decision trees", 2015; Höppner, Baesens, Verbeke & Verdonck, "Instance-dependent cost-sensitive
learning for detecting transfer fraud", EJOR 2022):

* **amounts** (``amount`` and ``admin_cost``): an alert costs the admin cost ``C_a`` whatever the
  row is, a missed fraud its amount ``A_i``: ``C^FP = C^TP = C_a``, ``C^FN = A_i``, so
  ``cost = sum_i w_i [y_i (c_i C_a + (1 - c_i) A_i) + (1 - y_i) c_i C_a]``;
* **class costs** (``cost_fp`` and ``cost_fn``): ``C^FP = c_FP``, ``C^TP = 0``, ``C^FN = c_FN``.

**Savings** compare the cost with the better of the two trivial rules, flag nothing
(``sum_i w_i y_i C^FN_i``) and flag everything (``sum_i w_i ((1 - y_i) C^FP_i + y_i C^TP_i)``):
``savings = 1 - cost / min(cost_none, cost_all)``; 1 is a perfect rule, 0 no better than the
trivial one, negative worse.

**The Bayes rule.**  With the calibrated probability ``p_i = P(y_i = 1 | x_i)``, flagging costs
``(1 - p_i) C^FP_i + p_i C^TP_i`` in expectation and passing ``p_i C^FN_i``: flag when the first
is smaller, i.e. ``p_i A_i > C_a`` with amounts and ``p_i > c_FP / (c_FP + c_FN)`` with class
costs (:func:`bayes_flags`).  The rule needs *probabilities*: ``sigma(z)`` of a focal model is
not one (``BinaryFocalLoss.posterior`` inverts the link), which is why its recovered posterior is
what a cost rule takes.

**Alert budgets.**  A team that can check ``k`` alerts a day flags the ``k`` rows it scores
highest: :func:`precision_at_budget` is the (weighted) share of frauds among them, ``k`` a count
or a share of the rows (:func:`alert_count`).

Every function takes ``sample_weight`` (``None``: 1 each); weighted sums replace counts.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Costs",
    "alert_count",
    "bayes_flags",
    "expected_cost",
    "precision_at_budget",
    "savings",
    "tuned_scale",
]


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (0 < float(value) < math.inf):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Costs:
    """What a decision costs: an admin cost per alert with per-row amounts, or two class costs.

    Give ``admin_cost`` (and an ``amount`` per row wherever the costs are used), or both
    ``cost_fp`` and ``cost_fn``.  :meth:`matrix` gives the per-row ``(C^FP, C^TP, C^FN)`` of the
    module's cost formula.
    """

    admin_cost: float | None = None
    cost_fp: float | None = None
    cost_fn: float | None = None

    def __post_init__(self) -> None:
        if self.admin_cost is not None:
            if self.cost_fp is not None or self.cost_fn is not None:
                raise ValueError("give admin_cost (with amounts) or cost_fp and cost_fn, not both")
            object.__setattr__(self, "admin_cost", _positive(self.admin_cost, "admin_cost"))
            return
        if self.cost_fp is None or self.cost_fn is None:
            raise ValueError("costs need admin_cost (with amounts), or both cost_fp and cost_fn")
        object.__setattr__(self, "cost_fp", _positive(self.cost_fp, "cost_fp"))
        object.__setattr__(self, "cost_fn", _positive(self.cost_fn, "cost_fn"))

    @property
    def uses_amount(self) -> bool:
        """Whether the costs need a per-row amount (the admin-cost setting)."""
        return self.admin_cost is not None

    def matrix(
        self, n: int, amount: Any = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Per-row ``(C^FP, C^TP, C^FN)`` for ``n`` rows: ``(C_a, C_a, A_i)`` with amounts,
        ``(c_FP, 0, c_FN)`` with class costs."""
        if self.admin_cost is not None:
            a = check_amount(amount, n)
            ca = np.full(n, self.admin_cost)
            return ca, ca, a
        assert self.cost_fp is not None and self.cost_fn is not None
        return np.full(n, self.cost_fp), np.zeros(n), np.full(n, self.cost_fn)

    def describe(self) -> str:
        """One line: ``admin cost 5 per alert, a missed fraud costs its amount`` or the class costs."""
        if self.admin_cost is not None:
            return f"admin cost {self.admin_cost:g} per alert, a missed fraud costs its amount"
        return f"false alarm costs {self.cost_fp:g}, missed fraud costs {self.cost_fn:g}"


def check_amount(amount: Any, n: int) -> NDArray[np.float64]:
    """``amount`` as float64 of length ``n``: finite and >= 0 (ValueError naming ``amount`` otherwise)."""
    if amount is None:
        raise ValueError("amount is required with admin_cost: one non-negative number per row")
    a = np.asarray(amount, dtype=np.float64).reshape(-1)
    if a.shape[0] != n:
        raise ValueError(f"amount has {a.shape[0]} values for {n} rows")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError("amount must hold finite numbers >= 0 (no missing values)")
    return a


def _weights(sample_weight: Any, n: int) -> NDArray[np.float64]:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} values for {n} rows")
    return w


def _labels_flags(y_true: Any, flags: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    y = np.asarray(y_true).reshape(-1).astype(np.float64)
    c = np.asarray(flags).reshape(-1).astype(np.float64)
    if y.shape != c.shape:
        raise ValueError(f"y_true and flags differ in length ({y.shape[0]} and {c.shape[0]})")
    return y, c


def expected_cost(
    y_true: Any,
    flags: Any,
    costs: Costs,
    amount: Any = None,
    sample_weight: Any = None,
) -> float:
    r"""Total cost of the decisions ``flags`` (1 = flag) on rows with labels ``y_true`` (1 = fraud).

    .. math::

        \mathrm{cost} = \sum_i w_i \big[ c_i ((1 - y_i) C^{FP}_i + y_i C^{TP}_i) + (1 - c_i) y_i C^{FN}_i \big]

    with ``(C^FP, C^TP, C^FN)`` from :meth:`Costs.matrix`: with amounts
    ``sum_i w_i [y_i (c_i C_a + (1 - c_i) A_i) + (1 - y_i) c_i C_a]``.
    """
    y, c = _labels_flags(y_true, flags)
    w = _weights(sample_weight, y.size)
    fp, tp, fn = costs.matrix(y.size, amount)
    return float(np.sum(w * (c * ((1 - y) * fp + y * tp) + (1 - c) * y * fn)))


def savings(
    y_true: Any,
    flags: Any,
    costs: Costs,
    amount: Any = None,
    sample_weight: Any = None,
) -> float:
    r"""Savings of ``flags`` against the better trivial rule (flag nothing, or flag everything).

    .. math::

        \mathrm{savings} = 1 - \frac{\mathrm{cost}(c)}{\min(\mathrm{cost}(0), \mathrm{cost}(1))}

    1 for no cost at all, 0 for the better trivial rule's cost; ``nan`` when that cost is 0.
    """
    y, c = _labels_flags(y_true, flags)
    w = _weights(sample_weight, y.size)
    base = min(
        expected_cost(y, np.zeros_like(c), costs, amount, w), expected_cost(y, np.ones_like(c), costs, amount, w)
    )
    if base <= 0:
        return float("nan")
    return 1.0 - expected_cost(y, c, costs, amount, w) / base


def _odds_ratio(proba: Any, costs: Costs, amount: Any) -> NDArray[np.float64]:
    """``(p (C^FN - C^TP)) / ((1 - p) C^FP)`` per row: the Bayes rule flags where it exceeds 1."""
    p = np.clip(np.asarray(proba, dtype=np.float64).reshape(-1), 0.0, 1.0)
    fp, tp, fn = costs.matrix(p.size, amount)
    gain = p * np.maximum(fn - tp, 0.0)
    loss = (1.0 - p) * fp
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(loss > 0, gain / np.where(loss > 0, loss, 1.0), np.where(gain > 0, np.inf, 0.0))


def bayes_flags(proba: Any, costs: Costs, amount: Any = None, scale: float = 1.0) -> NDArray[np.bool_]:
    r"""Flags of the cost-minimising (Bayes) rule for calibrated probabilities ``proba`` of fraud.

    A row is flagged when flagging costs less in expectation than passing it:

    .. math::

        (1 - p_i) C^{FP}_i + p_i C^{TP}_i < p_i C^{FN}_i
        \iff \frac{p_i (C^{FN}_i - C^{TP}_i)}{(1 - p_i) C^{FP}_i} > 1,

    that is ``p_i A_i > C_a`` with amounts and ``p_i > c_FP / (c_FP + c_FN)`` with class costs.
    ``scale`` replaces the 1 on the right (:func:`tuned_scale` fits it on held-out rows for
    scores that are not probabilities).

    >>> bayes_flags([0.01, 0.2, 0.5], Costs(admin_cost=5.0), amount=[1000.0, 10.0, 5.0]).tolist()
    [True, False, False]
    >>> bayes_flags([0.1, 0.3], Costs(cost_fp=1.0, cost_fn=4.0)).tolist()
    [False, True]
    """
    return _odds_ratio(proba, costs, amount) > float(scale)


def tuned_scale(y_true: Any, proba: Any, costs: Costs, amount: Any = None, sample_weight: Any = None) -> float:
    """The ``scale`` of :func:`bayes_flags` with the least :func:`expected_cost` on these rows.

    Candidates are the rows' own odds ratios (flag every row above one of them) and infinity
    (flag nothing); ties go to the candidate nearest 1 (the Bayes rule), on a log scale.  This is
    "a threshold tuned on a validation split": for a model whose scores are not calibrated it
    recovers some of what the Bayes rule on true probabilities earns.
    """
    y, _ = _labels_flags(y_true, proba)
    w = _weights(sample_weight, y.size)
    ratio = _odds_ratio(proba, costs, amount)
    fp, tp, fn = costs.matrix(y.size, amount)
    order = np.argsort(-ratio, kind="stable")
    r = ratio[order]
    # flagging the rows order[:j] changes the cost of flagging nothing by the sum of their
    # (flag cost - pass cost); a cut is possible only after the last row of a run of equal ratios
    delta = (w * ((1 - y) * fp + y * tp - y * fn))[order]
    cum = np.r_[0.0, np.cumsum(delta)]
    ends = np.r_[np.flatnonzero(np.diff(r)) + 1, r.size]  # j such that order[:j] is a cut
    cost = np.r_[cum[0], cum[ends]]
    upper = r[ends - 1]  # the lowest ratio flagged at each cut
    lower = np.r_[r[ends[:-1]], -np.inf]  # the highest ratio not flagged
    # a scale strictly between them: "ratio > scale" flags exactly the rows of the cut
    mid = np.where(np.isinf(upper), np.maximum(2.0 * lower, 1.0), 0.5 * (upper + lower))
    mid = np.where(np.isinf(lower), np.where(upper > 0, 0.5 * upper, -1.0), mid)
    scales = np.r_[np.inf, mid]
    best = cost.min()
    ok = np.flatnonzero(cost <= best + 1e-12 * max(1.0, abs(best)))
    dist = np.abs(np.log(np.clip(scales[ok], 1e-300, np.inf)))
    return float(scales[ok[int(np.argmin(dist))]])


def alert_count(budget: Any, n: int) -> int:
    """The number of alerts ``budget`` allows among ``n`` rows: an integer >= 1 is a count (at most
    ``n``), a float in (0, 1) a share (``ceil(budget * n)``, at least 1)."""
    if isinstance(budget, bool):
        raise TypeError(f"alert_budget must be a count (int >= 1) or a share in (0, 1), got {budget!r}")
    if isinstance(budget, numbers.Integral):
        if budget < 1:
            raise ValueError(f"alert_budget must be a count >= 1 or a share in (0, 1), got {budget!r}")
        return int(min(int(budget), n))
    if isinstance(budget, numbers.Real) and 0 < float(budget) < 1:
        return max(1, math.ceil(float(budget) * n * (1.0 - 1e-12)))  # 0.7 % of 1000 is 7, not 8
    raise ValueError(f"alert_budget must be a count (int >= 1) or a share in (0, 1), got {budget!r}")


def precision_at_budget(y_true: Any, score: Any, budget: Any, sample_weight: Any = None) -> float:
    r"""Weighted share of frauds among the ``k`` rows scored highest, ``k = alert_count(budget, n)``.

    .. math::

        \mathrm{precision@}k = \frac{\sum_{i \in \mathrm{top}_k} w_i y_i}{\sum_{i \in \mathrm{top}_k} w_i}

    Rows are ranked by ``score``, highest first; ties keep the row order.  ``nan`` when the top
    ``k`` rows weigh nothing.
    """
    y = np.asarray(y_true).reshape(-1).astype(np.float64)
    s = np.asarray(score, dtype=np.float64).reshape(-1)
    w = _weights(sample_weight, y.size)
    k = alert_count(budget, y.size)
    top = np.argsort(-s, kind="stable")[:k]
    total = float(np.sum(w[top]))
    return float(np.sum(w[top] * y[top]) / total) if total > 0 else float("nan")


class DecisionMixin:
    """``decide(X, costs, amount)`` for the binary focal estimators: :func:`bayes_flags` on the
    recovered posterior ``P(y=1 | x)`` their ``predict_proba`` gives."""

    def decide(self, X: Any, costs: Costs, amount: Any = None, scale: float = 1.0) -> NDArray[np.bool_]:
        r"""Flags of the cost-minimising (Bayes) rule for the rows of ``X``.

        Flags row ``i`` when :math:`p_i (C^{FN}_i - C^{TP}_i) > \mathrm{scale} \cdot (1 - p_i) C^{FP}_i`
        with :math:`p_i = P(y=1 \mid x_i)` from ``predict_proba`` (the recovered posterior, not
        ``sigma(z)``): ``p_i A_i > C_a`` with ``amount`` and ``Costs(admin_cost=C_a)``,
        ``p_i > c_FP / (c_FP + c_FN)`` with ``Costs(cost_fp=..., cost_fn=...)``.  Binary models only.

        >>> import boostfocal as bf
        >>> from boostfocal.datasets import make_fraud
        >>> from boostfocal.metrics import Costs
        >>> X, y = make_fraud(2_000, positive_rate=0.05, random_state=0)
        >>> clf = bf.FocalLGBMClassifier(gamma=2.0, n_estimators=20, verbose=-1).fit(X, y)
        >>> clf.decide(X, Costs(admin_cost=5.0), amount=X[:, 0]).shape
        (2000,)
        """
        if not isinstance(costs, Costs):
            raise TypeError(f"costs must be a boostfocal.metrics.Costs, got {type(costs).__name__}")
        loss = getattr(self, "loss_", None)
        if loss is None:
            raise ValueError("decide needs a fitted estimator: call fit first")
        if loss.kind.vector:
            raise ValueError(f"decide flags rows of a binary model; this one is trained with {loss!r}")
        proba = self.predict_proba(X)  # type: ignore[attr-defined]  # the estimator's, on the mixin's host
        return bayes_flags(proba[:, 1], costs, amount, scale)
