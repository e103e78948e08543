"""XGBoost's internals, touched here and nowhere else.

Checked by running it on XGBoost 3.2.0 (the model JSON, attributes, slicing and the vector
intercept of 3.1+; the per-class leaves of XGBoost < 3.1 come from the earlier checks recorded in
the design notes):

* **The fitted state of ``XGBClassifier``**: its booster lives in the private ``_Booster``
  (:func:`set_booster`, :func:`forget_booster`).
* **The C API** (``xgboost.core._LIB``): :func:`float_info_view` reads a DMatrix's label and
  weight vectors in place.
* **The initial score inside a booster**: the intercept ``base_score`` (a vector of ``K`` / ``L``
  values on XGBoost >= 3.1), or, where XGBoost has one intercept for every class (XGBoost < 3.1,
  multiclass), the leaves of the first iteration's trees; the booster attribute
  ``"boostfocal_init_score"`` records the exact value and where it lives.  XGBoost keeps booster
  attributes in its JSON and UBJ files, ``copy.deepcopy``, ``Booster.copy``, slicing and
  ``xgb.train(xgb_model=...)``, so the record travels with the booster.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._numeric import sigmoid

#: The booster attribute (kept in XGBoost's model files) naming the initial score it carries.
CARRIED_ATTR = "boostfocal_init_score"
#: The booster attribute (kept in its model files) marking a model trained on a scipy sparse
#: matrix, whose absent entries XGBoost reads as missing (``bf.to_onnx`` maps zeros to NaN for it).
SPARSE_ATTR = "boostfocal_sparse_input"
#: Objectives whose ``base_score`` is a probability (XGBoost stores ``logit(base_score)`` as the margin).
_LOGISTIC = ("binary:logistic", "reg:logistic", "binary:logitraw")
#: Objectives whose ``base_score`` is the margin itself.
_IDENTITY = ("reg:squarederror", "multi:softprob", "multi:softmax")


# --- the fitted state of XGBClassifier -----------------------------------------------------------


def set_booster(est: Any, booster: Any) -> None:
    """The booster of a fitted ``XGBClassifier`` (what ``get_booster()`` returns)."""
    est._Booster = booster


def fitted_booster(est: Any) -> Any:
    """The booster of a fitted ``XGBClassifier``, or None (unlike ``get_booster()``, no error)."""
    return est.__dict__.get("_Booster")


def forget_booster(est: Any) -> None:
    """Unfit ``est`` before ``set_params``: XGBoost's ``set_params`` also pushes the parameters into
    a fitted estimator's booster."""
    est.__dict__.pop("_Booster", None)


def iteration_range(est: Any, given: Any) -> Any:
    """The ``iteration_range`` ``XGBModel.predict`` uses: the caller's, or up to the best iteration."""
    return est._get_iteration_range(given)


def float_info_view(data: Any, field: str) -> NDArray[np.float32] | None:
    """``data``'s own ``"label"`` or ``"weight"`` vector, not the copy ``get_label()`` makes
    (which took 1-3 ms a round at 10^6 rows): a view of XGBoost's memory through the C API's
    ``XGDMatrixGetFloatInfo``, valid until the DMatrix changes, so read it within one objective call
    and keep nothing.  None if that function cannot be reached (then use ``get_label()``)."""
    import xgboost as xgb

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


# --- the initial score inside a booster ----------------------------------------------------------


def read(booster: Any) -> tuple[str, Any] | None:
    """``(where, value)`` of the initial score ``booster`` records (``where``: ``"base_score"`` or
    ``"leaves"``), or None; ``ValueError`` for an unreadable record."""
    raw = booster.attr(CARRIED_ATTR)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        where, value = data["in"], data["init_score"]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"the booster attribute {CARRIED_ATTR!r} is unreadable (a damaged model?)") from None
    if where not in ("base_score", "leaves"):
        raise ValueError(f"the booster attribute {CARRIED_ATTR!r} names an unknown place {where!r}")
    return where, value


def record_sparse_input(booster: Any, sparse: bool) -> None:
    """Record whether ``booster`` was trained on a scipy sparse matrix (absent entries missing)."""
    booster.set_attr(**{SPARSE_ATTR: "1" if sparse else None})


def trained_on_sparse(booster: Any) -> bool:
    """Whether ``booster`` records that it was trained on a scipy sparse matrix."""
    sparse: bool = booster.attr(SPARSE_ATTR) == "1"
    return sparse


def clear(booster: Any) -> None:
    """Forget the record (before a new one is written)."""
    booster.set_attr(**{CARRIED_ATTR: None})


def _objective(booster: Any) -> str:
    return str(json.loads(booster.save_config())["learner"]["objective"]["name"])


def _vector(values: NDArray[np.float64]) -> str:
    return "[" + ",".join(repr(float(v)) for v in values) + "]"


def carry(booster: Any, row: NDArray[np.float64], value: Any, *, vector: bool, leaves: bool = False) -> str:
    """Make ``row`` (one value per output) ``booster``'s intercept so that its margin is
    ``row + trees``, record it, and return where it lives.  ``vector``: the outputs form a vector
    (softmax or independent labels); ``leaves``: the first trees carry it already (a booster
    continued from one whose leaves do), so it stays there and the intercept is the margin 0.
    A vector needs XGBoost >= 3.1; with an older XGBoost the first trees' leaves take it."""
    import xgboost as xgb

    name = _objective(booster)
    if name not in _LOGISTIC + _IDENTITY:
        raise ValueError(f"the booster's objective {name!r} is not one boostfocal trains with")
    where = "base_score"
    intercept = sigmoid(row) if name in _LOGISTIC else row
    if name in _LOGISTIC and not np.all((np.float32(intercept) > 0.0) & (np.float32(intercept) < 1.0)):
        raise ValueError(f"init_score={row.tolist()!r} is beyond what XGBoost's float32 base_score can hold")
    if leaves:
        booster.set_param({"base_score": 0.5 if name in _LOGISTIC else 0.0})
        where = "leaves"
    elif not vector:
        booster.set_param({"base_score": float(intercept[0])})
    else:
        try:  # XGBoost >= 3.1: a vector intercept
            booster.set_param({"base_score": _vector(intercept)})
            booster.num_features()  # XGBoost < 3.1 refuses a vector only when it next configures
        except xgb.core.XGBoostError:
            booster.set_param({"base_score": 0.5 if name in _LOGISTIC else 0.0})
            _shift_first_trees(booster, row)
            where = "leaves"
    booster.set_attr(**{CARRIED_ATTR: json.dumps({"init_score": value, "in": where})})
    return where


def _shift_first_trees(booster: Any, row: NDArray[np.float64]) -> None:
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


def up_to_best(booster: Any) -> Any:
    """``booster``, or after early stopping a copy holding the rounds up to its best iteration
    only, so that every reader of a file written from it (a plain ``xgb.Booster`` included)
    predicts with the rounds ``predict`` uses.  Booster attributes travel with the slice."""
    best = best_iteration(booster)
    if best is None or best + 1 >= booster.num_boosted_rounds():
        return booster
    out = booster[: best + 1]
    # slicing keeps the user attributes but not XGBoost's own early-stopping record
    out.set_attr(best_iteration=str(best), best_score=booster.attr("best_score"))
    return out


def best_iteration(booster: Any) -> int | None:
    """The booster's best iteration after early stopping, or None."""
    try:
        best = booster.best_iteration
    except AttributeError:
        return None
    return None if best is None else int(best)


def save_estimator(est: Any, booster: Any, path: Any) -> None:
    """``XGBModel.save_model`` of ``est`` (XGBoost's scikit-learn metadata included) writing ``booster``
    (the rounds up to the best iteration) in place of its own."""
    import xgboost as xgb

    own = est._Booster
    est._Booster = booster
    try:
        xgb.XGBModel.save_model(est, path)
    finally:
        est._Booster = own


@contextlib.contextmanager
def matrices_from(est: Any, create: Callable[..., Any]) -> Iterator[None]:
    """For the duration, ``est.fit`` builds its training and validation matrices with ``create``
    (``XGBModel.fit`` asks its private ``_create_dmatrix(ref, **kwargs)`` for each; checked on
    XGBoost 2.1 and 3.2): the tuner lends a fold's binned matrices this way."""
    est._create_dmatrix = create
    try:
        yield
    finally:
        del est._create_dmatrix
