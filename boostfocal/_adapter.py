"""Engine-neutral pieces of the adapters: label caching, shape checks, metric reduction.

No mathematics lives here: every number comes from a loss object's methods.  Objects defined
here are small classes (never closures) so that they pickle and can be shipped to Dask workers.
"""

from __future__ import annotations

import inspect
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_consistent_length
from sklearn.utils.multiclass import type_of_target

from . import _validation as v
from ._model import booster_engine
from .losses import IndependentOutputs, Loss, MultilabelFocalLoss
from .losses._base import _Labels, _out_like

Float = NDArray[np.float64]
_CACHE_SIZE = 4  # label/weight arrays remembered (training set and a few validation sets)
_COMPARE_BLOCK = 1 << 18  # elements compared at a time by _same


def _same(cached: Any, new: Any) -> bool:
    """Whether ``new`` holds the values ``cached`` held: the same object, or equal arrays.

    A caller may hand a new but equal array every round (XGBoost's ``DMatrix.get_label()`` makes
    one on every call, as its metric decorator does), so identity alone would re-validate the
    labels every round; an equality test is one cheap pass (stopping at the first differing block).
    """
    if cached is new:
        return True
    if cached is None or new is None:
        return False
    if not (isinstance(cached, np.ndarray) and isinstance(new, np.ndarray)):
        return False
    if cached.shape != new.shape or cached.dtype != new.dtype:
        return False
    if cached.ndim != 1:
        return bool(np.array_equal(cached, new))
    # in blocks: the comparison's boolean temporary stays small (not 1 byte per row every round)
    return all(
        np.array_equal(cached[i : i + _COMPARE_BLOCK], new[i : i + _COMPARE_BLOCK])
        for i in range(0, cached.shape[0], _COMPARE_BLOCK)
    )


class _HoldsLoss:
    """Shown, compared and hashed by its loss (the adapters here, and the Dask metric), and named
    by it: XGBoost's scikit-learn wrapper names a metric by ``__name__``."""

    loss: Loss

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__name__}({self.loss!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.loss == self.loss

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.loss))

    @property
    def __name__(self) -> str:
        return self.loss.name


class _LossAdapter(_HoldsLoss):
    """Holds a loss and the labels it last prepared, so each boosting round skips re-validation.

    Labels and weights are checked once per array: a later call with the same array object, or an
    equal one, reuses the checked copy (so do not modify a label array in place between calls).
    The XGBoost objective skips that cache when numba is installed: the float32 label and weight
    vectors XGBoost holds go to the kernel as they are and the kernel checks them
    (:meth:`_grad_hess_views`).
    Raw scores are shape-checked on every call (a cheap test) so that a binary loss handed
    ``(n, K)`` scores, or a multiclass loss handed a binary booster's ``(n,)`` scores, fails with
    both shapes in the message.

    The objectives write into float32 output arrays that are reused from one call to the next (per
    thread): the engines keep gradients in float32 and copy them before the next round, and this
    saves two allocations and LightGBM's float64-to-float32 conversion each round.  Copy the
    result if you call an objective yourself and keep it.
    """

    _what = "objective"
    #: Whether the kernel may use numba's thread pool (see the XGBoost objective).
    _threads = True

    def __init__(self, loss: Loss) -> None:
        if not isinstance(loss, Loss):
            raise TypeError(
                f"loss must be a boostfocal loss object (e.g. bf.BinaryFocalLoss()), got {type(loss).__name__}"
            )
        self.loss = loss
        self._reset()

    def _reset(self) -> None:
        self._cache: list[tuple[Any, Any, _Labels]] = []
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {"loss": self.loss}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.loss = state["loss"]
        self._reset()

    def _label_matrix(self, y: Any) -> Any:
        """A multilabel loss's labels as ``(n, L)``: XGBoost hands them flattened (its C API's label
        vector, and ``get_label()`` before XGBoost 3); other labels unchanged."""
        kind = self.loss.kind
        return kind.label_matrix(y) if isinstance(kind, IndependentOutputs) else y

    def _labels(self, y: Any, weight: Any) -> _Labels:
        if weight is not None and np.size(weight) == 0:  # the engines' "no weights"
            weight = None
        y = self._label_matrix(y)
        cache = list(self._cache)  # a snapshot: other threads may replace self._cache
        for entry in cache:
            if _same(entry[0], y) and _same(entry[1], weight):
                return entry[2]
        labels = self.loss._prepare(y, weight, weight_name="weight")
        self._cache = [(y, weight, labels), *cache[: _CACHE_SIZE - 1]]
        return labels

    def _buffers(self, z: NDArray[Any]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """This thread's float32 output arrays for scores like ``z``, reused between calls."""
        out: tuple[NDArray[np.float32], NDArray[np.float32]] | None = getattr(self._local, "out", None)
        if out is None or out[0].shape != z.shape or out[0].flags.f_contiguous != z.flags.f_contiguous:
            out = _out_like(z, np.float32)
            self._local.out = out
        return out

    def _scores(self, preds: ArrayLike, n: int, checked: bool = True) -> NDArray[Any]:
        """The engine's raw scores, shape-checked.  ``checked``: also converted to float64, NaN
        rejected and +-inf clipped (as the public methods do); otherwise the kernel does that."""
        loss = self.loss
        kind = loss.kind
        arr = np.asarray(preds)
        if not checked and (not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise TypeError(f"preds must be a numeric array of raw margins, got dtype {arr.dtype}")
        arr = kind.squeeze(arr)
        if arr.shape != kind.shape(n):
            raise ValueError(
                f"the engine passed raw scores of shape {arr.shape} for {n} labels, but {loss!r} expects "
                f"{kind.shape(n)}" + kind.engine_hint(arr.shape, n)
            )
        return kind.check_raw(arr, n, name="preds") if checked else arr

    def _grad_hess(
        self, y: Any, preds: ArrayLike, weight: Any, hess_scale: float = 1.0
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        return self._run(self._labels(y, weight), preds, hess_scale)

    def _grad_hess_views(
        self, y: NDArray[Any], preds: ArrayLike, weight: NDArray[Any], hess_scale: float = 1.0
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """:meth:`_grad_hess` for label and weight arrays the engine hands over, which may view its
        own memory and be valid during this call only (``weight`` empty for none).  With the
        compiled kernels they are neither copied, nor cached and compared, but checked by the
        kernel's first pass (``Loss._unchecked_labels``), and the numbers are those of
        :meth:`_grad_hess` on the same values; otherwise copies go through the cache."""
        w = weight if weight.size else None
        labels = None
        y = self._label_matrix(y)
        if y.ndim == self.loss.kind.label_ndim and y.shape[0] and (w is None or w.shape == y.shape[:1]):
            labels = self.loss._unchecked_labels(y, w)
        if labels is None:
            return self._grad_hess(np.array(y), preds, None if w is None else np.array(w), hess_scale)
        return self._run(labels, preds, hess_scale)

    def _run(
        self, labels: _Labels, preds: ArrayLike, hess_scale: float
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        z = self._scores(preds, labels.y.shape[0], checked=False)
        return self.loss._grad_hess(labels, z, hess_scale, out=self._buffers(z), name="preds", threads=self._threads)

    def _mean_loss(self, y: Any, preds: ArrayLike, weight: Any) -> float:
        labels = self._labels(y, weight)
        if labels.weight is not None and not labels.weight.sum() > 0:
            raise ValueError(
                "the weights of an evaluation set sum to 0: its weighted mean loss is undefined; "
                "give it a non-zero weight or leave it out"
            )
        return self.loss._mean(labels, self._scores(preds, labels.y.shape[0]))


def constant_margin(loss: Loss, value: float | ArrayLike, n: int) -> Float:
    """An ``(n,)``, ``(n, K)`` or ``(n, L)`` array holding the constant initial raw score ``value``
    on every row (:meth:`OutputKind.tile`)."""
    return loss.kind.tile(value, n)


def margins_to_proba(loss: Loss, raw: Float, method: str) -> Float:
    """Class probabilities ``(n, n_classes)`` (multilabel: ``(n, L)``, the probability of each
    label) from raw margins that already include the init score."""
    if method == "posterior":
        p = loss.posterior(raw)
    elif method == "link":
        p = loss.link(raw)
    else:
        raise ValueError(f"method must be 'posterior' or 'link', got {method!r}")
    return loss.kind.proba_columns(p)


def decision_scores(loss: Loss, raw: Float, method: str) -> Float:
    """The estimators' ``decision_function`` from raw margins that include the init score: with
    ``method="posterior"`` the log-odds (binary, ``(n,)``) or log-probabilities (multiclass,
    ``(n, K)``) of the recovered posterior (``loss.posterior_logit``), so that, as scikit-learn
    expects, its sign (binary) or arg-max (multiclass) is ``predict``'s class whatever the class
    weights; with ``method="link"`` the margins themselves (their sign / arg-max is the link's)."""
    if method == "posterior":
        return loss.posterior_logit(raw)
    if method == "link":
        return raw
    raise ValueError(f"method must be 'posterior' or 'link', got {method!r}")


def check_class_labels(y: Any, name: str = "y") -> NDArray[Any]:
    """An estimator's class labels, checked before they are encoded: 1-D (or one column), not
    empty, not complex, and a binary or multiclass target by scikit-learn's ``type_of_target``
    (NaN, inf, ``None``, fractional or continuous values raise ``ValueError``)."""
    if y is None:
        raise ValueError(f"this classifier requires y to be passed, but the target {name} is None")
    arr = np.asarray(y)
    if np.iscomplexobj(arr):
        raise ValueError(
            f"{name} holds complex values: Complex data not supported; class labels must be real numbers, strings "
            "or booleans"
        )
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: a classifier needs samples of at least two classes")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite labels")
    kind = type_of_target(arr, input_name=name)
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type: {name} is a {kind!r} target; a classifier needs discrete class labels "
            "(binary or multiclass: integers, strings, booleans or integer-valued floats, no NaN or None)"
        )
    return arr


def training_weight(y: NDArray[Any], sample_weight: Any, class_weight: Any = None) -> NDArray[np.float64] | None:
    """The per-row weights the engine trains with: ``sample_weight`` times the ``class_weight``
    of each row's class (scikit-learn's ``compute_sample_weight``, which LightGBM's
    ``LGBMClassifier`` applies itself), or None when neither is given."""
    w = v.check_sample_weight(sample_weight, y.shape[0])
    if class_weight is None:
        return w
    from sklearn.utils.class_weight import compute_sample_weight

    cw = np.asarray(compute_sample_weight(class_weight, y), dtype=np.float64)
    return cw if w is None else w * cw


def eval_xy_as_eval_set(fit: Callable[..., Any], eval_set: Any, kwargs: dict[str, Any]) -> Any:
    """``eval_X=``/``eval_y=`` for an engine whose scikit-learn ``fit`` lacks them (LightGBM < 4.7).

    If ``fit`` takes ``eval_X``, returns ``eval_set`` unchanged.  Otherwise pops ``eval_X`` and
    ``eval_y`` from ``kwargs`` and returns the equivalent ``eval_set``: ``[(eval_X, eval_y)]``, or
    ``list(zip(eval_X, eval_y))`` for tuples, as LightGBM 4.7 reads them.
    """
    if "eval_X" in inspect.signature(fit).parameters:
        return eval_set
    eval_X, eval_y = kwargs.pop("eval_X", None), kwargs.pop("eval_y", None)
    if eval_X is None and eval_y is None:
        return eval_set
    if eval_set is not None:
        raise ValueError("pass either eval_set or eval_X and eval_y, not both")
    if eval_X is None or eval_y is None:
        raise ValueError("eval_X and eval_y must be given together")
    if isinstance(eval_X, tuple) != isinstance(eval_y, tuple):
        raise ValueError("eval_X and eval_y must both be tuples (one entry per validation set) or both single sets")
    if not isinstance(eval_X, tuple):
        return [(eval_X, eval_y)]
    if len(eval_X) != len(eval_y):
        raise ValueError(f"eval_X has {len(eval_X)} validation sets but eval_y has {len(eval_y)}")
    return list(zip(eval_X, eval_y, strict=True))


def prepare_fit(
    est: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    margin_given: bool,
    class_weight: Any = None,
    check: Callable[[Loss], None] | None = None,
) -> tuple[LabelEncoder, NDArray[np.intp], Loss, Any]:
    """The estimators' common start of ``fit``: check ``probability`` and the labels
    (:func:`check_class_labels`, lengths of ``X``, ``y`` and ``sample_weight``), encode the labels,
    and choose the loss (:func:`resolve_loss`) and the initial score (``loss.init_score``, or zeros
    when the caller passes its own initial margins).  Both see the weights training uses:
    ``sample_weight`` times the ``class_weight`` of each row (:func:`training_weight`).
    ``check(loss)`` runs the engine's metric checks.  Nothing is set on ``est``: the estimator
    sets ``loss_`` and ``init_score_`` once its engine has trained (a fit that raises leaves a
    fitted estimator as it was).  Returns the label encoder, the encoded labels, the loss and the
    initial score."""
    if est.probability not in ("posterior", "link"):
        raise ValueError(f"probability must be 'posterior' or 'link', got {est.probability!r}")
    loss: Loss
    if is_multilabel_target(y):
        Y, loss, init = prepare_multilabel_fit(est, X, y, sample_weight, margin_given, class_weight)
        if check is not None:
            check(loss)
        return None, Y, loss, init  # type: ignore[return-value]
    arr = check_class_labels(y)
    check_consistent_length(X, arr, sample_weight)
    le = LabelEncoder().fit(arr)
    y_enc = le.transform(arr)
    weight = training_weight(np.ravel(arr), sample_weight, class_weight)
    loss = resolve_loss(y_enc, len(le.classes_), est.gamma, est.alpha, est.hessian, weight)
    if check is not None:
        check(loss)
    if margin_given:
        init = loss.kind.zeros()
    else:
        init = loss.init_score(y_enc, weight)
    return le, y_enc, loss, init


def is_multilabel_target(y: Any) -> bool:
    """Whether an estimator's ``y`` is 2-D with at least two columns: a multilabel indicator
    matrix (checked by :func:`prepare_multilabel_fit`)."""
    if y is None:
        return False
    shape = getattr(y, "shape", None)
    shape = np.asarray(y).shape if shape is None else tuple(shape)
    return len(shape) == 2 and shape[1] >= 2


def check_multilabel_target(y: Any, num_labels: int, name: str = "y") -> NDArray[np.uint8]:
    """An estimator's multilabel target: ``(n, num_labels)``, only 0 and 1 (booleans accepted)."""
    arr = np.asarray(y)
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} holds complex values: a multilabel target holds only 0 and 1")
    return v.check_multilabel_labels(arr, num_labels, name=name)


def prepare_multilabel_fit(
    est: Any, X: Any, y: Any, sample_weight: Any, margin_given: bool, class_weight: Any = None
) -> tuple[NDArray[np.uint8], MultilabelFocalLoss, Any]:
    """:func:`prepare_fit` for a 2-D indicator ``y``: checked labels (only 0 and 1, every column
    with both classes), the :class:`~boostfocal.MultilabelFocalLoss` (``alpha="balanced"``:
    :func:`boostfocal.balanced_alpha` per label, with the sample weights) and the ``(L,)`` initial
    score.  ``class_weight`` has no meaning per label and is refused (use ``alpha``)."""
    from .losses import focal_loss_for

    num_labels = int(np.shape(y)[1])
    Y = check_multilabel_target(y, num_labels)
    check_consistent_length(X, Y, sample_weight)
    if class_weight is not None:
        raise ValueError(
            "class_weight is not supported with a multilabel y (its classes are 0 and 1 of every label): "
            "use alpha (a float, one per label, or 'balanced')"
        )
    weight = v.check_sample_weight(sample_weight, Y.shape[0])
    kind = IndependentOutputs(num_labels)
    loss = focal_loss_for(kind, gamma=est.gamma, alpha=est.alpha, hessian=est.hessian, y=Y, sample_weight=weight)
    assert isinstance(loss, MultilabelFocalLoss)  # the loss of IndependentOutputs
    init = loss.init_score(Y, weight)  # raises for a column holding a single class
    return Y, loss, (np.zeros(num_labels) if margin_given else init)


@contextmanager
def fit_or_restore(est: Any) -> Iterator[None]:
    """``with fit_or_restore(est): ...``: if the block raises, ``est``'s attributes are put back
    exactly as they were (a fitted estimator keeps its booster, loss, initial score and classes,
    as a plain engine estimator whose fit fails does)."""
    saved = dict(est.__dict__)
    try:
        yield
    except BaseException:
        est.__dict__.clear()
        est.__dict__.update(saved)
        raise


def eval_labels(eval_set: Any, eval_y: Any) -> list[Any]:
    """The label vectors of the validation sets, given as ``eval_set`` (a pair or a list of pairs)
    or as ``eval_y`` (one vector or a tuple/list of them); ``[]`` when there are none."""
    if eval_set is not None:
        return [vy for _, vy in ([eval_set] if isinstance(eval_set, tuple) else eval_set)]
    if eval_y is not None:
        return list(eval_y) if isinstance(eval_y, (tuple, list)) else [eval_y]
    return []


def eval_margins(loss: Loss, init: Any, eval_set: Any, eval_y: Any = None) -> list[Float] | None:
    """The constant initial score on every row of each validation set (:func:`eval_labels`), or None."""
    ys = eval_labels(eval_set, eval_y)
    return [constant_margin(loss, init, np.shape(vy)[0]) for vy in ys] if ys else None


def predict_proba_of(est: Any, X: Any, **kwargs: Any) -> Float:
    """An estimator's ``predict_proba``: :func:`margins_to_proba` of its ``predict_raw``."""
    raw = est.predict_raw(X, **kwargs)  # raises NotFittedError first
    return margins_to_proba(est.loss_, raw, est.probability)


def decision_function_of(est: Any, X: Any, **kwargs: Any) -> Float:
    """An estimator's ``decision_function``: :func:`decision_scores` of its ``predict_raw``."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est, "loss_")
    return decision_scores(est.loss_, est.predict_raw(X, **kwargs), est.probability)


def predict_label_of(est: Any, X: Any, **kwargs: Any) -> NDArray[Any]:
    """An estimator's ``predict``: the class of largest ``predict_proba``; multilabel: the
    ``(n, L)`` 0/1 indicator matrix of the labels whose probability exceeds 1/2."""
    proba = est.predict_proba(X, **kwargs)  # raises NotFittedError first
    labels: NDArray[Any] = est.loss_.kind.predict(proba, est.classes_)
    return labels


# --- engines and boosters: recognised here, once ---------------------------------------------


def model_booster(model: Any) -> tuple[str, Any]:
    """``(engine, booster)`` of a Booster, a (Dask) scikit-learn model of either engine, or the
    dict ``xgboost.dask.train`` returns; ``TypeError`` for anything else."""
    engine = booster_engine(model)
    if engine is not None:
        return engine, model
    lgb = sys.modules.get("lightgbm")
    if lgb is not None and isinstance(model, lgb.LGBMModel):
        return "lightgbm", model.booster_  # raises LightGBM's "not fitted" error if unfitted
    xgb = sys.modules.get("xgboost")
    if xgb is not None:
        if isinstance(model, dict) and isinstance(model.get("booster"), xgb.Booster):
            return "xgboost", model["booster"]
        if isinstance(model, xgb.XGBModel):
            return "xgboost", model.get_booster()
    raise TypeError(
        "model must be a LightGBM or XGBoost Booster, a (Dask) LightGBM/XGBoost scikit-learn model, or the "
        f"dict returned by xgboost.dask.train, got {type(model).__module__}.{type(model).__name__}"
    )


def booster_outputs(engine: str, booster: Any) -> int:
    """Raw scores per row the booster predicts: 1 (binary) or K."""
    if engine == "lightgbm":
        return int(booster.num_model_per_iteration())
    param = json.loads(booster.save_config())["learner"]["learner_model_param"]
    return max(int(param.get("num_class", "0")), int(param.get("num_target", "1")), 1)


def check_loss(loss: Any, name: str = "loss") -> Loss:
    """``loss`` must be a boostfocal loss object."""
    if not isinstance(loss, Loss):
        raise TypeError(
            f"{name} must be a boostfocal loss object (e.g. bf.BinaryFocalLoss()), got {type(loss).__name__}"
        )
    return loss


def check_booster_loss(loss: Loss, engine: str, booster: Any) -> None:
    """The booster must predict as many raw scores per row as ``loss`` has outputs."""
    outputs = booster_outputs(engine, booster)
    if outputs != loss.num_outputs:
        raise ValueError(
            f"the {engine} model predicts {outputs} raw score(s) per row but {loss!r} expects {loss.num_outputs}: "
            "use the loss the model was trained with"
        )


def binary_1d(raw: NDArray[Any], loss: Loss) -> NDArray[Any]:
    """A binary model's ``(n, 1)`` raw scores as ``(n,)`` (multiclass and multilabel scores unchanged)."""
    return loss.kind.squeeze(raw)


#: Metric names that switch an engine's metrics off.
_NO_METRIC = frozenset({"", "none", "null", "na", "custom"})


def metric_names(value: Any) -> list[str]:
    """The metric names (strings) in an engine's metric parameter: a string (LightGBM also splits
    it at commas), or a list or tuple of strings and callables (the callables are left out)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple, set)) else []
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out += [part.strip() for part in item.split(",")]
    return out


def check_engine_metrics(
    loss: Loss, names: list[str], *, rank_metrics: tuple[str, ...], param: str, engine: str
) -> None:
    """Refuse an engine's built-in metric that would be computed on raw focal margins.

    Under a custom objective the engines evaluate their built-in metrics on the raw margin
    (LightGBM) or on its plain sigmoid/softmax (XGBoost's scikit-learn wrapper), not on the class
    probabilities (:meth:`Loss.posterior`): log-loss, error rate and the like give meaningless
    numbers, which would still drive early stopping.  Rank metrics of a binary model (``rank_metrics``:
    AUC, average precision) are unaffected, since the posterior is increasing in the margin.
    """
    allowed = () if loss.kind.vector else rank_metrics
    for name in names:
        if name.lower() in _NO_METRIC or name in allowed:
            continue
        raise ValueError(
            f"{param}={name!r}: {engine} would compute this built-in metric on the raw focal margins of "
            f"{loss!r}, not on its class probabilities, so its value (and early stopping on it) would mean "
            f"nothing; use boostfocal.{engine.lower()}.metric(loss) (the estimators' default metric, the "
            "focal loss itself)"
            + (f", or a rank metric ({', '.join(repr(m) for m in allowed)})" if allowed else "")
            + ", or a callable metric on loss.posterior(raw)"
        )


def resolve_loss(
    y_encoded: NDArray[np.intp], n_classes: int, gamma: float, alpha: Any, hessian: str, sample_weight: Any
) -> Loss:
    """The loss an estimator trains with, given encoded labels (:func:`boostfocal.losses.focal_loss_for`,
    which resolves ``alpha="balanced"`` with the training weights)."""
    from .losses import BinaryOutput, SoftmaxOutput, focal_loss_for

    if n_classes < 2:
        raise ValueError("y has 1 class: a classifier needs at least two")
    kind = BinaryOutput() if n_classes == 2 else SoftmaxOutput(n_classes)
    return focal_loss_for(kind, gamma=gamma, alpha=alpha, hessian=hessian, y=y_encoded, sample_weight=sample_weight)
