"""The search: folds, the fits each fold needs, running them in parallel, the regularisation choice.

Per outer fold, for every row of the table (a focal ``(gamma, alpha)`` or a baseline) and every
candidate of the regularisation search, one model is fitted on the inner training split and
early-stopped on the inner validation split.  Per (fold, row) the candidate with the best
validation score (the ``scoring`` metric of its recovered posterior) is kept, and only it is
scored on the test fold: the test fold chooses nothing.

The budgeted search (the default; :func:`._race.race_plan`) races a row's candidates to
:data:`RACE_ROUNDS` rounds and trains only the best one to the end; with many focal rows,
successive halving stops all but the best third of them at each rung, marked in the table.

The fits are independent tasks run by :class:`joblib.Parallel`, each with one engine thread, on
threads of this process by default (both engines release the GIL while they build trees, and a
thread costs nothing to start, where a worker process spends seconds importing); an engine asking
for every core in every fit makes the threads fight on a busy machine (DESIGN.md, "Threads under
load").  Inside ``joblib.parallel_config(backend="loky")`` they run in worker processes, inside
``joblib.parallel_config(backend="dask")`` on a Dask cluster.  A fit's result depends only on its
task, never on which worker ran it or when: the same ``random_state`` gives the same table, serial
or parallel, local or on a cluster.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._adapter import resolve_loss
from . import _binned
from . import _engines as eng
from ._inputs import take
from ._metrics import METRICS, Scored, greater_is_better, per_label, test_scores, validation_score
from ._progress import Progress as Progress  # re-exported: callers and tests reach it here

#: Rounds a row's regularisation candidates are raced to before only the best is finished.
RACE_ROUNDS = 50


@dataclass(frozen=True)
class Row:
    """One row of the table: a model family and its focal parameters."""

    kind: str
    gamma: float | None
    alpha: Any


#: Key of a ``scale_pos_weight`` search candidate that is not an engine parameter: the weight is
#: ``(n_neg / n_pos) ** power`` of the inner training split.
SPW_POWER = "scale_pos_weight_power"


def row_candidates(
    row: Row, candidates: list[dict[str, Any]], spw_search: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The candidates one row is fitted with in each fold: the regularisation search, or for the
    ``scale_pos_weight`` row its own search (weight, ``max_delta_step``, regularisation) instead."""
    if row.kind != eng.SPW or not spw_search:
        return candidates
    return spw_search


@dataclass(frozen=True)
class Settings:
    """What every fit shares (picklable: shipped to the workers)."""

    engine: str
    params: dict[str, Any]
    n_estimators: int
    rounds: int | None  # early-stopping patience, None: every round
    stop_name: str  # metric to early-stop on, or "objective"
    scoring_name: str
    scoring_fn: Callable[..., float] | None
    metric_names: tuple[str, ...]
    precision_level: float
    hessian: str
    seed: int
    binary: bool
    categorical: tuple[int, ...] = ()  # LightGBM's categorical_feature for an array of category codes
    multilabel: bool = False  # y is an (n, L) 0/1 matrix: every row is a multilabel focal estimator
    costs: Any = None  # boostfocal.metrics.Costs of the money scores (referee, issue #25)
    alert_budget: Any = None  # alerts a team can check: a count or a share of the rows
    race_rounds: int | None = None  # racing and successive halving from this many rounds; None: full search


@dataclass(frozen=True)
class Fold:
    """Row indices of one outer fold: inner training, inner validation (maybe empty), test."""

    fit: NDArray[np.intp]
    val: NDArray[np.intp]
    test: NDArray[np.intp]


@dataclass
class FitOutcome:
    """What one fit reports back: validation score, test scores, details."""

    fold: int
    row: int
    candidate: int
    val_score: float
    scores: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)
    kept: bool = False  # the candidate kept for its (fold, row): the one scored on the test fold


@contextlib.contextmanager
def _one_numba_thread() -> Iterator[None]:
    """numba's thread pool (used by the compiled kernels) at one thread for the duration of a fit."""
    numba = sys.modules.get("numba")
    if numba is None:
        yield
        return
    try:
        before = numba.get_num_threads()
        numba.set_num_threads(1)
    except Exception:  # pragma: no cover - numba without a threading layer
        yield
        return
    try:
        yield
    finally:
        numba.set_num_threads(before)


@dataclass
class Fitted:
    """One fitted candidate: the model, its score on the inner validation split, whether it is final.

    ``complete``: the model is what a fit with the full ``n_estimators`` gives (it was trained
    with them, or early stopping ended it before its smaller budget)."""

    est: Any
    spw: float
    val_score: float
    fit_time: float
    complete: bool
    best_iteration: int
    extra: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """LightGBM's "Found n_estimators in params" warning ignored.  The warnings filters are one
    global list: only the main thread of a process changes them (:func:`run_all` does so around a
    threaded search), so that threads never restore each other's filters."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_N_ESTIMATORS_WARNING)
        yield


_N_ESTIMATORS_WARNING = ".*[Ff]ound `?n_estimators`? in params.*"


def run_fit(
    settings: Settings,
    row: Row,
    candidate: dict[str, Any],
    fold: Fold,
    X: Any,
    y: NDArray[np.intp],
    w: NDArray[np.float64] | None,
    budget: int | None = None,
    aux: dict[str, NDArray[Any]] | None = None,
    binned: _binned.BinnedFolds | None = None,
) -> Fitted:
    """Fit one candidate of one row on a fold's inner training split with one thread, at most
    ``budget`` rounds (``None``: ``n_estimators``), early-stopped on the inner validation split,
    and read its validation score (:func:`._metrics.validation_score`; ``aux``: the side arrays,
    sliced like the weights).  ``binned``: the folds' binned Datasets, which the LightGBM fits it
    serves (:func:`_binned_fits`) borrow instead of binning their rows again (the same model)."""
    s = settings
    n_rounds = s.n_estimators if budget is None else min(int(budget), s.n_estimators)
    focal_cls, builtin_cls = eng.estimator_classes(s.engine)
    y_fit = y[fold.fit]
    X_val, y_val = take(X, fold.val), y[fold.val]
    w_fit = None if w is None else w[fold.fit]
    w_val = None if w is None else w[fold.val]
    has_val = fold.val.size > 0
    stopping = s.rounds is not None and has_val

    candidate = dict(candidate)
    power = float(candidate.pop(SPW_POWER, 1.0))
    spw = _scale_pos_weight(y_fit, w_fit, power) if s.binary else 1.0

    kw: dict[str, Any] = {"n_estimators": n_rounds, "random_state": s.seed, "n_jobs": 1, **s.params}
    kw.update(candidate)
    # multilabel: every row is the multilabel focal estimator, log-loss too (gamma = 0, alpha = None:
    # the engine's binary log-loss of each label)
    focal = eng.is_focal(row.kind) or s.multilabel
    gamma = 0.0 if row.gamma is None else row.gamma
    extra: dict[str, Any] = {}
    stop = None
    w_stop = w_val
    if s.engine == "xgboost" and stopping:
        kw["early_stopping_rounds"] = int(s.rounds)  # type: ignore[arg-type]
    if stopping and s.stop_name != "objective":
        stop = eng.ValidationScore(
            s.engine,
            s.stop_name,
            greater_is_better(s.stop_name),
            eng.FOCAL if s.multilabel else row.kind,
            s.precision_level,
            s.scoring_fn if s.stop_name == s.scoring_name else None,
            spw,
        )
        if s.engine == "xgboost":
            kw["eval_metric"] = stop
            if not focal:
                kw["disable_default_eval_metric"] = True
        elif not focal:
            kw["metric"] = "None"  # only the validation score is needed
    elif stopping and not focal:
        if s.engine == "xgboost":
            kw["eval_metric"] = "logloss" if s.binary else "mlogloss"
        if row.kind == eng.SPW:  # the objective the model trains on: log-loss weighted like scale_pos_weight
            base = np.ones(y_val.size) if w_val is None else w_val
            w_stop = np.where(y_val == 1, spw * base, base)
    if focal:
        est = focal_cls(gamma=gamma, alpha=row.alpha, hessian=s.hessian, **kw)
    else:
        if row.kind == eng.SPW:
            kw["scale_pos_weight"] = spw
            extra["scale_pos_weight"] = spw
        est = builtin_cls(**kw)
    if stop is not None and s.multilabel:
        # the loss the multilabel estimator resolves (its posterior); LightGBM's per-label boosters
        # are early-stopped on rank metrics of their margins, which need none
        stop.loss = _multilabel_loss(y_fit, gamma, row.alpha, s.hessian, w_fit)
    elif stop is not None and focal:
        # the loss the estimator resolves at the start of fit (alpha="balanced" from these labels and weights)
        classes, y_codes = np.unique(y_fit, return_inverse=True)
        stop.loss = resolve_loss(y_codes, classes.size, gamma, row.alpha, s.hessian, w_fit)
    valid = (X_val, y_val, w_stop) if stopping else None
    t0 = time.perf_counter()
    with _one_numba_thread(), _quiet():
        if binned is not None and _binned_fits(s, stop, X) and w_stop is w_val and s.engine == "lightgbm":
            _binned.lgb_fit(binned, fold, est, stop, int(s.rounds or 0), focal)
        elif binned is not None and _binned_fits(s, stop, X):  # XGBoost: on the fold's binned matrices
            with binned.lend_xgb(fold, est):
                eng.xgb_fit(est, take(X, fold.fit), y_fit, w_fit, valid, stop, int(s.rounds or 0))
        else:  # through the estimator's fit
            (eng.lgb_fit if s.engine == "lightgbm" else eng.xgb_fit)(
                est, take(X, fold.fit), y_fit, w_fit, valid, stop, int(s.rounds or 0), s.categorical
            )
    fit_time = time.perf_counter() - t0

    val_score = _validation(s, row, est, stop, spw, (X_val, y_val, w_val, _aux_take(aux, fold.val)))
    if focal and row.alpha == "balanced":
        extra["alpha"] = est.loss_.alpha
    best = int(eng.best_iteration(est, s.engine, n_rounds))
    # early stopping ran out of patience within the budget: a longer budget stops at the same round
    complete = n_rounds >= s.n_estimators or (stopping and best + int(s.rounds or 0) <= n_rounds)
    return Fitted(est, spw, val_score, fit_time, complete, best, extra)


def _validation(
    settings: Settings, row: Row, est: Any, stop: Any, spw: float, val: tuple[Any, NDArray[np.intp], Any, Any]
) -> float:
    """The validation score of a fitted model on the inner validation split ``val = (X, y,
    weights, side arrays)``; NaN when it is empty."""
    s = settings
    if stop is not None and s.stop_name == s.scoring_name and not (s.multilabel and s.engine == "lightgbm"):
        # early stopping already scored the kept trees on the inner validation split
        return eng.best_validation_score(est, s.engine, stop)
    X_val, y_val, w_val, aux_val = val
    if len(y_val) == 0:
        return float("nan")
    proba_val = eng.predict_proba(est, s.engine, row.kind, X_val, spw)
    return validation_score(s, row, Scored(y_val, proba_val, w_val, aux_val))


def _scale_pos_weight(y: NDArray[np.intp], w: NDArray[np.float64] | None, power: float) -> float:
    """``(n_neg / n_pos) ** power`` of the weighted labels ``y`` (1 without positives)."""
    wf = np.ones(y.size) if w is None else w
    pos = float(np.sum(wf[y == 1]))
    return ((float(np.sum(wf)) - pos) / pos) ** power if pos > 0 else 1.0


def _binned_fits(settings: Settings, stop: Any, X: Any) -> bool:
    """Whether a fit can train on binned folds (:func:`._binned.lgb_fit`, :meth:`._binned.BinnedFolds.lend_xgb`):
    binary, ``X`` a float array without categorical columns, early-stopped on a
    :class:`._engines.ValidationScore`."""
    s = settings
    floats = isinstance(X, np.ndarray) and X.dtype in (np.float32, np.float64)
    return floats and s.binary and not s.multilabel and not s.categorical and isinstance(stop, eng.ValidationScore)


def score_kept(
    settings: Settings,
    row: Row,
    fitted: Fitted,
    fold: Fold,
    X: Any,
    y: NDArray[np.intp],
    w: NDArray[np.float64] | None,
    aux: dict[str, NDArray[Any]] | None,
) -> dict[str, Any]:
    """The test-fold scores of the model kept for a (fold, row) (:func:`._metrics.test_scores`),
    its number of trees, and for multilabel targets the per-label scores under ``"per_label"``."""
    s, est = settings, fitted.est
    val = None
    if fold.val.size > 0:
        proba_val = eng.predict_proba(est, s.engine, row.kind, take(X, fold.val), fitted.spw)
        val = Scored(y[fold.val], proba_val, None if w is None else w[fold.val], _aux_take(aux, fold.val))
    w_test = None if w is None else w[fold.test]
    proba = eng.predict_proba(est, s.engine, row.kind, take(X, fold.test), fitted.spw)
    y_test = y[fold.test]
    scores: dict[str, Any] = dict(test_scores(s, row, val, Scored(y_test, proba, w_test, _aux_take(aux, fold.test))))
    if s.multilabel:
        scores["per_label"] = {m: per_label(m, y_test, proba, s.precision_level, w_test) for m in METRICS}
    scores["best_iteration"] = float(eng.best_iteration(est, s.engine, s.n_estimators))
    return scores


def _aux_take(aux: dict[str, NDArray[Any]] | None, idx: NDArray[np.intp]) -> dict[str, NDArray[Any]] | None:
    """The side arrays of the rows ``idx`` (sliced like the weights)."""
    return None if aux is None else {k: np.asarray(a)[idx] for k, a in aux.items()}


def _multilabel_loss(Y: NDArray[np.intp], gamma: float, alpha: Any, hessian: str, w: Any) -> Any:
    """The :class:`~boostfocal.MultilabelFocalLoss` a multilabel estimator trains with on ``Y``
    (``alpha="balanced"``: :func:`boostfocal.balanced_alpha` per label, with the weights, resolved
    where the estimators resolve it: ``boostfocal.losses.focal_loss_for``)."""
    from ..losses import IndependentOutputs, focal_loss_for

    kind = IndependentOutputs(Y.shape[1])
    return focal_loss_for(kind, gamma=gamma, alpha=alpha, hessian=hessian, y=Y, sample_weight=w)
