"""XGBoost's objective, eval metric, DMatrix with the initial score, and the bare-booster helpers.

The public names are those of :mod:`boostfocal.xgboost`, which re-exports them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xgboost as xgb
from numpy.typing import ArrayLike, NDArray

from . import _engine_xgboost as xgbe
from ._adapter import (
    _LossAdapter,
    check_booster_loss,
    check_loss,
    constant_margin,
    margins_to_proba,
)
from ._model import TrainedModel
from .losses import IndependentOutputs, Loss


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


#: Whether this XGBoost holds a vector intercept (``base_score`` of one value per target), which a
#: multilabel model needs to carry its per-label initial score (XGBoost >= 3.1).
VECTOR_INTERCEPT = _version(xgb.__version__) >= (3, 1)


def _check_multilabel(loss: Loss) -> None:
    """A multilabel loss needs XGBoost >= 3.1 (a per-target intercept): refused before training."""
    if isinstance(loss.kind, IndependentOutputs) and not VECTOR_INTERCEPT:
        raise ValueError(
            f"multilabel models need XGBoost >= 3.1 (a vector base_score, one intercept per label, so that the "
            f"model carries its initial score); the installed XGBoost is {xgb.__version__}: upgrade XGBoost, or "
            "train one binary model per label"
        )


def hessian_scale(loss: Loss) -> float:
    """XGBoost's multiclass Hessian convention: ``multi:softprob`` uses ``2 p(1-p)``.

    Following it makes ``gamma = 0`` reproduce the built-in objective (tested).
    """
    return loss.kind.hessian_scale("xgboost")


class _Objective(_LossAdapter):
    """Objective for ``xgb.train(obj=...)`` / ``xgboost.dask.train`` (called ``(predt, DMatrix)``)
    and for ``XGBClassifier(objective=...)`` (called ``(y_true, y_pred[, sample_weight])``).

    Labels and weights go to the compiled kernel as XGBoost holds them, float32 vectors, with no
    copy, cache or comparison: called with a DMatrix, the objective reads its label and weight
    vectors in place (:func:`boostfocal._engine_xgboost.float_info_view`, not the copy ``get_label()`` makes); called by
    ``XGBClassifier``, it takes the float32 vectors that wrapper copies from its DMatrix every
    round.  The kernel's first pass checks every label and weight (a bad one raises the public
    API's error).  Any other label array, and every array under the numpy backend, is checked once
    and cached (:class:`~boostfocal._adapter._LossAdapter`).

    For a binary loss the kernel runs on the calling thread only.  XGBoost ships its own OpenMP
    runtime, so numba's thread pool (the system one) and XGBoost's compete for the cores: measured
    on 2 cores, a multi-threaded binary kernel makes XGBoost take 2x the training time at 10^5
    rows, and at 10^6 rows 1.25x the built-in objective's time against 1.17x on one thread.  The
    multiclass kernel does K times the work per row and keeps the pool (K = 5, 500k rows: 1.27x the
    built-in's time, 1.45x on one thread).  LightGBM shares numba's runtime and always uses the pool.
    """

    @property
    def _threads(self) -> bool:  # type: ignore[override]
        return self.loss.kind.kernel == "multiclass_grad_hess"

    def __call__(self, a: Any, b: Any, sample_weight: Any = None) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        if isinstance(b, xgb.DMatrix):
            preds, data = a, b
            y, w = xgbe.float_info_view(data, "label"), xgbe.float_info_view(data, "weight")
            if y is not None and w is not None:
                return self._grad_hess_views(y, preds, w, hessian_scale(self.loss))
            y, w = data.get_label(), data.get_weight()
        else:
            y, preds, w = a, b, sample_weight
        if _engine_vectors(y, w):
            return self._grad_hess_views(y, preds, _NO_WEIGHT if w is None else w, hessian_scale(self.loss))
        return self._grad_hess(y, preds, w, hessian_scale(self.loss))


_NO_WEIGHT = np.empty(0, dtype=np.float32)


def _engine_vectors(y: Any, weight: Any) -> bool:
    """Whether ``y`` and ``weight`` are label and weight vectors as XGBoost hands them: contiguous
    1-D float32 arrays of one length (``weight`` None or empty for none), which the compiled
    kernels read as they are."""

    def vector(a: Any) -> bool:
        return isinstance(a, np.ndarray) and a.dtype == np.float32 and a.ndim == 1 and a.flags.c_contiguous

    if not vector(y):
        return False
    return weight is None or (vector(weight) and (weight.size == 0 or weight.shape == y.shape))


class _Metric(_LossAdapter):
    """Weighted mean loss on raw margins.  ``xgb.train(custom_metric=...)`` gets
    ``(loss.name, value)``; the estimators' ``eval_metric=`` gets the float.  Lower is better.

    XGBoost hands a custom metric raw margins only when the objective is custom too: use it with
    :func:`objective`, not with a built-in objective (which would hand it probabilities).
    """

    _what = "metric"

    def __call__(self, a: Any, b: Any, sample_weight: Any = None) -> tuple[str, float] | float:
        if isinstance(b, xgb.DMatrix):
            preds, data = a, b
            return self.loss.name, self._mean_loss(data.get_label(), preds, data.get_weight())
        return self._mean_loss(a, b, sample_weight)


def objective(loss: Loss) -> _Objective:
    """An XGBoost objective computing ``loss.grad_hess`` on the engine's raw margins.

    Per row it returns ``g_i = w_i dL(y_i, z_i)/dz_i`` and ``h_i = w_i d2L(y_i, z_i)/dz_i^2`` (under
    the loss's Hessian policy), the formulas of the loss's class docstring.

    Multiclass: set ``num_class=K`` in the parameters; Hessians follow XGBoost's ``2 p(1-p)``
    convention.  Multilabel (:class:`~boostfocal.MultilabelFocalLoss`, XGBoost >= 3.1): a DMatrix
    with an ``(n, L)`` label matrix; ``multi_strategy="multi_output_tree"`` grows one tree with
    vector leaves per round, ``"one_output_per_tree"`` (XGBoost's default) one tree per label;
    the Hessian is the per-label binary one (no scaling).  DMatrix sample weights are applied
    (``xgb.train`` leaves that to the objective).
    """
    _check_multilabel(check_loss(loss))
    return _Objective(loss)


def metric(loss: Loss) -> _Metric:
    """An XGBoost eval metric: ``sum_i w_i L(y_i, z_i) / sum_i w_i`` on raw margins ``z``."""
    return _Metric(loss)


def dmatrix(
    X: Any,
    y: ArrayLike,
    loss: Loss,
    *,
    weight: ArrayLike | None = None,
    init_score: float | ArrayLike | None = None,
    **kwargs: Any,
) -> xgb.DMatrix:
    """An ``xgb.DMatrix`` whose ``base_margin`` is the loss-minimising constant.

    By default ``init_score = loss.init_score(y, weight)``; pass the training value for a
    validation set.  Predicting on a DMatrix without ``base_margin`` does *not* add it back:
    use :func:`predict_proba` / :func:`predict_raw`.  Multilabel: ``y`` is the ``(n, L)`` 0/1
    matrix and the ``base_margin`` is ``(n, L)``, the initial score of each label.
    """
    _check_multilabel(check_loss(loss))
    value = loss.init_score(y, weight) if init_score is None else init_score
    n = np.shape(y)[0]
    return xgb.DMatrix(X, label=y, weight=weight, base_margin=constant_margin(loss, value, n), **kwargs)


def embed_init_score(booster: xgb.Booster, loss: Loss, init_score: float | ArrayLike) -> xgb.Booster:
    """Make the constant initial raw score ``init_score`` the booster's own intercept (in place;
    returns it).

    XGBoost's ``base_score`` becomes ``z0`` (through the sigmoid for the logistic placeholder
    objective of the scikit-learn wrapper; a vector of ``K`` values for multiclass on XGBoost >= 3.1,
    of ``L`` values for a multilabel model, which needs XGBoost >= 3.1).
    Where XGBoost has one intercept for every class (XGBoost < 3.1), ``base_score`` is set to 0 and
    ``z0_k`` added to every leaf of the first iteration's tree of class ``k`` instead (through the
    model's JSON): every row passes through one leaf of it.  Either way ``booster.predict(...,
    output_margin=True)`` without a ``base_margin``, ``pred_contribs``, ``shap.TreeExplainer``, the
    model file and ``xgb_model=`` continuation see ``raw(x) = z0 + Σ_t f_t(x)``; XGBoost holds the intercept and the
    leaves in float32, so they match boostfocal's float64 value to float32 precision.  The booster
    attribute ``"boostfocal_init_score"`` records the exact value (``boostfocal._model.
    carried_init_score``), so :func:`predict_proba` needs no ``init_score`` and adds nothing twice.
    A second call with the same value changes nothing; with another value it raises ``ValueError``.
    """
    check_loss(loss)
    if not isinstance(booster, xgb.Booster):
        raise TypeError(f"booster must be an xgb.Booster, got {type(booster).__name__}")
    _check_multilabel(loss)
    check_booster_loss(loss, "xgboost", booster)
    TrainedModel.embed(booster, loss, init_score)
    return booster


def predict_raw(
    booster: xgb.Booster,
    X: Any,
    *,
    loss: Loss,
    init_score: float | ArrayLike | None = None,
    **predict_kwargs: Any,
) -> NDArray[np.float64]:
    """Raw margins of ``X`` including the constant ``init_score`` (set as the ``base_margin``):

        z(x) = init_score + sum_t f_t(x)

    ``init_score`` may be left out for a booster that carries it (:func:`embed_init_score`); the
    exact float64 value is then used, as ``base_margin``, so the result equals the estimator's.
    After early stopping pass ``iteration_range=(0, booster.best_iteration + 1)``.
    """
    check_loss(loss)
    return TrainedModel.of(booster, loss, init_score).raw(X, **predict_kwargs)


def predict_proba(
    booster: xgb.Booster,
    X: Any,
    loss: Loss,
    *,
    init_score: float | ArrayLike | None = None,
    method: str = "posterior",
    **predict_kwargs: Any,
) -> NDArray[np.float64]:
    """Class probabilities ``(n, n_classes)`` from a booster trained with ``objective(loss)``.

    ``init_score`` is required (``0.0`` if training started from a zero ``base_margin``) unless
    the booster carries it (:func:`embed_init_score`).
    ``method="posterior"`` recovers the class posterior; ``"link"`` is the plain sigmoid/softmax.
    """
    raw = predict_raw(booster, X, init_score=init_score, loss=loss, **predict_kwargs)
    return margins_to_proba(loss, raw, method)
