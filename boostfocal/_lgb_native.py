"""LightGBM's objective, eval metric, Dataset with the initial score, and the bare-booster helpers.

The public names are those of :mod:`boostfocal.lightgbm`, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._adapter import (
    _LossAdapter,
    check_booster_loss,
    check_engine_metrics,
    check_loss,
    check_multilabel_target,
    constant_margin,
    margins_to_proba,
    metric_names,
)
from ._model import TrainedModel
from ._multilabel_booster import MultilabelBooster, _check_multilabel_loss
from .losses import BinaryFocalLoss, IndependentOutputs, Loss, MulticlassFocalLoss, MultilabelFocalLoss


def hessian_scale(loss: Loss) -> float:
    """LightGBM's multiclass Hessian convention: its ``multiclass`` objective uses ``K/(K-1) p(1-p)``.

    Following it makes ``gamma = 0`` reproduce the built-in objective exactly (tested).
    """
    return loss.kind.hessian_scale("lightgbm")


class _Objective(_LossAdapter):
    """Objective for ``lgb.train`` (called ``(preds, Dataset)``) and ``LGBMClassifier``/Dask
    estimators (called ``(y_true, y_pred, weight)``): the same object serves both."""

    def __call__(self, a: Any, b: Any, weight: Any = None) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        if isinstance(b, lgb.Dataset):
            preds, data = a, b
            y, weight = data.get_label(), data.get_weight()
        else:
            y, preds = a, b
        return self._grad_hess(y, preds, weight, hessian_scale(self.loss))


class _Metric(_LossAdapter):
    """Weighted mean loss on raw scores: ``feval`` of ``lgb.train`` and ``eval_metric`` of the
    estimators.  Returns ``(loss.name, value, False)`` (lower is better)."""

    _what = "metric"

    def __call__(self, a: Any, b: Any, weight: Any = None) -> tuple[str, float, bool]:
        if isinstance(b, lgb.Dataset):
            preds, data = a, b
            y, weight = data.get_label(), data.get_weight()
        else:
            y, preds = a, b
        return self.loss.name, self._mean_loss(y, preds, weight), False


def _single_output(loss: Loss) -> Loss:
    """LightGBM has no multi-output trees: a multilabel loss is trained one booster per label."""
    check_loss(loss)
    if isinstance(loss.kind, IndependentOutputs):
        raise ValueError(
            f"{loss!r} is a multilabel loss, and LightGBM has no multi-output trees: train it with "
            "bfl.train_multilabel(params, X, Y, loss) (one booster per label, each with loss.binary_loss(l)) "
            "or FocalLGBMClassifier on the 2-D Y"
        )
    return loss


def objective(loss: Loss) -> _Objective:
    """A LightGBM objective computing ``loss.grad_hess`` on the engine's raw scores.

    Per row it returns ``g_i = w_i dL(y_i, z_i)/dz_i`` and ``h_i = w_i d2L(y_i, z_i)/dz_i^2`` (under
    the loss's Hessian policy), the formulas of the loss's class docstring.

    Pass it as ``params={"objective": objective(loss)}`` to ``lgb.train`` or as ``objective=`` to
    ``LGBMClassifier`` / ``lightgbm.dask`` estimators.  Labels and sample weights are read from
    the Dataset; multiclass Hessians follow LightGBM's ``K/(K-1)`` convention.  Set
    ``num_class=K`` in the parameters for a multiclass loss.  A multilabel loss is refused: see
    :func:`train_multilabel`.
    """
    return _Objective(_single_output(loss))


def metric(loss: Loss) -> _Metric:
    """A LightGBM eval metric: ``sum_i w_i L(y_i, z_i) / sum_i w_i`` on raw scores (early-stop on it)."""
    return _Metric(_single_output(loss))


_OBJECTIVE_KEYS = ("objective", "objective_type", "app", "application", "loss")
_NUM_CLASS_KEYS = ("num_class", "num_classes")
_METRIC_KEYS = ("metric", "metrics", "metric_types")
#: LightGBM's built-in metrics that rank a binary model's scores (valid on focal margins).
RANK_METRICS = ("auc", "average_precision")


def _check_metrics(loss: Loss, params: dict[str, Any]) -> None:
    """Refuse LightGBM's built-in metrics that it would compute on raw focal margins
    (:func:`boostfocal._adapter.check_engine_metrics`)."""
    for key in _METRIC_KEYS:
        check_engine_metrics(
            loss, metric_names(params.get(key)), rank_metrics=RANK_METRICS, param=key, engine="LightGBM"
        )


def _check_num_class(loss: Loss, params: dict[str, Any] | None) -> None:
    """Raise a clear ValueError when the booster's ``num_class`` does not fit the loss.

    Acts only once LightGBM has merged the training parameters, objective included, into the
    Dataset's (``lgb.train`` does so before building the booster; it replaces a callable objective
    by ``"none"``), not when a Dataset is constructed on its own.
    """
    if not params or not any(key in params for key in _OBJECTIVE_KEYS):
        return
    num_class = next((params[key] for key in _NUM_CLASS_KEYS if key in params), 1)
    expected = loss.num_outputs
    if int(num_class) != expected:
        raise ValueError(
            f"the Dataset's init_score was made for {loss!r} ({expected} raw score(s) per row), but the "
            f"parameters have num_class={num_class}; "
            + (f"set num_class={expected}" if loss.kind.vector else "leave num_class unset for a binary loss")
        )


class _Dataset(lgb.Dataset):
    """The ``lgb.Dataset`` :func:`dataset` returns: when LightGBM constructs it for training, it
    first checks the parameters' ``num_class`` against the loss its init score was made for
    (LightGBM would otherwise fail with "Number of class for initial score error"), and, under a
    custom objective, refuses the parameters' built-in metrics that LightGBM would compute on raw
    focal margins (``binary_logloss``, ``multi_logloss``, ``binary_error``, ...; binary ``auc`` and
    ``average_precision`` rank the margins and are accepted)."""

    def __init__(self, *args: Any, bf_loss: Loss, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bf_loss = bf_loss

    def construct(self) -> lgb.Dataset:
        _check_num_class(self._bf_loss, self.params)
        params = self.params or {}
        objective_value = next((params[key] for key in _OBJECTIVE_KEYS if key in params), None)
        if objective_value == "none" or isinstance(objective_value, _Objective):  # a custom objective
            _check_metrics(self._bf_loss, params)
        return super().construct()


def dataset(
    X: Any,
    y: ArrayLike,
    loss: Loss,
    *,
    weight: ArrayLike | None = None,
    init_score: float | ArrayLike | None = None,
    reference: lgb.Dataset | None = None,
    **kwargs: Any,
) -> lgb.Dataset:
    """An ``lgb.Dataset`` whose ``init_score`` is the loss-minimising constant.

    ``init_score`` defaults to ``loss.init_score(y, weight)``, the constant
    ``z0 = argmin_c sum_i w_i L(y_i, c)``; pass the training set's value for
    a validation set (``reference=train``) so both start from the same constant.  The labels and
    weights are checked here, as the loss checks them (a plain ``lgb.Dataset`` turns NaN labels
    into 0 before any objective sees them).  Trained with ``objective(loss)``, the parameters'
    ``num_class`` is checked against the loss (a clear ``ValueError`` instead of LightGBM's own
    error), and a built-in ``metric`` LightGBM would compute on raw margins is refused.  A
    multilabel loss is refused: see :func:`train_multilabel`.
    """
    _single_output(loss)
    value: float | ArrayLike
    if init_score is None:
        value = loss.init_score(y, weight)
    else:
        loss._prepare(y, weight, weight_name="weight")  # labels checked here: LightGBM turns NaN into 0
        value = init_score
    n = np.shape(y)[0]
    return _Dataset(
        X,
        label=y,
        weight=weight,
        init_score=constant_margin(loss, value, n),
        reference=reference,
        bf_loss=loss,
        **kwargs,
    )


def embed_init_score(booster: lgb.Booster, loss: Loss, init_score: float | ArrayLike) -> lgb.Booster:
    """Put the constant initial raw score ``init_score`` inside ``booster`` (in place; returns it).

    ``z0_k`` (``init_score``, ``K`` values for a multiclass loss) is added to every leaf output of
    the first iteration's tree of class ``k`` (``Booster.set_leaf_output``): every row passes
    through exactly one leaf of that tree, so the booster's raw score becomes
    ``raw(x) = z0 + Σ_t f_t(x)``, the margin it was trained on.  From then on ``booster.predict(X,
    raw_score=True)``, ``pred_contrib`` (bias column included), ``shap.TreeExplainer``, continued
    training with ``init_model=booster`` and the model text all include it, and
    :func:`predict_proba` / :func:`boostfocal.save_model` need no ``init_score``.  Call it once,
    after ``lgb.train`` with a Dataset from :func:`dataset`; a second call with the same value
    changes nothing, with another value raises ``ValueError``.  The booster records the fact in its
    own model text (``boostfocal._engine_lightgbm``), which ``copy.deepcopy``, pickling,
    ``save_model`` / ``lgb.Booster(model_file=...)`` and continued training keep, so no path adds it
    twice.  Linear trees (``linear_tree=True``): ``set_leaf_output`` does not move their leaves, so
    the score is kept beside the trees instead (recorded in the model text, added by
    :func:`predict_raw` / :func:`predict_proba`; the engine's own ``predict`` and plain readers of
    the file do not see it).
    """
    check_loss(loss)
    if not isinstance(booster, lgb.Booster):
        raise TypeError(f"booster must be an lgb.Booster, got {type(booster).__name__}")
    check_booster_loss(loss, "lightgbm", booster)
    TrainedModel.embed(booster, loss, init_score)
    return booster


def _shape_loss(booster: lgb.Booster) -> Loss:
    """A loss of the booster's output kind (binary or softmax of ``K``), for shapes only."""
    k = int(booster.num_model_per_iteration())
    return BinaryFocalLoss() if k == 1 else MulticlassFocalLoss(k)


def predict_raw(
    booster: lgb.Booster, X: Any, *, init_score: float | ArrayLike | None = None, **predict_kwargs: Any
) -> NDArray[np.float64]:
    """``booster.predict(X, raw_score=True)`` plus the constant ``init_score`` it was trained from:

        z(x) = init_score + sum_t f_t(x)

    A booster that carries its initial score (:func:`embed_init_score`) already gives the full
    margin: leave ``init_score`` out (the same value is accepted; another raises ``ValueError``).
    With ``start_iteration > 0`` the first trees, which carry it, are left out, so it is added.
    """
    return TrainedModel.of(booster, _shape_loss(booster), init_score).raw(X, **predict_kwargs)


def predict_proba(
    booster: lgb.Booster,
    X: Any,
    loss: Loss,
    *,
    init_score: float | ArrayLike | None = None,
    method: str = "posterior",
    **predict_kwargs: Any,
) -> NDArray[np.float64]:
    """Class probabilities ``(n, n_classes)`` from a booster trained with ``objective(loss)``.

    ``init_score`` is required unless the booster carries it (:func:`embed_init_score`): use
    ``0.0`` if training started from zero; LightGBM does not add it back itself.
    ``method="posterior"`` (default) recovers the class posterior from focal margins
    (``loss.posterior``); ``"link"`` is the plain sigmoid/softmax.
    """
    check_loss(loss)
    check_booster_loss(loss, "lightgbm", booster)
    raw = TrainedModel.of(booster, loss, init_score).raw(X, **predict_kwargs)
    return margins_to_proba(loss, raw, method)


def _pairs(valid_sets: Any) -> list[tuple[Any, ...]]:
    if valid_sets is None:
        return []
    if isinstance(valid_sets, tuple):
        valid_sets = [valid_sets]
    out = []
    for item in valid_sets:
        if not isinstance(item, tuple) or len(item) not in (2, 3):
            raise TypeError("valid_sets must be a list of (X, Y) or (X, Y, weight) tuples")
        out.append(item)
    return out


def train_multilabel(
    params: dict[str, Any],
    X: Any,
    Y: ArrayLike,
    loss: MultilabelFocalLoss,
    num_boost_round: int = 100,
    *,
    weight: ArrayLike | None = None,
    valid_sets: Any = None,
    valid_names: Sequence[str] | None = None,
    callbacks: list[Any] | None = None,
    **train_kwargs: Any,
) -> MultilabelBooster:
    """Train a multilabel focal model on LightGBM: one ``lgb.train`` per label.

    Booster ``l`` trains on ``Y[:, l]`` with ``objective(loss.binary_loss(l))``, the metric
    :func:`metric` of that loss on every validation set, and its own initial score
    ``loss.init_score(Y, weight)[l]`` (the binary one of the column), which it carries afterwards
    (:func:`embed_init_score`).  Since the labels do not interact in the loss, this is the
    multilabel focal loss itself (with ``gamma = 0`` and ``alpha = None``, LightGBM's ``binary``
    per label).

    ``params``: ``lgb.train`` parameters (no ``objective``); ``valid_sets``: ``(X, Y)`` or
    ``(X, Y, weight)`` tuples with an ``(n, L)`` ``Y``; ``callbacks`` (e.g. ``lgb.early_stopping``)
    apply to each booster in turn, so early stopping stops each label at its own best iteration.
    Other keyword arguments go to ``lgb.train``.  Returns a :class:`MultilabelBooster`.
    """
    loss = _check_multilabel_loss(loss)
    if any(key in params for key in _OBJECTIVE_KEYS):
        raise ValueError("params must not set the objective: train_multilabel trains with the focal loss")
    labels = check_multilabel_target(Y, loss.num_labels, "Y")
    init = loss.init_score(labels, weight)  # checks every column and the weights, before training
    valid = [
        (vx, check_multilabel_target(vy, loss.num_labels, "valid_sets Y"), *rest)
        for vx, vy, *rest in _pairs(valid_sets)
    ]
    boosters = []
    for label in range(loss.num_labels):
        binary = loss.binary_loss(label)
        train = dataset(X, labels[:, label], binary, weight=weight, init_score=init[label])
        sets = [
            dataset(vx, vy[:, label], binary, weight=rest[0] if rest else None, init_score=init[label], reference=train)
            for vx, vy, *rest in valid
        ]
        booster = lgb.train(
            {**params, "objective": objective(binary)},
            train,
            num_boost_round=num_boost_round,
            valid_sets=sets or None,
            valid_names=list(valid_names) if valid_names is not None else None,
            feval=metric(binary),
            callbacks=callbacks,
            **train_kwargs,
        )
        boosters.append(embed_init_score(booster, binary, init[label]))
    return MultilabelBooster(boosters, loss)
