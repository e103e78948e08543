"""The registry of losses, inverse-frequency class weights, and the one place ``"balanced"``
becomes a loss."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _validation as v
from .._numeric import Float, sigmoid
from ._base import _Loss
from ._binary import BinaryBalancedCrossEntropy, BinaryFocalLoss
from ._kinds import BinaryOutput, IndependentOutputs, OutputKind, SoftmaxOutput
from ._multiclass import MulticlassBalancedCrossEntropy, MulticlassFocalLoss
from ._multilabel import MultilabelBalancedCrossEntropy, MultilabelFocalLoss

__all__ = ["LOSSES", "Loss", "balanced_alpha", "focal_loss_for", "prior_shift"]

#: Every public loss class by its ``name``: the tests, metrics, CLI and tuner enrol from here.
LOSSES: dict[str, type[_Loss]] = {
    cls.name: cls
    for cls in (
        BinaryFocalLoss,
        MulticlassFocalLoss,
        BinaryBalancedCrossEntropy,
        MulticlassBalancedCrossEntropy,
        MultilabelFocalLoss,
        MultilabelBalancedCrossEntropy,
    )
}

Loss = _Loss


def balanced_alpha(
    y: ArrayLike,
    num_class: int | None = None,
    sample_weight: ArrayLike | None = None,
    *,
    multilabel: bool = False,
) -> float | tuple[float, ...]:
    """Inverse-frequency class weights from labels.

    Binary (``num_class`` None and labels in {0, 1}): ``alpha = W_0 / (W_0 + W_1)``, so that
    ``alpha W_1 = (1 - alpha) W_0`` — both classes carry the same total weight.  Multiclass
    (``num_class`` given, or labels beyond 1): ``alpha_k = W / (K W_k)`` (scikit-learn's
    ``class_weight="balanced"``).  ``W_k`` is the (weighted) count of class ``k``.  Multilabel
    (``multilabel=True``, ``y`` an ``(n, L)`` 0/1 matrix): the binary weight of each column,
    ``alpha_l = W_0l / (W_0l + W_1l)``, a tuple of ``L`` floats for :class:`MultilabelFocalLoss`.
    """
    if not isinstance(multilabel, (bool, np.bool_)):
        raise TypeError(f"multilabel must be a bool, got {type(multilabel).__name__}")
    if multilabel:
        if num_class is not None:
            raise ValueError("num_class is for multiclass labels; leave it None with multilabel=True")
        shape = np.shape(y)
        if len(shape) != 2:
            raise ValueError(
                f"y has shape {shape} but multilabel=True expects an (n, L) 0/1 indicator matrix"
                + ("; for one class per row out of several, pass num_class instead" if len(shape) == 1 else "")
            )
        totals = MultilabelFocalLoss(shape[1])._label_totals(y, sample_weight)
        with np.errstate(over="ignore"):
            both = totals.sum(axis=1)
        if not np.all(np.isfinite(both)):
            raise ValueError(
                "sample_weight sums to infinity (beyond the float64 range); divide the weights by a constant"
            )
        return tuple(float(t) for t in totals[:, 0] / both)
    if np.ndim(y) == 2 and np.shape(y)[1] > 1:
        raise ValueError(
            f"y has shape {np.shape(y)}: for an (n, L) multilabel indicator matrix pass multilabel=True "
            "(per-label balanced weights)"
        )
    arr = np.asarray(y)
    binary = num_class is None and arr.size > 0 and np.isin(arr, (0, 1)).all()
    k: int | None
    if binary:
        yy = v.check_binary_labels(arr).astype(np.intp)
        k = 2
    else:
        k = v.check_num_class(num_class) if num_class is not None else None
        if k is None:
            yy0 = v.check_multiclass_labels(arr, None)
            k = max(int(yy0.max()) + 1, 2)
        yy = v.check_multiclass_labels(arr, k)
    w = v.check_sample_weight(sample_weight, yy.shape[0])
    with np.errstate(over="ignore"):
        totals = np.bincount(yy, weights=w, minlength=k).astype(np.float64)
        v.check_class_totals(totals)
        if not np.isfinite(totals.sum()):
            raise ValueError(
                "sample_weight sums to infinity (beyond the float64 range); divide the weights by a constant"
            )
    if binary:
        return float(totals[0] / totals.sum())
    return tuple(float(t) for t in totals.sum() / (k * totals))


# --------------------------------------------------------------------------------------
# Undoing a positive-class weight (the prior shift)
# --------------------------------------------------------------------------------------


def prior_shift(raw: ArrayLike, scale_pos_weight: float, *, proba: bool = False) -> Float:
    """``P(y=1 | x)`` of a log-loss model trained with positive-class weight ``w``.

    Weighting every positive by ``w`` (XGBoost's and LightGBM's ``scale_pos_weight``) multiplies
    the odds the model learns by ``w``: its margin estimates ``logit P + log w``.  Undoing it is
    a shift of the prior odds (Elkan, "The foundations of cost-sensitive learning", IJCAI 2001):

        P(y=1 | x) = sigmoid(z - log w)

    ``raw`` holds the margins ``z``; with ``proba=True`` it holds the model's probabilities
    ``sigmoid(z)`` instead, and ``z = log p - log(1 - p)`` is taken first.  ``w > 0``, finite.
    """
    if isinstance(scale_pos_weight, bool) or not isinstance(scale_pos_weight, (int, float, np.floating, np.integer)):
        raise TypeError(f"scale_pos_weight must be a number > 0, got {scale_pos_weight!r}")
    w = float(scale_pos_weight)
    if not (np.isfinite(w) and w > 0):
        raise ValueError(f"scale_pos_weight must be a finite number > 0, got {scale_pos_weight!r}")
    z = np.asarray(raw, dtype=np.float64)
    if proba:
        with np.errstate(divide="ignore"):
            z = np.log(z) - np.log1p(-z)
    return sigmoid(z - np.log(w))


def focal_loss_for(
    kind: OutputKind,
    *,
    gamma: float,
    alpha: Any,
    hessian: str,
    y: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> _Loss:
    """The focal loss of output ``kind`` an estimator or the tuner trains with.

    ``alpha="balanced"`` becomes :func:`balanced_alpha` of the encoded labels ``y`` (class indices
    ``0..K-1``, or the ``(n, L)`` 0/1 matrix) with ``sample_weight``: here and nowhere else.  Any
    other ``alpha`` is passed to the loss, which checks it.
    """
    if isinstance(alpha, str):
        if alpha != "balanced":
            raise ValueError(f"alpha must be None, a number, a sequence or 'balanced', got {alpha!r}")
        if y is None:
            raise ValueError("alpha='balanced' needs the training labels y")
        if isinstance(kind, IndependentOutputs):
            alpha = balanced_alpha(y, sample_weight=sample_weight, multilabel=True)
        else:
            alpha = balanced_alpha(y, None if isinstance(kind, BinaryOutput) else kind.outputs, sample_weight)
    if isinstance(kind, BinaryOutput):
        return BinaryFocalLoss(alpha=alpha, gamma=gamma, hessian=hessian)
    if isinstance(kind, SoftmaxOutput):
        return MulticlassFocalLoss(kind.outputs, alpha=alpha, gamma=gamma, hessian=hessian)
    if isinstance(kind, IndependentOutputs):
        return MultilabelFocalLoss(kind.outputs, alpha=alpha, gamma=gamma, hessian=hessian)
    raise TypeError(f"kind must be an OutputKind, got {type(kind).__name__}")
