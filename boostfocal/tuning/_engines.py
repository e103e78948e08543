"""The engines as the tuner drives them: estimator classes, parameter checks, one fit, early stopping.

Nothing here decides what to fit; :mod:`._search` does.  The engines are imported on demand.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import inspect
import math
import numbers
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..losses import prior_shift
from ._metrics import RANK_METRICS, score

ENGINES = ("lightgbm", "xgboost")
DEFAULT_LEARNING_RATE = 0.1

#: Kinds of row in the result table.
FOCAL, LOGLOSS, BALANCED, SPW = "focal", "log-loss", "balanced CE", "scale_pos_weight"
BASELINES = (LOGLOSS, BALANCED, SPW)


def is_focal(kind: str) -> bool:
    """Whether rows of ``kind`` train with the focal loss (balanced CE is focal with ``gamma = 0``)."""
    return kind in (FOCAL, BALANCED)


# Engine parameters tune() sets itself, each with what to use instead.  LightGBM aliases of these
# names are refused too (looked up in LightGBM's own alias table).
_RESERVED: dict[str, str] = {
    "objective": "the tuner chooses each row's objective",
    "n_estimators": "use the n_estimators argument",
    "num_iterations": "use the n_estimators argument",
    "num_boost_round": "use the n_estimators argument",
    "early_stopping_rounds": "use the early_stopping_rounds argument",
    "early_stopping_round": "use the early_stopping_rounds argument",
    "eval_metric": "use the early_stopping_metric argument",
    "metric": "use the early_stopping_metric argument",
    "scale_pos_weight": "it is one of the baselines",
    "is_unbalance": "the baselines cover class weighting",
    "class_weight": "the baselines cover class weighting",
    "gamma": "use the gammas argument (XGBoost's minimum split loss is min_split_loss)",
    "alpha": "use the alphas argument (XGBoost's L1 penalty is reg_alpha)",
    "hessian": "use the hessian argument",
    "probability": "the tuner scores the recovered posterior",
    "random_state": "use the random_state argument",
    "seed": "use the random_state argument",
    "n_jobs": "use the n_jobs argument (fits run in parallel, one thread each)",
    "num_threads": "use the n_jobs argument (fits run in parallel, one thread each)",
    "nthread": "use the n_jobs argument (fits run in parallel, one thread each)",
    "sample_weight": "use the sample_weight argument",
    "weight": "use the sample_weight argument",
    "init_score": "the focal rows start from their optimal constant",
    "base_margin": "the focal rows start from their optimal constant",
    "eval_set": "the tuner makes the inner validation split",
    "categorical_feature": "use the categorical_features argument",
    "categorical_features": "use the categorical_features argument",
    "enable_categorical": "use the categorical_features argument (set automatically)",
    "feature_types": "use the categorical_features argument",
    "callbacks": "the tuner sets its own early stopping",
    "num_class": "the number of classes comes from y",
    "importance_type": "not used by the tuner",
}


def estimator_classes(engine: str) -> tuple[type, type]:
    """``(focal estimator class, built-in estimator class)`` of ``engine``, imported on demand."""
    try:
        if engine == "lightgbm":
            import lightgbm

            from ..lightgbm import FocalLGBMClassifier

            return FocalLGBMClassifier, lightgbm.LGBMClassifier
        import xgboost

        from ..xgboost import FocalXGBClassifier

        return FocalXGBClassifier, xgboost.XGBClassifier
    except ImportError as exc:
        raise ImportError(f"engine={engine!r} needs the {engine} package: pip install boostfocal[{engine}]") from exc


def engine_version(engine: str) -> str:
    try:
        module = __import__(engine)
        return str(getattr(module, "__version__", "?"))
    except ImportError:  # pragma: no cover
        return "not installed"


# --------------------------------------------------------------------------------------
# Parameter checks
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _lightgbm_names() -> tuple[set[str], dict[str, str]]:
    """Every LightGBM parameter name and alias, and alias -> canonical name (LightGBM's own table)."""
    import lightgbm

    known = set(lightgbm.LGBMClassifier().get_params())
    canonical: dict[str, str] = {}
    try:
        table = lightgbm.basic._ConfigAliases._get_all_param_aliases()
    except AttributeError:  # pragma: no cover - a LightGBM without the table: accept any name
        return set(), {}
    for name, aliases in table.items():
        for alias in [name, *aliases]:
            known.add(alias)
            canonical[alias] = name
    return known, canonical


def _reserved_reason(engine: str, key: str, canonical: Mapping[str, str]) -> str | None:
    if key in _RESERVED:
        return _RESERVED[key]
    if engine == "lightgbm":
        name = canonical.get(key)
        for reserved in (name, *(a for a, c in canonical.items() if c == name)):
            if reserved in _RESERVED:
                return _RESERVED[reserved]
    if engine == "xgboost" and key in ("eta",):
        return None
    return None


_LEARNING_RATE_NAMES = ("learning_rate", "eta", "shrinkage_rate")
_XGB_ALIASES = {"lambda": "reg_lambda", "eta": "learning_rate", "min_split_loss": "gamma"}


def canonical_name(engine: str, key: str) -> str:
    """The name ``key`` stands for (LightGBM: its alias table, e.g. ``min_sum_hessian_in_leaf`` is
    ``min_child_weight``; XGBoost: ``lambda`` is ``reg_lambda``), in the scikit-learn spelling."""
    if engine == "xgboost":
        return _XGB_ALIASES.get(key, key)
    _, canonical = _lightgbm_names()
    name = canonical.get(key, key)
    sklearn_names = {"min_sum_hessian_in_leaf": "min_child_weight", "lambda_l2": "reg_lambda", "lambda_l1": "reg_alpha"}
    return sklearn_names.get(name, name)


_PROBE_CACHE: dict[tuple[str, str], None] = {}


def check_params(engine: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check engine parameters for :func:`boostfocal.tune` before any fit; return the ones it will use.

    Raises ``ValueError`` (or ``TypeError``) naming the parameter when ``params`` holds

    - a name the engine does not know (LightGBM: not in its parameter/alias table; XGBoost: a
      parameter its training reports as unused), with the closest known names;
    - a key the tuner sets itself (``objective``, ``n_estimators``, ``scale_pos_weight``,
      ``random_state``, thread counts, ...) or one that a fit would swallow (``sample_weight``,
      ``eval_set``, ...), with the argument of :func:`tune` to use instead;
    - a non-finite number, a learning rate ``<= 0``, or any value the engine itself rejects (each
      set is tried on a 40-row fit of one tree, which runs in milliseconds).

    The result is ``params`` with the tuner's defaults added: ``learning_rate=0.1`` and, for
    LightGBM, ``verbose=-1``.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    params = dict(params or {})
    for key in params:
        if not isinstance(key, str):
            raise TypeError(f"engine parameter names must be strings, got {key!r}")
    known: set[str] = set()
    canonical: dict[str, str] = {}
    if engine == "lightgbm":
        estimator_classes(engine)
        known, canonical = _lightgbm_names()
    for key, value in params.items():
        reason = _reserved_reason(engine, key, canonical)
        if reason is not None:
            raise ValueError(f"engine parameter {key!r} is set by tune() itself: {reason}")
        if known and key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ValueError(f"unknown LightGBM parameter {key!r}{hint}")
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)):
            if not math.isfinite(float(value)):
                raise ValueError(f"engine parameter {key}={value!r} must be a finite number")
        if key in _LEARNING_RATE_NAMES or canonical.get(key) == "learning_rate":
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) > 0:
                raise ValueError(f"engine parameter {key}={value!r}: the learning rate must be a number > 0")
    out: dict[str, Any] = {"learning_rate": DEFAULT_LEARNING_RATE}
    if engine == "lightgbm":
        out["verbose"] = -1
    if any(k in params for k in (*_LEARNING_RATE_NAMES, *(a for a, c in canonical.items() if c == "learning_rate"))):
        del out["learning_rate"]
    out.update(params)
    _probe(engine, out)
    return out


def _probe(engine: str, params: dict[str, Any]) -> None:
    """Fit the built-in estimator with ``params`` on 40 rows, one tree: the engine checks the values."""
    key = (engine, repr(sorted(params.items(), key=lambda kv: kv[0])))
    if key in _PROBE_CACHE:
        return
    _, builtin_cls = estimator_classes(engine)
    rng = np.random.default_rng(0)
    X = rng.random((40, 2))
    y = np.r_[np.zeros(20), np.ones(20)]
    try:
        with warnings.catch_warnings(record=True) as caught, _native_stderr_silenced():
            warnings.simplefilter("always")
            builtin_cls(n_estimators=1, n_jobs=1, **params).fit(X, y)
    except TypeError as exc:
        raise TypeError(f"engine parameters {params}: {_first_line(exc)}") from None
    except Exception as exc:  # LightGBMError / XGBoostError: the engine's own check
        raise ValueError(f"engine parameter rejected by {engine}: {_first_line(exc)}") from None
    for w in caught:
        text = str(w.message)
        if "are not used" in text:  # XGBoost: Parameters: { "foo" } are not used.
            names = text[text.find("{") + 1 : text.find("}")].replace('"', "").strip()
            raise ValueError(f"unknown XGBoost parameter {names}")
    _PROBE_CACHE[key] = None


def _first_line(exc: BaseException) -> str:
    """The first line of an engine's message, without LightGBM's source location."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return re.sub(r"\s+at \S+, line \d+\s*\.?$", "", line)


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """File descriptor 2 sent to /dev/null: LightGBM prints ``[LightGBM] [Fatal] ...`` there itself
    before raising, and the probe's error is reported once, by the ValueError."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced stderr (pytest capture, notebooks)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


# --------------------------------------------------------------------------------------
# One fit
# --------------------------------------------------------------------------------------


def to_proba(pred: Any, kind: str, loss: Any, spw: float) -> NDArray[np.float64]:
    """Class probabilities ``(n, K)`` from what an engine hands an eval metric during training.

    Focal models hand over raw margins (including the initial score): their posterior is
    ``loss.posterior`` (``loss``: the one the focal estimator trains with).  The built-in
    objectives hand over probabilities; for ``scale_pos_weight`` the weighting is undone by
    ``logit P = logit p - log(spw)``.
    """
    arr = np.asarray(pred, dtype=np.float64)
    if is_focal(kind):
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        p = loss.posterior(arr)
    elif kind == SPW:
        p = prior_shift(arr, spw, proba=True)
    else:
        p = arr
    return np.column_stack([1.0 - p, p]) if p.ndim == 1 else p


class ValidationScore:
    """Eval metric for early stopping: a tuner metric of the recovered probabilities.

    Every model is early-stopped by the same criterion, read off its recovered class posterior on
    the inner validation split (weighted by the sample weights when there are some).  A small
    class (not a closure) so that estimators stay picklable.  LightGBM calls it
    ``(y, pred, weight, group)`` and gets ``(name, value, is_higher_better)``; XGBoost calls it
    ``(y, pred[, sample_weight=w])`` and gets a value to minimise.
    """

    def __init__(
        self,
        engine: str,
        metric: str,
        greater_is_better: bool,
        kind: str,
        precision_level: float,
        scoring_fn: Callable[..., float] | None = None,
        spw: float = 1.0,
    ) -> None:
        self.engine = engine
        self.metric = metric
        self.greater_is_better = greater_is_better
        self.kind = kind
        self.precision_level = precision_level
        self.scoring_fn = scoring_fn
        self.spw = spw
        self.loss: Any = None  # the loss a focal estimator trains with: its posterior

    @property
    def __name__(self) -> str:  # XGBoost names a callable metric by its __name__
        return f"valid_{self.metric}"

    def __call__(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None, group: Any = None
    ) -> tuple[str, float, bool] | float:
        y = np.asarray(y_true).astype(np.intp)
        pred = np.asarray(y_pred, dtype=np.float64)
        if pred.ndim == 2 and pred.shape[1] > 1 and y.size == pred.size and y.shape != pred.shape:
            # a multilabel model (one model of all labels: XGBoost): labels as the (n, L) matrix
            if self.loss is not None and getattr(self.loss, "is_multilabel", False):
                y = y.reshape(pred.shape)
        w = None if sample_weight is None or np.size(sample_weight) == 0 else np.asarray(sample_weight, np.float64)
        if self.metric in RANK_METRICS and (pred.ndim == 1 or pred.shape[1] == 1):
            # binary: the recovered posterior is increasing in the margin, so ranks need no recovery
            s = pred.reshape(-1)
            proba = np.column_stack([-s, s])
        else:
            proba = to_proba(pred, self.kind, self.loss, self.spw)
        value = score(self.metric, y, proba, self.precision_level, self.scoring_fn, w)
        if math.isnan(value):
            value = -np.inf if self.greater_is_better else np.inf
        if self.engine == "lightgbm":
            return self.__name__, value, self.greater_is_better
        return -value if self.greater_is_better else value


class LGBEarlyStopping:
    """LightGBM callback: stop when the metric ``name`` has not improved for ``rounds`` rounds.

    (``lightgbm.early_stopping`` watches the first or every metric; the focal estimators always
    report their own loss first.)  Keeps the best iteration when training runs to the end, too.
    """

    order = 30

    def __init__(self, name: str, rounds: int) -> None:
        self.name = name
        self.rounds = rounds
        self.best_iter = -1
        self.best_value = 0.0
        self.best_list: Any = None

    def __call__(self, env: Any) -> None:
        import lightgbm as lgb

        item = next(r for r in env.evaluation_result_list if r[1] == self.name)
        value, higher = float(item[2]), bool(item[3])
        if env.iteration == env.begin_iteration:
            self.best_iter, self.best_value, self.best_list = -1, 0.0, None
        if self.best_iter < 0 or (value > self.best_value if higher else value < self.best_value):
            self.best_iter, self.best_value, self.best_list = env.iteration, value, env.evaluation_result_list
        elif env.iteration - self.best_iter >= self.rounds:
            raise lgb.callback.EarlyStopException(self.best_iter, self.best_list)
        if env.iteration == env.end_iteration - 1:
            raise lgb.callback.EarlyStopException(self.best_iter, self.best_list)


@functools.lru_cache(maxsize=1)
def _has_eval_xy() -> bool:
    import lightgbm as lgb

    return "eval_X" in inspect.signature(lgb.LGBMClassifier.fit).parameters


def lgb_fit(
    est: Any,
    X: Any,
    y: Any,
    w: Any,
    valid: tuple[Any, Any, Any] | None,
    stop: Any,
    rounds: int,
    categorical: tuple[int, ...] = (),
) -> None:
    """Fit a LightGBM estimator with weights ``w``, early-stopping on ``valid = (X, y, weight)`` when given.

    ``stop`` is a :class:`ValidationScore` to stop on, or ``None`` to stop on the model's own
    objective (its first metric); ``rounds`` is the patience; ``categorical``: indices of the
    columns of an array that hold category codes.
    """
    import lightgbm as lgb

    kwargs: dict[str, Any] = {"categorical_feature": list(categorical)} if categorical else {}
    if w is not None:
        kwargs["sample_weight"] = w
    if valid is not None:
        Xv, yv, wv = valid
        if _has_eval_xy():  # LightGBM >= 4.7
            kwargs.update(eval_X=(Xv,), eval_y=(yv,))
        else:  # pragma: no cover - older LightGBM
            kwargs["eval_set"] = [(Xv, yv)]
        if wv is not None:
            kwargs["eval_sample_weight"] = [wv]
        if isinstance(stop, ValidationScore):
            kwargs["eval_metric"] = [stop]
            if hasattr(est, "_bf_loss_metric"):  # a focal estimator's own loss: unused, computed every round
                est._bf_loss_metric = False
            kwargs["callbacks"] = [LGBEarlyStopping(stop.__name__, rounds)]
        else:
            kwargs["callbacks"] = [lgb.early_stopping(rounds, first_metric_only=True, verbose=False)]
    est.fit(X, y, **kwargs)


def xgb_fit(
    est: Any,
    X: Any,
    y: Any,
    w: Any,
    valid: tuple[Any, Any, Any] | None,
    stop: Any,
    rounds: int,
    categorical: tuple[int, ...] = (),
) -> None:
    """Fit an XGBoost estimator (``early_stopping_rounds`` and ``eval_metric`` are set on it;
    categorical columns through its ``feature_types``, so ``categorical`` is unused)."""
    kwargs: dict[str, Any] = {"verbose": False}
    if w is not None:
        kwargs["sample_weight"] = w
    if valid is not None:
        Xv, yv, wv = valid
        kwargs["eval_set"] = [(Xv, yv)]
        if wv is not None:
            kwargs["sample_weight_eval_set"] = [wv]
    est.fit(X, y, **kwargs)


def best_iteration(est: Any, engine: str, n_estimators: int) -> float:
    """Trees the fitted model predicts with (after early stopping); a LightGBM multilabel model
    (one booster per label): the mean over its labels."""
    if engine == "lightgbm":
        best = getattr(getattr(est, "booster_", None), "best_iterations", None)  # multilabel: per label
        best = getattr(est, "best_iteration_", None) if best is None else best
        if isinstance(best, (list, tuple)):  # multilabel: one booster per label, each stopped on its own
            return float(np.mean([int(b) if b else n_estimators for b in best]))
        return int(best) if best else int(getattr(est, "n_estimators_", n_estimators))
    try:
        best = est.best_iteration
    except AttributeError:
        best = None
    return int(best) + 1 if best is not None else n_estimators


def best_validation_score(est: Any, engine: str, stop: ValidationScore) -> float:
    """The early-stopping score of the kept trees on the inner validation split (as the metric reads)."""
    if engine == "lightgbm":
        value = float(est.best_score_["valid_0"][stop.__name__])
    else:
        value = float(est.best_score)
        value = -value if stop.greater_is_better else value
    return value if math.isfinite(value) else float("nan")


def margin(est: Any, engine: str, X: Any) -> NDArray[np.float64]:
    if engine == "lightgbm":
        return np.asarray(est.predict(X, raw_score=True), dtype=np.float64)
    return np.asarray(est.predict(X, output_margin=True), dtype=np.float64)


def predict_proba(est: Any, engine: str, kind: str, X: Any, spw: float) -> NDArray[np.float64]:
    """Class probabilities ``(n, K)`` of a fitted model: the recovered posterior of a focal one,
    the prior-shift-corrected ``sigmoid(margin - log spw)`` of the ``scale_pos_weight`` baseline."""
    if kind == SPW:
        p1 = prior_shift(margin(est, engine, X), spw)
        return np.column_stack([1.0 - p1, p1])
    return np.asarray(est.predict_proba(X), dtype=np.float64)
