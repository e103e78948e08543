"""XGBoost adapters: objective, eval metric, DMatrix with the initial score, and an estimator.

Usage::

    import xgboost as xgb
    import boostfocal as bf
    from boostfocal import xgboost as bfx

    loss = bf.BinaryFocalLoss(alpha=0.25, gamma=2.0)
    z0 = loss.init_score(y)
    dtrain = bfx.dmatrix(X, y, loss)                      # base_margin = z0 on every row
    booster = xgb.train({"tree_method": "hist"}, dtrain, 100, obj=bfx.objective(loss),
                        custom_metric=bfx.metric(loss), evals=[(dtrain, "train")])
    proba = bfx.predict_proba(booster, X_test, loss, init_score=z0)

A ``base_margin`` replaces ``base_score``; ``xgb.train(obj=...)`` otherwise starts from margin 0.5.
Custom objectives receive float32 margins; sample weights are read from the DMatrix.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
import xgboost as xgb
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import _num_samples, check_is_fitted

from ._adapter import (
    _LossAdapter,
    check_engine_metrics,
    constant_margin,
    decision_scores,
    margins_to_proba,
    metric_names,
    start_fit,
)
from .losses import Loss

__all__ = ["FocalXGBClassifier", "dmatrix", "metric", "objective", "predict_proba"]


def hessian_scale(loss: Loss) -> float:
    """XGBoost's multiclass Hessian convention: ``multi:softprob`` uses ``2 p(1-p)``.

    Following it makes ``gamma = 0`` reproduce the built-in objective (tested).
    """
    return 2.0 if loss.is_multiclass else 1.0


def _info_view(data: xgb.DMatrix, field: str) -> NDArray[np.float32] | None:
    """``data``'s own ``"label"`` or ``"weight"`` vector, not the copy ``get_label()`` makes
    (which took 1-3 ms a round at 10^6 rows): a view of XGBoost's memory through the C API's
    ``XGDMatrixGetFloatInfo``, valid until the DMatrix changes, so read it within one objective call
    and keep nothing.  None if that function cannot be reached (then use ``get_label()``)."""
    try:
        get = xgb.core._LIB.XGDMatrixGetFloatInfo
    except AttributeError:
        return None
    length = ctypes.c_uint64()
    ptr = ctypes.POINTER(ctypes.c_float)()
    if get(data.handle, field.encode(), ctypes.byref(length), ctypes.byref(ptr)) != 0:
        return None
    n = length.value
    return np.ctypeslib.as_array(ptr, shape=(n,)) if n else np.empty(0, dtype=np.float32)


class _Objective(_LossAdapter):
    """Objective for ``xgb.train(obj=...)`` / ``xgboost.dask.train`` (called ``(predt, DMatrix)``)
    and for ``XGBClassifier(objective=...)`` (called ``(y_true, y_pred[, sample_weight])``).

    Labels and weights go to the compiled kernel as XGBoost holds them, float32 vectors, with no
    copy, cache or comparison: called with a DMatrix, the objective reads its label and weight
    vectors in place (:func:`_info_view`, not the copy ``get_label()`` makes); called by
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
        return self.loss.is_multiclass

    def __call__(self, a: Any, b: Any, sample_weight: Any = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if isinstance(b, xgb.DMatrix):
            preds, data = a, b
            y, w = _info_view(data, "label"), _info_view(data, "weight")
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
    convention.  DMatrix sample weights are applied (``xgb.train`` leaves that to the objective).
    """
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
    use :func:`predict_proba` / :func:`predict_raw`.
    """
    value = loss.init_score(y, weight) if init_score is None else init_score
    n = np.shape(y)[0]
    return xgb.DMatrix(X, label=y, weight=weight, base_margin=constant_margin(loss, value, n), **kwargs)


def predict_raw(
    booster: xgb.Booster, X: Any, *, init_score: float | ArrayLike, loss: Loss, **predict_kwargs: Any
) -> NDArray[np.float64]:
    """Raw margins of ``X`` including the constant ``init_score`` (set as the ``base_margin``).

    After early stopping pass ``iteration_range=(0, booster.best_iteration + 1)``.
    """
    own = not isinstance(X, xgb.DMatrix)
    dm = xgb.DMatrix(X) if own else X
    saved = None if own else dm.get_base_margin()
    dm.set_base_margin(constant_margin(loss, init_score, dm.num_row()))  # type: ignore[arg-type]
    try:
        return np.asarray(booster.predict(dm, output_margin=True, **predict_kwargs), dtype=np.float64)
    finally:
        if saved is not None:  # leave the caller's DMatrix as it was
            dm.set_base_margin(saved if saved.size else np.zeros(0))


def predict_proba(
    booster: xgb.Booster,
    X: Any,
    loss: Loss,
    *,
    init_score: float | ArrayLike,
    method: str = "posterior",
    **predict_kwargs: Any,
) -> NDArray[np.float64]:
    """Class probabilities ``(n, n_classes)`` from a booster trained with ``objective(loss)``.

    ``init_score`` is required (``0.0`` if training started from a zero ``base_margin``).
    ``method="posterior"`` recovers the class posterior; ``"link"`` is the plain sigmoid/softmax.
    """
    raw = predict_raw(booster, X, init_score=init_score, loss=loss, **predict_kwargs)
    return margins_to_proba(loss, raw, method)


_OWN_PARAMS = ("gamma", "alpha", "hessian", "probability")
#: XGBoost's built-in metrics that rank a binary model's scores (valid on focal margins).
RANK_METRICS = ("auc", "aucpr")


class FocalXGBClassifier(xgb.XGBClassifier):
    """``XGBClassifier`` trained with focal loss, from the optimal initial score.

    Parameters
    ----------
    gamma : float in [0, 1000], default 2.0
        Focusing parameter of the focal loss.  (XGBoost's own ``gamma``, the minimum split loss,
        is available as ``min_split_loss``.)
    alpha : None, float in (0, 1), sequence of per-class weights, or "balanced", default None
        Class weights (binary: weight of ``classes_[1]``).  (XGBoost's L1 ``alpha`` is
        ``reg_alpha``.)
    hessian : str, default "bounded"
        Hessian policy, see :class:`boostfocal.BinaryFocalLoss`.
    probability : {"posterior", "link"}, default "posterior"
        What ``predict_proba`` returns.
    **kwargs
        Any ``XGBClassifier`` parameter except ``objective`` (any value other than
        ``XGBClassifier``'s own default ``"binary:logistic"``, which cannot be told apart from
        unset, raises ``ValueError`` in ``fit``).  ``eval_metric`` defaults to the
        focal loss itself, so ``early_stopping_rounds`` stops on it.

    Labels may be any values (``classes_``); ``fit`` sets ``base_margin`` to ``init_score_``
    unless one is given, and ``predict``/``predict_proba`` add it back.

    Predictions, with ``raw = predict_raw(X) = booster margin + init_score_``:
    ``predict_proba(X) = loss_.posterior(raw)`` (Charoenphakdee et al., 2021; ``loss_.link(raw)``
    with ``probability="link"``), ``predict(X)`` = the class of largest ``predict_proba``,
    ``decision_function(X) = loss_.posterior_logit(raw)``.
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
        super().__init__(**kwargs)
        self.gamma = gamma
        self.alpha = alpha
        self.hessian = hessian
        self.probability = probability

    def get_xgb_params(self) -> dict[str, Any]:
        params = super().get_xgb_params()
        for key in _OWN_PARAMS:
            params.pop(key, None)
        if getattr(self, "_bf_in_fit", False) and callable(self.eval_metric):
            # the placeholder objective's default metric would be computed on raw margins
            params.setdefault("disable_default_eval_metric", True)
        return params

    # older XGBoost (2.1 among them) reads the estimator type here; scikit-learn >= 1.8 no longer sets it
    _estimator_type = "classifier"

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = False  # fit takes 1-D labels only
        return tags

    def _more_tags(self) -> dict[str, Any]:  # the tags of scikit-learn < 1.6
        return {**super()._more_tags(), "multilabel": False}

    @property
    def classes_(self) -> NDArray[Any]:  # type: ignore[override]
        """The class labels seen in ``fit``, in the order of ``predict_proba``'s columns."""
        if getattr(self, "_bf_in_fit", False) or not hasattr(self, "_bf_classes"):
            return np.arange(self.n_classes_)
        return self._bf_classes

    def fit(  # type: ignore[override]
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        base_margin: Any = None,
        eval_set: Any = None,
        sample_weight_eval_set: Any = None,
        base_margin_eval_set: Any = None,
        **kwargs: Any,
    ) -> FocalXGBClassifier:
        """Fit with the focal objective; arguments as ``XGBClassifier.fit``."""
        if self.objective not in (None, "binary:logistic"):
            raise ValueError("objective is set by FocalXGBClassifier itself; leave it unset")
        le, y_enc = start_fit(
            self, X, y, sample_weight, margin_given=base_margin is not None, check=self._check_metrics
        )
        loss = self.loss_
        if base_margin is None:
            base_margin = constant_margin(loss, self.init_score_, y_enc.shape[0])
            if eval_set is not None and base_margin_eval_set is None:
                base_margin_eval_set = [constant_margin(loss, self.init_score_, np.shape(vy)[0]) for _, vy in eval_set]
        if eval_set is not None:
            eval_set = [(vx, le.transform(np.asarray(vy))) for vx, vy in eval_set]
        saved = self.objective, self.eval_metric
        self.objective = objective(loss)
        if self.eval_metric is None:
            self.eval_metric = metric(loss)
        self._bf_in_fit = True
        try:
            super().fit(
                X,
                y_enc,
                sample_weight=sample_weight,
                base_margin=base_margin,
                eval_set=eval_set,
                sample_weight_eval_set=sample_weight_eval_set,
                base_margin_eval_set=base_margin_eval_set,
                **kwargs,
            )
        finally:
            self.objective, self.eval_metric = saved
            self._bf_in_fit = False
        self._bf_classes = le.classes_
        return self

    def predict_raw(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins including ``init_score_`` (uses ``best_iteration`` after early stopping)."""
        check_is_fitted(self, "loss_")
        n = X.num_row() if isinstance(X, xgb.DMatrix) else _num_samples(X)
        margin = constant_margin(self.loss_, self.init_score_, n)
        raw = xgb.XGBModel.predict(self, X, output_margin=True, base_margin=margin, **kwargs)
        return np.asarray(raw, dtype=np.float64)

    def predict_proba(self, X: Any, **kwargs: Any) -> NDArray[np.float64]:  # type: ignore[override]
        """Class probabilities ``(n, n_classes)`` (the recovered posterior unless ``probability="link"``)."""
        raw = self.predict_raw(X, **kwargs)
        return margins_to_proba(self.loss_, raw, self.probability)

    def _check_metrics(self, loss: Loss) -> None:
        """Refuse built-in ``eval_metric`` names XGBoost would compute on sigmoid/softmax of focal margins."""
        names = metric_names(self.eval_metric)
        check_engine_metrics(loss, names, rank_metrics=RANK_METRICS, param="eval_metric", engine="XGBoost")

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

    def predict(self, X: Any, output_margin: bool = False, **kwargs: Any) -> NDArray[Any]:  # type: ignore[override]
        """Predicted class labels (the most probable class under ``predict_proba``);
        ``output_margin=True``: raw margins including ``init_score_`` (:meth:`predict_raw`)."""
        check_is_fitted(self, "loss_")
        if output_margin:
            return self.predict_raw(X, **kwargs)
        return self.classes_[np.argmax(self.predict_proba(X, **kwargs), axis=1)]

    def save_model(self, fname: Any) -> None:
        """Save to an XGBoost model file (JSON for ``.json``, UBJ for ``.ubj``) whose ``"boostfocal"``
        attribute holds the focal state (:func:`boostfocal.save_model`)."""
        from .persistence import save_model

        save_model(self, fname)

    def load_model(self, fname: Any) -> FocalXGBClassifier:  # type: ignore[override]
        """Load a file (or the bytes of one) written by :meth:`save_model` or
        :func:`boostfocal.save_model` into this estimator, parameters included; returns ``self``,
        fitted.  A model file without boostfocal state raises ``ValueError``."""
        from .persistence import load_into

        return load_into(self, fname)  # type: ignore[no-any-return]
