"""Binned folds: each fold's training and validation rows binned once, lent to every fit that bins alike.

A fit through an estimator builds (bins) its inner training and validation data anew, though
every row and candidate of a fold bins the same rows the same way.  Here each pair is built once
per fold and binning parameters, and each fit borrows one for its whole training, setting its own
initial score; labels and weights are the fold's, the same for every fit.  A pair is lent to one
fit at a time (labels and initial scores are read while a booster trains), so concurrent fits of
a fold get a pair each: at most one per thread.

LightGBM (:func:`lgb_fit`): the pair is keyed by the parameters ``Dataset.get_params`` keeps and
the leaf size ``feature_pre_filter`` bins by; its raw rows are freed once binned, so that a fit
whose parameters would bin differently raises instead of binning again.  :func:`lgb_fit` trains
as ``LGBMClassifier.fit`` / ``FocalLGBMClassifier.fit`` do (the same parameters, objective,
initial score, eval metric and callbacks through ``lightgbm.train``) and leaves the estimator
fitted as they would.  XGBoost (:meth:`BinnedFolds.lend_xgb`): the estimator's own ``fit`` runs,
and its call for matrices is answered with the fold's pair (keyed by ``max_bin``, the tree method,
device, booster and missing value).  Both give the trees the estimators give
(``tests/test_tuning_speed.py`` checks the tuner's table against fits through the estimators).
They serve binary targets in float arrays without categorical columns, early-stopped on a
:class:`._engines.ValidationScore` (:func:`._search._binned_fits`); the other fits go through the
estimators.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from .. import _engine_xgboost as xgbe
from ._inputs import take


def _binning_key(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The parameters a Dataset is built with (``Dataset.get_params``), and the leaf size that
    ``feature_pre_filter`` bins by: fits that differ in these never share a Dataset."""
    import lightgbm as lgb

    dataset = lgb.Dataset(np.zeros((1, 1)), params=params).get_params()
    leaf = lgb.basic._ConfigAliases.get("min_data_in_leaf", "feature_pre_filter", "seed", "data_random_seed")
    dataset.update({k: v for k, v in params.items() if k in leaf})
    return tuple(sorted((k, repr(v)) for k, v in dataset.items()))


class BinnedFolds:
    """The binned inner training and validation Datasets of the folds of one search, lent out.

    ``X``, ``y`` (encoded labels) and ``w`` (weights or None) are the tuner's whole table; a fold's
    Datasets (or XGBoost matrices) hold its rows.  ``built`` counts the Datasets and matrices built.
    """

    def __init__(self, X: Any, y: NDArray[np.intp], w: NDArray[np.float64] | None) -> None:
        self.X, self.y, self.w = X, y, w
        self._free: dict[tuple[Any, ...], list[tuple[Any, Any]]] = {}
        self._folds: dict[int, Any] = {}  # keeps each keyed fold alive, so that its id stays its own
        self._lock = threading.Lock()
        self.built = 0

    @contextlib.contextmanager
    def lend(self, fold: Any, params: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
        """A ``(train, valid)`` pair of ``fold`` binned with ``params``, for one fit at a time."""
        key = (id(fold), _binning_key(params))
        with self._lock:
            self._folds[id(fold)] = fold
            pool = self._free.setdefault(key, [])
            sets = pool.pop() if pool else None
        if sets is None:
            sets = self._build(fold, params)
        try:
            yield sets
        finally:
            with self._lock:
                self._free[key].append(sets)

    def _build(self, fold: Any, params: dict[str, Any]) -> tuple[Any, Any]:
        import lightgbm as lgb

        if callable(params.get("objective")):  # as lightgbm.train passes a custom objective on
            params = {**params, "objective": "none"}

        w_fit = None if self.w is None else self.w[fold.fit]
        w_val = None if self.w is None else self.w[fold.val]
        train = lgb.Dataset(
            take(self.X, fold.fit), label=self.y[fold.fit], weight=w_fit, params=params, free_raw_data=True
        ).construct()
        valid = lgb.Dataset(
            take(self.X, fold.val), label=self.y[fold.val], weight=w_val, params=params, reference=train,
            free_raw_data=True,
        ).construct()  # fmt: skip
        with self._lock:
            self.built += 2
        return train, valid

    @contextlib.contextmanager
    def lend_xgb(self, fold: Any, est: Any) -> Iterator[None]:
        """``est`` (an XGBoost estimator) fits on ``fold``'s binned matrices for the duration.

        The estimator builds its matrices through its ``_create_dmatrix`` (``QuantileDMatrix``
        for the hist method); here that call is answered with the fold's pair, built by the
        estimator's own method the first time and given each later fit's labels, weights and base
        margins (set, or cleared: ``set_base_margin(None)`` leaves the old margin in place)."""
        key = (id(fold), "xgboost", repr((est.max_bin, est.tree_method, est.device, est.booster, est.missing)))
        with self._lock:
            self._folds[id(fold)] = fold
            pool = self._free.setdefault(key, [])
            pair: list[Any] = list(pool.pop()) if pool else [None, None]
        own = type(est)._create_dmatrix

        def create(ref: Any, **kwargs: Any) -> Any:
            i = 0 if ref is None else 1
            if pair[i] is None:
                pair[i] = own(est, ref=ref, **kwargs)
                with self._lock:
                    self.built += 1
                return pair[i]
            matrix = pair[i]
            matrix.set_label(kwargs["label"])
            for name in ("weight", "base_margin"):
                set_float_info(matrix, name, kwargs.get(name))
            return matrix

        try:
            with xgbe.matrices_from(est, create):
                yield
        finally:
            if pair[0] is not None and pair[1] is not None:
                with self._lock:
                    self._free[key].append((pair[0], pair[1]))


def set_float_info(matrix: Any, name: str, value: NDArray[np.float64] | None) -> None:
    """An XGBoost matrix's ``weight`` or ``base_margin`` set, or cleared (``DMatrix.set_base_margin(None)``
    and ``set_weight(None)`` leave the old values in place)."""
    matrix.set_float_info(name, np.empty(0, np.float32) if value is None else value)


def set_init_score(dataset: Any, score: NDArray[np.float64] | None) -> None:
    """``dataset``'s initial score set, or cleared (``Dataset.set_init_score(None)`` leaves a
    constructed Dataset's old score in place)."""
    if score is None:
        dataset.set_field("init_score", None)
        dataset.init_score = None
    else:
        dataset.set_init_score(score)


def lgb_fit(binned: BinnedFolds, fold: Any, est: Any, stop: Any, rounds: int, focal: bool) -> None:
    """Fit the binary LightGBM estimator ``est`` on ``fold``'s binned Datasets, early-stopped on
    ``stop`` (a :class:`._engines.ValidationScore`) with patience ``rounds``, as its ``fit``
    would with the fold's labels and weights (:mod:`._binned`)."""
    import lightgbm as lgb
    from lightgbm.sklearn import _EvalFunctionWrapper

    from .. import _engine_lightgbm as lgbe
    from .._adapter import constant_margin, training_weight
    from .._lgb_native import objective
    from .._model import TrainedModel
    from . import _engines as eng

    y_fit, y_val = binned.y[fold.fit], binned.y[fold.val]
    classes = np.array([0, 1])
    lgbe.start_binary_fit(est)
    init_fit = init_val = None
    loss: Any = None
    init: Any = None
    if focal:
        w_fit = None if binned.w is None else binned.w[fold.fit]
        weight = training_weight(y_fit, w_fit, None)
        loss = _resolve(y_fit, est, weight)
        init = loss.init_score(y_fit, weight)
        init_fit, init_val = constant_margin(loss, init, y_fit.size), constant_margin(loss, init, y_val.size)
        est._bf_objective = objective(loss)
    params = est._process_params("fit")
    metric = params["metric"]
    params["metric"] = [m for m in ([metric] if isinstance(metric, (str, type(None))) else metric) if m is not None]
    evals: dict[str, Any] = {}
    with binned.lend(fold, params) as (train, valid):
        set_init_score(train, init_fit)
        set_init_score(valid, init_val)
        booster = lgb.train(
            params,
            train,
            num_boost_round=est.n_estimators,
            valid_sets=[valid],
            feval=[cast(Any, _EvalFunctionWrapper(stop))],
            callbacks=[eng.LGBEarlyStopping(stop.__name__, rounds), lgb.record_evaluation(evals)],
        )
    lgbe.set_fitted(
        est,
        booster,
        classes,
        n_classes=2,
        objective=est._objective,
        best_iteration=booster.best_iteration,
        best_score=booster.best_score,
        evals_result=evals,
        fitted_with_feature_names=False,
    )
    if focal:
        model = TrainedModel.embed(booster, loss, init)
        est._bf_model = model
        est.loss_, est.init_score_ = loss, model.init_score


def _resolve(y: NDArray[np.intp], est: Any, weight: Any) -> Any:
    """The loss a focal estimator resolves from its labels and training weights."""
    from .._adapter import resolve_loss

    return resolve_loss(y, 2, est.gamma, est.alpha, est.hessian, weight)
