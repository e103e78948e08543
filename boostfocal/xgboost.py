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
    bfx.embed_init_score(booster, loss, z0)               # the booster's intercept is now z0
    proba = bfx.predict_proba(booster, X_test, loss)

A ``base_margin`` replaces ``base_score``; ``xgb.train(obj=...)`` otherwise starts from margin 0.5.
:func:`embed_init_score` makes ``z0`` the booster's own intercept, so that every reader of the
booster (its ``predict``, ``pred_contribs``, SHAP, its model file) sees the full margin;
:class:`FocalXGBClassifier` does so at the end of ``fit``.  Custom objectives receive float32
margins; sample weights are read from the DMatrix.
"""

from __future__ import annotations

import ctypes
import json
from typing import Any

import numpy as np
import xgboost as xgb
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import _num_samples, check_is_fitted

from ._adapter import (
    XGB_CARRIED_ATTR,
    _LossAdapter,
    carried_state,
    check_booster_loss,
    check_engine_metrics,
    check_loss,
    check_multilabel_target,
    constant_margin,
    decision_function_of,
    eval_margins,
    fit_or_restore,
    init_row,
    init_to_add,
    is_vector,
    margins_to_proba,
    metric_names,
    predict_label_of,
    predict_proba_of,
    prepare_fit,
    start_booster,
)
from .losses import IndependentOutputs, Loss

__all__ = ["FocalXGBClassifier", "dmatrix", "embed_init_score", "metric", "objective", "predict_proba", "predict_raw"]


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
        return self.loss.kind.kernel == "multiclass_grad_hess"

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


#: Objectives whose ``base_score`` is a probability (XGBoost stores ``logit(base_score)`` as the margin).
_LOGISTIC = ("binary:logistic", "reg:logistic", "binary:logitraw")
#: Objectives whose ``base_score`` is the margin itself.
_IDENTITY = ("reg:squarederror", "multi:softprob", "multi:softmax")


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
    attribute ``"boostfocal_init_score"`` records the exact value (``boostfocal._adapter.
    carried_init_score``), so :func:`predict_proba` needs no ``init_score`` and adds nothing twice.
    A second call with the same value changes nothing; with another value it raises ``ValueError``.
    """
    check_loss(loss)
    if not isinstance(booster, xgb.Booster):
        raise TypeError(f"booster must be an xgb.Booster, got {type(booster).__name__}")
    _check_multilabel(loss)
    check_booster_loss(loss, "xgboost", booster)
    if init_to_add(booster, init_score) is None:
        return booster
    try:
        row = init_row(loss, init_score)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"init_score: {exc}") from None
    if not np.all(np.isfinite(row)):
        raise ValueError(f"init_score must be finite, got {init_score!r}")
    _set_intercept(booster, loss, row)
    return booster


def _set_intercept(booster: xgb.Booster, loss: Loss, row: NDArray[np.float64], leaves: float | Any = 0.0) -> None:
    """Set ``booster``'s intercept so that its margin is ``row + trees``; ``leaves``: what its
    first trees already carry (a booster continued from one whose leaves carry it)."""
    name = json.loads(booster.save_config())["learner"]["objective"]["name"]
    value: Any = [float(v) for v in row] if is_vector(loss) else float(row[0])
    where = "base_score"
    if loss.is_multilabel:  # XGBoost >= 3.1 (checked before training): one intercept per label
        if name not in _LOGISTIC + _IDENTITY:
            raise ValueError(f"the booster's objective {name!r} is not one boostfocal trains with")
        if np.any(leaves):
            raise ValueError("a multilabel booster carries its initial score in base_score, not in its leaves")
        vector = 1.0 / (1.0 + np.exp(-row)) if name in _LOGISTIC else row
        if name in _LOGISTIC and not np.all((np.float32(vector) > 0.0) & (np.float32(vector) < 1.0)):
            raise ValueError(f"init_score={row.tolist()!r} is beyond what XGBoost's float32 base_score can hold")
        booster.set_param({"base_score": "[" + ",".join(repr(float(v)) for v in vector) + "]"})
        booster.num_features()
    elif np.any(leaves):  # the first trees carry it already: keep it there, no intercept
        booster.set_param({"base_score": 0.5 if name in _LOGISTIC else 0.0})
        where = "leaves"
    elif not loss.is_multiclass:
        if name in _LOGISTIC:
            p = 1.0 / (1.0 + np.exp(-row[0]))
            if not 0.0 < np.float32(p) < 1.0:
                raise ValueError(f"init_score={row[0]!r} is beyond what XGBoost's float32 base_score can hold")
            booster.set_param({"base_score": float(p)})
        elif name in _IDENTITY:
            booster.set_param({"base_score": float(row[0])})
        else:
            raise ValueError(f"the booster's objective {name!r} is not one boostfocal trains with")
    else:
        if name not in _IDENTITY:
            raise ValueError(f"the booster's objective {name!r} is not one boostfocal trains with")
        try:  # XGBoost >= 3.1: a vector intercept
            booster.set_param({"base_score": "[" + ",".join(repr(float(v)) for v in row) + "]"})
            booster.num_features()  # XGBoost < 3.1 refuses a vector only when it next configures
        except xgb.core.XGBoostError:
            booster.set_param({"base_score": 0.0})
            _shift_first_trees(booster, row)
            where = "leaves"
    booster.set_attr(**{XGB_CARRIED_ATTR: json.dumps({"init_score": value, "in": where})})


def _shift_first_trees(booster: xgb.Booster, row: NDArray[np.float64]) -> None:
    """Add ``row[k]`` to every node weight of the first iteration's tree of class ``k`` (through the
    model's JSON, reloaded in place)."""
    model = json.loads(bytes(booster.save_raw(raw_format="json")))
    gbm = model["learner"]["gradient_booster"]
    trees = gbm["model"]["trees"] if "model" in gbm else gbm["gbtree"]["model"]["trees"]
    info = gbm["model"]["tree_info"] if "model" in gbm else gbm["gbtree"]["model"]["tree_info"]
    done = set()
    for tree, group in zip(trees, info, strict=True):
        if group in done:
            continue
        done.add(group)
        shift = float(row[group])
        left = tree["left_children"]
        tree["base_weights"] = [w + shift for w in tree["base_weights"]]
        tree["split_conditions"] = [c + shift if left[i] == -1 else c for i, c in enumerate(tree["split_conditions"])]
        if len(done) == row.shape[0]:
            break
    booster.load_model(bytearray(json.dumps(model).encode()))


def _engine_margin(booster: xgb.Booster, margin: Any) -> Any:
    """The ``base_margin`` that makes ``booster`` predict ``margin + trees``: ``margin`` itself (a
    ``base_margin`` replaces ``base_score``), less what the first trees carry when their leaves
    hold the initial score (XGBoost < 3.1, multiclass)."""
    state = carried_state(booster)
    if state is not None and state["in"] == "leaves" and np.any(state["init_score"]):
        return np.asarray(margin, dtype=np.float64) - state["init_score"]
    return margin


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
    value = init_to_add(booster, init_score)
    if value is None:
        value = carried_state(booster)["init_score"]  # type: ignore[index]
    own = not isinstance(X, xgb.DMatrix)
    dm = xgb.DMatrix(X) if own else X
    saved = None if own else dm.get_base_margin()
    dm.set_base_margin(_engine_margin(booster, constant_margin(loss, value, dm.num_row())))
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

    **Multilabel** (XGBoost >= 3.1): ``fit`` on a 2-D 0/1 ``y`` of ``L >= 2`` columns trains
    :class:`~boostfocal.MultilabelFocalLoss` (``loss_``) as one model: ``multi_strategy=
    "multi_output_tree"`` grows trees with vector leaves, ``"one_output_per_tree"`` (XGBoost's
    default) one tree per label and round; the booster's intercept is the ``(L,)`` initial score.
    ``alpha``: one float, ``L`` floats or ``"balanced"`` (per label, with ``sample_weight``).
    ``predict`` returns the ``(n, L)`` 0/1 indicator matrix (posterior > 1/2), ``predict_proba``
    the ``(n, L)`` posteriors as one array (as ``OneVsRestClassifier`` and ``MLPClassifier`` do; not
    the list of ``L`` ``(n, 2)`` arrays of scikit-learn's multi-output forests),
    ``decision_function`` their log-odds; ``classes_`` is ``0..L-1`` (``n_classes_`` is 2, as
    ``XGBClassifier`` sets it).  XGBoost has no contributions for vector-leaf trees.

    Labels may be any values (``classes_``); ``fit`` sets ``base_margin`` to ``init_score_``
    unless one is given, and makes it the booster's intercept afterwards (:func:`embed_init_score`),
    so that ``get_booster()``, SHAP and the model file give the full margin.  The predict methods
    pass ``init_score_`` (or the caller's ``base_margin``) as the ``base_margin``, exactly as in
    ``fit``.

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
            tags.classifier_tags.multi_label = VECTOR_INTERCEPT  # a 2-D 0/1 y: one label per column
        tags.target_tags.multi_output = VECTOR_INTERCEPT
        return tags

    def _more_tags(self) -> dict[str, Any]:  # the tags of scikit-learn < 1.6
        return {**super()._more_tags(), "multilabel": VECTOR_INTERCEPT, "multioutput": VECTOR_INTERCEPT}

    @property
    def classes_(self) -> NDArray[Any]:  # type: ignore[override]
        """The class labels seen in ``fit``, in the order of ``predict_proba``'s columns
        (multilabel: ``0..L-1``, the label columns, as ``OneVsRestClassifier`` and
        ``MLPClassifier`` set it)."""
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
        xgb_model: Any = None,
        **kwargs: Any,
    ) -> FocalXGBClassifier:
        """Fit with the focal objective; arguments as ``XGBClassifier.fit``.

        After training the booster's intercept is ``init_score_`` (:func:`embed_init_score`).
        ``xgb_model`` (a booster, a fitted estimator or a model file) continues its training from
        its own margins, with the initial score it carries.  A caller's ``base_margin`` replaces
        the initial score (``init_score_`` is then 0), as in XGBoost; pass it to the predict methods
        too.  A fit that raises leaves the estimator as it was.
        """
        if self.objective not in (None, "binary:logistic"):
            raise ValueError("objective is set by FocalXGBClassifier itself; leave it unset")
        with fit_or_restore(self):
            self._fit(X, y, sample_weight, base_margin, eval_set, sample_weight_eval_set, base_margin_eval_set,
                      xgb_model, kwargs)  # fmt: skip
        return self

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        base_margin: Any,
        eval_set: Any,
        sample_weight_eval_set: Any,
        base_margin_eval_set: Any,
        xgb_model: Any,
        kwargs: dict[str, Any],
    ) -> None:
        le, y_enc, loss, init = prepare_fit(
            self, X, y, sample_weight, margin_given=base_margin is not None, check=self._check_fit_loss
        )
        start = start_booster(xgb_model, "xgb_model")
        carried = carried_state(start) if isinstance(start, xgb.Booster) else None
        leaves: Any = 0.0
        if start is not None and carried is not None and base_margin is None:
            init = carried["init_score"]
            leaves = init if carried["in"] == "leaves" else 0.0
        if base_margin is None:
            base_margin = constant_margin(loss, init, y_enc.shape[0]) - leaves
            if eval_set is not None and base_margin_eval_set is None:
                base_margin_eval_set = [m - leaves for m in eval_margins(loss, init, eval_set)]  # type: ignore[union-attr]
        if eval_set is not None and le is None:
            eval_set = [(vx, check_multilabel_target(vy, loss.num_outputs, "eval_set y")) for vx, vy in eval_set]
        elif eval_set is not None:
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
                xgb_model=start,
                **kwargs,
            )
        finally:
            self.objective, self.eval_metric = saved
            self._bf_in_fit = False
        booster = self.get_booster()
        booster.set_attr(**{XGB_CARRIED_ATTR: None})
        _set_intercept(booster, loss, init_row(loss, init), leaves)
        self.loss_, self.init_score_ = loss, init
        self._bf_classes = np.arange(loss.num_outputs) if le is None else le.classes_

    def _margin(self, X: Any, base_margin: Any) -> Any:
        """The ``base_margin`` XGBoost gets to predict ``X``: the caller's (it replaces the initial
        score, as in XGBoost) or ``init_score_`` on every row, as in ``fit``."""
        check_is_fitted(self, "loss_")
        if base_margin is None:
            n = X.num_row() if isinstance(X, xgb.DMatrix) else _num_samples(X)
            base_margin = constant_margin(self.loss_, self.init_score_, n)
        return _engine_margin(self.get_booster(), base_margin)

    def predict_raw(self, X: Any, base_margin: Any = None, **kwargs: Any) -> NDArray[np.float64]:
        """Raw margins including ``init_score_`` (or the caller's ``base_margin`` instead, as in
        ``fit``); uses ``best_iteration`` after early stopping."""
        margin = self._margin(X, base_margin)
        raw = xgb.XGBModel.predict(self, X, output_margin=True, base_margin=margin, **kwargs)
        return np.asarray(raw, dtype=np.float64)

    def predict_proba(self, X: Any, base_margin: Any = None, **kwargs: Any) -> NDArray[np.float64]:  # type: ignore[override]
        """Class probabilities ``(n, n_classes)`` (the recovered posterior unless ``probability="link"``);
        multilabel: ``(n, L)``, the probability of each label."""
        return predict_proba_of(self, X, base_margin=base_margin, **kwargs)

    def _check_fit_loss(self, loss: Loss) -> None:
        _check_multilabel(loss)
        self._check_metrics(loss)

    def _check_metrics(self, loss: Loss) -> None:
        """Refuse built-in ``eval_metric`` names XGBoost would compute on sigmoid/softmax of focal margins."""
        names = metric_names(self.eval_metric)
        check_engine_metrics(loss, names, rank_metrics=RANK_METRICS, param="eval_metric", engine="XGBoost")

    def decision_function(self, X: Any, base_margin: Any = None, **kwargs: Any) -> NDArray[np.float64]:
        """Scores whose sign (binary, ``(n,)``) or arg-max (multiclass, ``(n, K)``) is
        :meth:`predict`'s class, computed from the full margin (``init_score_`` included).

        ``probability="posterior"``: the log-odds ``log(P1/P0)`` (binary) or the log-probabilities
        (multiclass) of the recovered posterior, :meth:`boostfocal.BinaryFocalLoss.posterior_logit`
        (with class weights ``alpha`` the posterior's 1/2 point is not at margin 0).
        ``probability="link"``: the raw margins, as :meth:`predict_raw`.
        """
        return decision_function_of(self, X, base_margin=base_margin, **kwargs)

    def predict(  # type: ignore[override]
        self,
        X: Any,
        output_margin: bool = False,
        validate_features: bool = True,
        base_margin: Any = None,
        iteration_range: Any = None,
        *,
        pred_contribs: bool = False,
    ) -> NDArray[Any]:
        """Predicted class labels (the most probable class under ``predict_proba``).

        ``output_margin=True``: raw margins including ``init_score_`` (:meth:`predict_raw`).
        ``pred_contribs=True``: SHAP contributions (``Booster.predict(..., pred_contribs=True)``),
        ``(n, n_features + 1)`` binary or ``(n, K, n_features + 1)`` multiclass, whose last column
        (the bias) includes ``init_score_``: each row sums to :meth:`predict_raw` (float32).
        ``base_margin`` replaces ``init_score_`` in all of them, as in ``fit``.
        """
        kwargs = {"validate_features": validate_features, "iteration_range": iteration_range}
        if pred_contribs:
            return self._contributions(X, base_margin, **kwargs)
        if output_margin:
            return self.predict_raw(X, base_margin=base_margin, **kwargs)
        return predict_label_of(self, X, base_margin=base_margin, **kwargs)

    def _contributions(self, X: Any, base_margin: Any, validate_features: bool, iteration_range: Any) -> Any:
        margin = self._margin(X, base_margin)
        if isinstance(X, xgb.DMatrix):
            saved = X.get_base_margin()
            X.set_base_margin(margin)
            data = X
        else:
            saved = None
            data = xgb.DMatrix(
                X,
                base_margin=margin,
                missing=self.missing,
                nthread=self.n_jobs,
                feature_types=self.feature_types,
                enable_categorical=self.enable_categorical,
            )
        try:
            return self.get_booster().predict(  # type: ignore[no-any-return]
                data,
                pred_contribs=True,
                validate_features=validate_features,
                iteration_range=self._get_iteration_range(iteration_range),
            )
        finally:
            if saved is not None:
                X.set_base_margin(saved if saved.size else np.zeros(0))

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

    # --- the estimator's own part of a model file (boostfocal.persistence holds the container) ---

    def _bf_booster(self) -> xgb.Booster:
        return self.get_booster()

    def _bf_carrying_booster(self) -> xgb.Booster:
        """The booster, carrying ``init_score_`` (a copy that does, for a model loaded from a file
        that keeps it beside the trees): what ``xgb_model=self`` continues."""
        check_is_fitted(self, "loss_")
        booster = self.get_booster()
        if carried_state(booster) is None:
            booster = embed_init_score(booster.copy(), self.loss_, self.init_score_)
        return booster

    def _bf_file_state(self) -> dict[str, Any]:
        return {}

    def _bf_restore(self, booster: xgb.Booster, state: dict[str, Any], classes: NDArray[Any]) -> None:
        """The fitted attributes ``XGBClassifier.fit`` sets, and ours.  A bare Booster's estimator
        takes its feature types from the booster (an estimator's are among its saved parameters)."""
        self._Booster = booster
        self.n_classes_ = 2 if self.loss_.is_multilabel else len(classes)  # as XGBClassifier.fit sets it
        if state["estimator"] is None:
            self.feature_types = booster.feature_types
            self.enable_categorical = any(t == "c" for t in booster.feature_types or ())
        self._bf_classes = classes
