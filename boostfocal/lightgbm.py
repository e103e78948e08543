"""LightGBM adapters: objective, eval metric, Dataset with the initial score, and an estimator.

Usage::

    import lightgbm as lgb
    import boostfocal as bf
    from boostfocal import lightgbm as bfl

    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    train = bfl.dataset(X, y, loss)                       # init_score = loss.init_score(y)
    booster = lgb.train({"objective": bfl.objective(loss)}, train, feval=bfl.metric(loss))
    proba = bfl.predict_proba(booster, X_test, loss, init_score=loss.init_score(y))

LightGBM never adds a Dataset's ``init_score`` back at predict time: :func:`predict_proba`
requires it, and :class:`FocalLGBMClassifier` stores and adds it for you.
"""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import check_is_fitted

from ._adapter import (
    _LossAdapter,
    check_engine_metrics,
    constant_margin,
    decision_scores,
    eval_xy_as_eval_set,
    margins_to_proba,
    metric_names,
    start_fit,
)
from .losses import Loss

__all__ = ["FocalLGBMClassifier", "dataset", "metric", "objective", "predict_proba"]


def hessian_scale(loss: Loss) -> float:
    """LightGBM's multiclass Hessian convention: its ``multiclass`` objective uses ``K/(K-1) p(1-p)``.

    Following it makes ``gamma = 0`` reproduce the built-in objective exactly (tested).
    """
    k = loss.num_outputs
    return k / (k - 1.0) if loss.is_multiclass else 1.0


class _Objective(_LossAdapter):
    """Objective for ``lgb.train`` (called ``(preds, Dataset)``) and ``LGBMClassifier``/Dask
    estimators (called ``(y_true, y_pred, weight)``): the same object serves both."""

    def __call__(self, a: Any, b: Any, weight: Any = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
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


def objective(loss: Loss) -> _Objective:
    """A LightGBM objective computing ``loss.grad_hess`` on the engine's raw scores.

    Per row it returns ``g_i = w_i dL(y_i, z_i)/dz_i`` and ``h_i = w_i d2L(y_i, z_i)/dz_i^2`` (under
    the loss's Hessian policy), the formulas of the loss's class docstring.

    Pass it as ``params={"objective": objective(loss)}`` to ``lgb.train`` or as ``objective=`` to
    ``LGBMClassifier`` / ``lightgbm.dask`` estimators.  Labels and sample weights are read from
    the Dataset; multiclass Hessians follow LightGBM's ``K/(K-1)`` convention.  Set
    ``num_class=K`` in the parameters for a multiclass loss.
    """
    return _Objective(loss)


def metric(loss: Loss) -> _Metric:
    """A LightGBM eval metric: ``sum_i w_i L(y_i, z_i) / sum_i w_i`` on raw scores (early-stop on it)."""
    return _Metric(loss)


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
    expected = loss.num_outputs if loss.is_multiclass else 1
    if int(num_class) != expected:
        raise ValueError(
            f"the Dataset's init_score was made for {loss!r} ({expected} raw score(s) per row), but the "
            f"parameters have num_class={num_class}; "
            + (f"set num_class={expected}" if loss.is_multiclass else "leave num_class unset for a binary loss")
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
    error), and a built-in ``metric`` LightGBM would compute on raw margins is refused.
    """
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


def predict_raw(
    booster: lgb.Booster, X: Any, *, init_score: float | ArrayLike, **predict_kwargs: Any
) -> NDArray[np.float64]:
    """``booster.predict(X, raw_score=True)`` plus the constant ``init_score`` it was trained from."""
    raw = np.asarray(booster.predict(X, raw_score=True, **predict_kwargs), dtype=np.float64)
    return raw + np.asarray(init_score, dtype=np.float64)


def predict_proba(
    booster: lgb.Booster,
    X: Any,
    loss: Loss,
    *,
    init_score: float | ArrayLike,
    method: str = "posterior",
    **predict_kwargs: Any,
) -> NDArray[np.float64]:
    """Class probabilities ``(n, n_classes)`` from a booster trained with ``objective(loss)``.

    ``init_score`` is required (use ``0.0`` if training started from zero): LightGBM does not add
    it back itself.  ``method="posterior"`` (default) recovers the class posterior from focal
    margins (``loss.posterior``); ``"link"`` is the plain sigmoid/softmax.
    """
    raw = predict_raw(booster, X, init_score=init_score, **predict_kwargs)
    return margins_to_proba(loss, raw, method)


_OWN_PARAMS = ("gamma", "alpha", "hessian", "probability")


def _with_bias(block: Any, init: NDArray[np.float64]) -> Any:
    """Contributions ``block`` (dense or scipy sparse, ``len(init)`` blocks of columns, each ending
    with its bias column) with ``init[k]`` added to the bias column of block ``k``."""
    k = init.shape[0]
    width = block.shape[1] // k
    cols = np.arange(1, k + 1) * width - 1
    if isinstance(block, np.ndarray):
        out = np.array(block, dtype=np.float64)
        out[:, cols] += init
        return out
    import scipy.sparse as sp

    n = block.shape[0]
    rows = np.repeat(np.arange(n), k)
    bias = sp.csr_matrix((np.tile(init, n), (rows, np.tile(cols, n))), shape=block.shape)
    return (block + bias).asformat(block.format)


class FocalLGBMClassifier(lgb.LGBMClassifier):
    """``LGBMClassifier`` trained with focal loss, from the optimal initial score.

    Parameters
    ----------
    gamma : float in [0, 1000], default 2.0
        Focusing parameter of the focal loss; ``0`` gives (alpha-weighted) cross-entropy.
    alpha : None, float in (0, 1), sequence of per-class weights, or "balanced", default None
        Class weights (binary: weight of ``classes_[1]``).  ``"balanced"`` uses
        :func:`boostfocal.balanced_alpha` on the training labels.
    hessian : str, default "bounded"
        Hessian policy, see :class:`boostfocal.BinaryFocalLoss`.
    probability : {"posterior", "link"}, default "posterior"
        What ``predict_proba`` returns: the recovered class posterior, or the plain
        sigmoid/softmax of the margin (not calibrated for ``gamma > 0``).
    **kwargs
        Any ``LGBMClassifier`` parameter (``n_estimators``, ``learning_rate``, ...), except
        ``objective``.

    Binary or multiclass is chosen from the labels, which may be any values (``classes_``).
    ``fit`` computes ``init_score_`` (the loss-minimising constant) unless ``init_score`` is given,
    and reports :func:`metric` on ``eval_set`` so early stopping works on the focal loss.
    ``predict_proba`` and ``predict`` add ``init_score_`` back.  Fitted attributes: ``loss_``,
    ``init_score_``, ``classes_``, ``booster_``.

    Predictions, with ``raw = predict_raw(X) = booster margin + init_score_``:
    ``predict_proba(X) = loss_.posterior(raw)`` (Charoenphakdee et al., 2021; ``loss_.link(raw)``
    with ``probability="link"``), ``predict(X)`` = the class of largest ``predict_proba``,
    ``decision_function(X) = loss_.posterior_logit(raw)``.  ``init_score_`` and
    ``alpha="balanced"`` see every weight training applies: ``class_weight`` times ``sample_weight``.
    """

    def __init__(
        self,
        *,
        gamma: float = 2.0,
        alpha: Any = None,
        hessian: str = "bounded",
        probability: str = "posterior",
        **kwargs: Any,
    ) -> None:
        self.gamma = gamma
        self.alpha = alpha
        self.hessian = hessian
        self.probability = probability
        super().__init__(**kwargs)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params = super().get_params(deep=deep)
        for name in lgb.LGBMModel._get_param_names():  # LightGBM < 4.6 lists this class's own only
            params.setdefault(name, getattr(self, name))
        return params

    def _process_params(self, stage: str) -> dict[str, Any]:
        if stage == "fit":
            self._objective = self._bf_objective
        params = super()._process_params(stage)
        for key in _OWN_PARAMS:
            params.pop(key, None)
        # with a custom objective LightGBM aborts when pre-filtering leaves no feature (tiny data)
        params.setdefault("feature_pre_filter", False)
        if "metric" not in self.get_params() or self.get_params().get("metric") is None:
            params["metric"] = "None"
        return params

    def fit(  # type: ignore[override]
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        init_score: Any = None,
        eval_set: Any = None,
        eval_names: Any = None,
        eval_sample_weight: Any = None,
        eval_class_weight: Any = None,
        eval_init_score: Any = None,
        eval_metric: Any = None,
        **kwargs: Any,
    ) -> FocalLGBMClassifier:
        """Fit with the focal objective; arguments as ``LGBMClassifier.fit``."""
        if self.objective is not None:
            raise ValueError("objective is set by FocalLGBMClassifier itself; leave it unset")
        eval_set = eval_xy_as_eval_set(lgb.LGBMClassifier.fit, eval_set, kwargs)  # LightGBM < 4.7

        def check(loss: Loss) -> None:
            _check_metrics(loss, self.get_params())
            names = metric_names(eval_metric)
            check_engine_metrics(loss, names, rank_metrics=RANK_METRICS, param="eval_metric", engine="LightGBM")

        le, y_enc = start_fit(
            self,
            X,
            y,
            sample_weight,
            margin_given=init_score is not None,
            class_weight=self.class_weight,
            check=check,
        )
        loss = self.loss_
        if init_score is None:
            init_score = constant_margin(loss, self.init_score_, y_enc.shape[0])
            if eval_init_score is None:
                eval_init_score = self._eval_init_scores(loss, eval_set, kwargs.get("eval_y"))
        if kwargs.get("eval_y") is not None:
            # LightGBM label-encodes eval_set itself but passes eval_y through unencoded
            ey = kwargs["eval_y"]
            ey = list(ey) if isinstance(ey, (tuple, list)) else [ey]
            kwargs["eval_y"] = tuple(le.transform(np.asarray(vy)) for vy in ey)
        self._bf_objective = objective(loss)
        metrics = [metric(loss)]
        if eval_metric is not None:
            metrics += list(eval_metric) if isinstance(eval_metric, list) else [eval_metric]
        super().fit(
            X,
            np.asarray(y),
            sample_weight=sample_weight,
            init_score=init_score,
            eval_set=eval_set,
            eval_names=eval_names,
            eval_sample_weight=eval_sample_weight,
            eval_class_weight=eval_class_weight,
            eval_init_score=eval_init_score,
            eval_metric=metrics,
            **kwargs,
        )
        return self

    def _eval_init_scores(self, loss: Loss, eval_set: Any, eval_y: Any) -> list[NDArray[np.float64]] | None:
        """``init_score_`` on every row of each validation set (``eval_set`` or ``eval_X``/``eval_y``)."""
        if eval_set is not None:
            ys = [vy for _, vy in ([eval_set] if isinstance(eval_set, tuple) else eval_set)]
        elif eval_y is not None:
            ys = list(eval_y) if isinstance(eval_y, (tuple, list)) else [eval_y]
        else:
            return None
        return [constant_margin(loss, self.init_score_, np.shape(vy)[0]) for vy in ys]

    def predict_raw(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins including ``init_score_``: ``(n,)`` binary, ``(n, K)`` multiclass."""
        raw = lgb.LGBMModel.predict(self, X, raw_score=True, **kwargs)
        return np.asarray(raw, dtype=np.float64) + np.asarray(self.init_score_)

    def decision_function(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Scores whose sign (binary, ``(n,)``) or arg-max (multiclass, ``(n, K)``) is
        :meth:`predict`'s class, computed from the full margin (``init_score_`` included).

        ``probability="posterior"``: the log-odds ``log(P1/P0)`` (binary) or the log-probabilities
        (multiclass) of the recovered posterior, :meth:`boostfocal.BinaryFocalLoss.posterior_logit`
        (with class weights ``alpha`` the posterior's 1/2 point is not at margin 0).
        ``probability="link"``: the raw margins, as :meth:`predict_raw`.
        """
        check_is_fitted(self, "loss_")
        return decision_scores(self.loss_, self.predict_raw(X, **kwargs), self.probability)

    def _contributions(self, X: Any, **kwargs: Any) -> Any:
        """``pred_contrib=True``: per-feature contributions with ``init_score_`` added to the bias
        column (the last of each class's block), so that each row sums to its full margin."""
        out = lgb.LGBMModel.predict(self, X, pred_contrib=True, **kwargs)
        init = np.atleast_1d(np.asarray(self.init_score_, dtype=np.float64))
        if not np.any(init):
            return out
        if isinstance(out, list):  # multiclass contributions of sparse X: one matrix per class
            return [_with_bias(block, init[i : i + 1]) for i, block in enumerate(out)]
        return _with_bias(out, init)

    def predict_proba(  # type: ignore[override]
        self, X: Any, raw_score: bool = False, pred_leaf: bool = False, pred_contrib: bool = False, **kwargs: Any
    ) -> Any:
        """Class probabilities ``(n, n_classes)`` (the recovered posterior unless ``probability="link"``).

        ``raw_score``, ``pred_contrib`` and ``pred_leaf`` return what :meth:`predict` does.
        """
        if pred_leaf or pred_contrib or raw_score:
            return self.predict(X, raw_score=raw_score, pred_leaf=pred_leaf, pred_contrib=pred_contrib, **kwargs)
        raw = self.predict_raw(X, **kwargs)
        return margins_to_proba(self.loss_, raw, self.probability)

    def predict(  # type: ignore[override]
        self, X: Any, raw_score: bool = False, pred_leaf: bool = False, pred_contrib: bool = False, **kwargs: Any
    ) -> Any:
        """Predicted class labels (the most probable class under ``predict_proba``).

        ``raw_score=True``: raw margins including ``init_score_`` (:meth:`predict_raw`).
        ``pred_contrib=True``: feature contributions (SHAP values) whose bias column includes
        ``init_score_``, so each row sums to its raw margin.  ``pred_leaf=True``: leaf indices.
        """
        if pred_leaf:
            return lgb.LGBMModel.predict(self, X, pred_leaf=True, **kwargs)
        if pred_contrib:
            return self._contributions(X, **kwargs)
        if raw_score:
            return self.predict_raw(X, **kwargs)
        return self.classes_[np.argmax(self.predict_proba(X, **kwargs), axis=1)]

    def save_model(self, path: Any) -> None:
        """Save to a LightGBM model file holding the focal state too (:func:`boostfocal.save_model`)."""
        from .persistence import save_model

        save_model(self, path)

    def load_model(self, path: Any) -> FocalLGBMClassifier:
        """Load a file written by :meth:`save_model` into this estimator, parameters included
        (:func:`boostfocal.load_model` makes a new one); returns ``self``, fitted."""
        from .persistence import load_into

        return load_into(self, path)  # type: ignore[no-any-return]
