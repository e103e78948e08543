"""Saving and loading trained focal models in each engine's own model format.

::

    import boostfocal as bf

    bf.save_model(clf, "model.txt")          # a fitted FocalLGBMClassifier: LightGBM model text
    bf.save_model(clf, "model.ubj")          # a fitted FocalXGBClassifier: XGBoost UBJ (or .json)
    bf.save_model(booster, "model.json", loss=loss, init_score=z0)   # a bare lgb/xgb Booster
    clf = bf.load_model("model.ubj")         # a fitted FocalLGBMClassifier / FocalXGBClassifier

A trained focal model carries its initial score inside the booster (the estimators' ``fit``, or
``embed_init_score`` of :mod:`boostfocal.lightgbm` / :mod:`boostfocal.xgboost`): the engine's own
file then gives the full margin to any reader.  What the engines cannot hold is the loss (class
and parameters: ``posterior`` depends on gamma and alpha) and the classes.  :func:`save_model`
writes that *focal state*, with the initial score, as one JSON object inside the engine's own
file, so a single file travels and the engines still read it:

* **XGBoost** (JSON or UBJ, chosen by XGBoost from the extension): a booster attribute
  ``"boostfocal"`` (``Booster.attr``), beside XGBoost's own ``best_iteration`` and the attribute
  ``"boostfocal_init_score"`` of a booster that carries its initial score.
  ``xgb.Booster(model_file=...)`` and ``xgb.XGBClassifier().load_model(...)`` load the file as
  any XGBoost model: raw margins ``output_margin=True`` include the initial score (in float32),
  and ``XGBClassifier.predict_proba`` is the plain sigmoid/softmax of them (not the posterior).
* **LightGBM** (model text): one line ``boostfocal:{...}`` placed just before the closing
  ``pandas_categorical:`` line.  LightGBM's parser ignores it, and its Python package still finds
  the pandas category mapping on the last line (a line *after* it would hide the mapping), so
  ``lgb.Booster(model_file=...)`` loads the file with LightGBM's own raw scores (the full margin
  when the first trees carry the initial score).  LightGBM drops the line when it saves such a
  booster again.  Every tree the
  booster holds is written; the best iteration is part of the focal state and
  :func:`load_model` restores it.  (After early stopping, ``lgb.train`` and the estimator keep
  only the trees up to the best iteration, so a plain ``lgb.Booster`` predicts with the same
  trees.)

Floats are written with ``repr`` (exact), so ``load_model(path).predict_proba(X)`` equals the
original model's bit for bit, in any process.

The focal state has a version (:data:`FORMAT_VERSION`).  Version 2 records
``"init_score_in_model"``: whether the booster in the file carries the initial score.  Files of
version 1 (and those without a version) keep it beside the trees only; they load and predict as
they always did (the initial score added to the booster's margins).  Each estimator saves and
restores its own fitted attributes (``_bf_file_state`` / ``_bf_restore``); this module holds the
file container and the exact JSON codec, and checks a focal state before anything uses it: a
damaged or truncated file, or an inconsistent state (duplicate classes, a loss whose parameters
differ from the estimator's, an initial score of the wrong shape, ...), raises ``ValueError``
naming the file and the field.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ._adapter import (
    LGB_CARRIED_ATTR,
    XGB_CARRIED_ATTR,
    booster_engine,
    booster_outputs,
    carried_init_score,
    check_loss,
)
from .losses import LOSSES, Loss

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

#: Version of the focal state's layout; :func:`load_model` refuses a newer one.  1: the initial
#: score beside the trees; 2: ``init_score_in_model`` says whether the booster carries it.
FORMAT_VERSION = 2
_FORMAT = "boostfocal-model"
_XGB_ATTR = "boostfocal"
_LGB_PREFIX = "boostfocal:"
_LGB_PANDAS = "\npandas_categorical:"
_LOSS_CLASSES = {cls.__name__: cls for cls in LOSSES.values()}
_ESTIMATORS = {"lightgbm": "FocalLGBMClassifier", "xgboost": "FocalXGBClassifier"}

PathLike = str | os.PathLike  # type: ignore[type-arg]


# --- JSON encoding of values ---------------------------------------------------------------------


class _Unencodable(TypeError):
    pass


def _encode(value: Any) -> Any:
    """``value`` as JSON data, exactly: floats by ``repr``, tuples, arrays, non-finite floats and
    dicts with non-string keys tagged (``{"__tuple__": [...]}`` ...) so :func:`_decode` rebuilds
    them.  Raises ``_Unencodable`` for anything else (callables, random states, ...)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biufU":
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not any(k.startswith("__") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufU":
        return {
            "__ndarray__": [_encode(v) for v in value.ravel().tolist()],
            "dtype": value.dtype.str,
            "shape": list(value.shape),
        }
    raise _Unencodable(type(value).__name__)


def _decode(data: Any) -> Any:
    """Inverse of :func:`_encode`."""
    if isinstance(data, list):
        return [_decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if data.keys() == {"__float__"}:
        return float(data["__float__"])
    if data.keys() == {"__tuple__"}:
        return tuple(_decode(v) for v in data["__tuple__"])
    if data.keys() == {"__dict__"}:
        return {_decode(k): _decode(v) for k, v in data["__dict__"]}
    if data.keys() == {"__ndarray__", "dtype", "shape"}:
        values = [_decode(v) for v in data["__ndarray__"]]
        return np.array(values, dtype=np.dtype(data["dtype"])).reshape(data["shape"])
    return {k: _decode(v) for k, v in data.items()}


def _encode_classes(classes: Any) -> dict[str, Any]:
    """The class labels and their dtype.  Integers, floats, booleans and strings (numpy dtypes,
    or an object array of such Python values) are stored; anything else is refused."""
    arr = np.asarray(classes)
    kind = arr.dtype.kind
    if arr.ndim != 1:
        raise ValueError(f"classes_ must be 1-D, got shape {arr.shape}")
    if kind in "biufU":
        values = arr.tolist()
    elif kind == "O":
        values = [v.item() if isinstance(v, np.generic) else v for v in arr]
        bad = [v for v in values if not isinstance(v, (str, int, float))]
        if bad:
            raise TypeError(
                f"classes_ holds a {type(bad[0]).__name__} label ({bad[0]!r}): boostfocal model files store "
                "integer, float, boolean or string labels only; refit with such labels"
            )
    else:
        raise TypeError(
            f"classes_ has dtype {arr.dtype}: boostfocal model files store integer, float, boolean or "
            "string labels only; refit with such labels"
        )
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise ValueError("classes_ holds a non-finite label, which a model file cannot store")
    return {"dtype": arr.dtype.str, "values": values}


def _decode_classes(data: dict[str, Any]) -> np.ndarray:
    dtype = np.dtype(data["dtype"])
    if dtype.kind == "O":
        out = np.empty(len(data["values"]), dtype=object)
        out[:] = data["values"]
        return out
    return np.array(data["values"], dtype=dtype)


def _encode_loss(loss: Any, name: str = "loss") -> dict[str, Any]:
    check_loss(loss, name)
    cls = type(loss)
    if _LOSS_CLASSES.get(cls.__name__) is not cls:
        raise TypeError(
            f"{name} is a {cls.__name__}; only boostfocal's own loss classes ({', '.join(_LOSS_CLASSES)}) can be saved"
        )
    return {"class": cls.__name__, "params": _encode(loss._params())}


def _decode_loss(data: dict[str, Any]) -> Loss:
    cls = _LOSS_CLASSES.get(data["class"])
    if cls is None:
        raise ValueError(f"the model file names an unknown loss class {data['class']!r}")
    return cls(**_decode(data["params"]))  # type: ignore[no-any-return]


def _encode_init_score(loss: Loss, init_score: Any, name: str = "init_score") -> float | list[float]:
    """The initial raw score, checked against the loss: a finite scalar (binary) or ``K`` finite values."""
    try:
        return loss.kind.init_json(init_score)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {exc}") from None


def _decode_init_score(loss: Loss, data: Any) -> float | np.ndarray:
    return loss.kind.init_value(data)


def _encode_params(params: dict[str, Any]) -> dict[str, Any]:
    """The estimator's parameters as JSON; those JSON cannot hold (callables, random states)
    are left out with a warning (the loaded estimator has their defaults, which only matters
    for refitting)."""
    out, dropped = {}, []
    for key, value in params.items():
        try:
            out[key] = _encode(value)
        except _Unencodable:
            dropped.append(key)
    if dropped:
        warnings.warn(
            f"parameters {dropped} cannot be written to a model file and are left out (a loaded "
            "estimator predicts the same; it would refit with their default values)",
            UserWarning,
            stacklevel=3,
        )
    return out


# --- what a model is -----------------------------------------------------------------------------


def _kind(model: Any) -> tuple[str, bool]:
    """``(engine, is_estimator)`` of ``model``, without importing an engine that is not loaded."""
    engine = booster_engine(model)
    if engine is not None:
        return engine, False
    ours_lgb = sys.modules.get(f"{__package__}.lightgbm")
    if ours_lgb is not None and isinstance(model, ours_lgb.MultilabelBooster):
        return "lightgbm", False
    for engine, name in _ESTIMATORS.items():
        ours = sys.modules.get(f"{__package__}.{engine}")
        if ours is not None and isinstance(model, getattr(ours, name)):
            return engine, True
    raise TypeError(
        "model must be a fitted FocalLGBMClassifier or FocalXGBClassifier, or an lgb.Booster / xgb.Booster "
        f"trained with boostfocal's objective, got {type(model).__module__}.{type(model).__name__}"
    )


def _check_path(path: Any, name: str = "path") -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


# --- saving --------------------------------------------------------------------------------------


def save_model(model: Any, path: PathLike, *, loss: Loss | None = None, init_score: Any = None) -> None:
    """Save a trained focal model in its engine's own format, with its focal state inside the file.

    Parameters
    ----------
    model : FocalLGBMClassifier, FocalXGBClassifier, lgb.Booster or xgb.Booster
        A fitted estimator, or a booster trained with ``boostfocal.lightgbm.objective`` /
        ``boostfocal.xgboost.objective``.
    path : str or os.PathLike
        The file to write.  LightGBM: model text.  XGBoost: JSON for ``.json``, UBJ for ``.ubj``
        (XGBoost chooses from the extension).
    loss, init_score : only for a bare Booster
        The loss it was trained with (required) and the constant initial raw score of its
        training data (``loss.init_score(y)``, or ``0.0`` / zeros if it started from zero): a
        scalar for a binary loss, ``K`` values for a multiclass one.  A booster that carries its
        initial score (``embed_init_score``) needs no ``init_score`` (the same value is accepted;
        another raises ``ValueError``: it would be added twice).  One that does not is saved as it
        is, with the initial score in the focal state only: embed it first for a file that plain
        engine readers (SHAP, the engines' C API) read correctly.

    The state written: the loss class and parameters, the initial score and whether the booster
    carries it, the classes (an estimator's ``classes_``, ``0..K-1`` for a booster), the
    estimator's parameters (those JSON can hold; others are left out with a warning), and for
    LightGBM the best iteration and score.  See the module docstring for where each engine's file
    keeps it.  :func:`load_model` reads it.
    """
    engine, is_estimator = _kind(model)
    target = _check_path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"path: directory {str(target.parent)!r} does not exist")
    booster = model._bf_booster() if is_estimator and getattr(model, "loss_", None) is not None else model
    ours_lgb = sys.modules.get(f"{__package__}.lightgbm")
    if ours_lgb is not None and isinstance(booster, ours_lgb.MultilabelBooster):  # saved as a directory
        if loss is not None or init_score is not None:
            raise TypeError("loss and init_score are read from the model; pass them only with a bare Booster")
        _save_lightgbm_multilabel(model if is_estimator else None, booster, target)
        return
    if is_estimator:
        if loss is not None or init_score is not None:
            raise TypeError("loss and init_score are read from a fitted estimator; pass them only with a bare Booster")
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(model, "loss_")
        booster = model._bf_booster()
        state = _state(
            engine,
            _ESTIMATORS[engine],
            _encode_loss(model.loss_, "loss_"),
            _encode_init_score(model.loss_, model.init_score_, "init_score_"),
            _encode_classes(model.classes_),
            _encode_params(model.get_params(deep=False)),
            carried_init_score(booster) is not None,
        )
        state.update(model._bf_file_state())
    else:
        booster = model
        if loss is None:
            raise TypeError(f"saving a bare {engine} Booster needs loss: the loss it was trained with")
        encoded_loss = _encode_loss(loss)
        outputs = booster_outputs(engine, booster)
        if outputs != loss.num_outputs:
            raise ValueError(
                f"loss {loss!r} gives {loss.num_outputs} raw score(s) per row but the booster gives {outputs}"
            )
        from ._adapter import init_to_add

        carried = carried_init_score(booster)
        if init_to_add(booster, init_score) is not None:
            carried = None
            value = init_score
        else:
            value = carried
        classes = np.arange(loss.kind.columns)
        state = _state(
            engine,
            None,
            encoded_loss,
            _encode_init_score(loss, value),
            _encode_classes(classes),
            {},
            carried is not None,
        )
    if engine == "lightgbm":
        state["best_iteration"] = int(booster.best_iteration)
        try:
            state["best_score"] = _encode(dict(booster.best_score))
        except _Unencodable:
            pass
        _write_lightgbm(booster, target, state)
    else:
        _write_xgboost(model if is_estimator else None, booster, target, state)


#: The focal state's file in the directory of a LightGBM multilabel model.
MULTILABEL_STATE = "boostfocal.json"


def _label_file(label: int) -> str:
    return f"label_{label}.txt"


def _save_lightgbm_multilabel(estimator: Any, model: Any, target: Path) -> None:
    """A LightGBM multilabel model (``L`` boosters) as a directory: ``label_<l>.txt``, each a
    LightGBM model file of label ``l``'s booster with its binary focal state (a bare Booster's
    file: ``lgb.Booster(model_file=...)`` and :func:`load_model` read it alone), and
    ``boostfocal.json``, the multilabel focal state naming them."""
    if target.exists() and not target.is_dir():
        raise ValueError(
            f"path: {str(target)!r} is a file; a LightGBM multilabel model (one booster per label) is saved "
            "as a directory: give a new or empty directory's path"
        )
    if target.is_dir() and any(target.iterdir()) and not (target / MULTILABEL_STATE).is_file():
        raise ValueError(f"path: directory {str(target)!r} is not empty and holds no boostfocal multilabel model")
    loss = model.loss
    files = [_label_file(label) for label in range(model.num_labels)]
    if estimator is not None:
        params = _encode_params(estimator.get_params(deep=False))
        classes, init = estimator.classes_, estimator.init_score_
    else:
        params, classes, init = {}, np.arange(model.num_labels), model.init_score
    state = _state(
        "lightgbm",
        _ESTIMATORS["lightgbm"] if estimator is not None else None,
        _encode_loss(loss, "loss_"),
        _encode_init_score(loss, init, "init_score_"),
        _encode_classes(classes),
        params,
        True,
    )
    state["labels"] = files
    target.mkdir(exist_ok=True)
    for label, booster in enumerate(model.boosters):
        save_model(booster, target / files[label], loss=loss.binary_loss(label))
    (target / MULTILABEL_STATE).write_text(_dumps(state) + "\n", encoding="utf-8")


def _load_lightgbm_multilabel(est: Any, target: Path) -> Any:
    """:func:`_save_lightgbm_multilabel`'s directory into the estimator ``est``."""
    state_file = target / MULTILABEL_STATE
    if not state_file.is_file():
        raise ValueError(
            f"{str(target)!r} is a directory without {MULTILABEL_STATE}: not a boostfocal multilabel model"
        )
    state = _parse_state(state_file.read_text(encoding="utf-8"), state_file)
    for key in ("engine", "estimator", "loss", "init_score", "classes", "params", "labels"):
        if key not in state:
            raise _field(state_file, key, "is missing (a damaged file?)")
    try:
        loss = _decode_loss(state["loss"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _field(state_file, "loss", f"is invalid: {exc}") from None
    if not loss.is_multilabel or state["engine"] != "lightgbm":
        raise _field(state_file, "loss", f"is {loss!r}, not a multilabel loss of a LightGBM model")
    files = state["labels"]
    if not isinstance(files, list) or len(files) != loss.num_outputs:
        raise _field(state_file, "labels", f"must name {loss.num_outputs} label files")
    try:
        init = _decode_init_score(loss, _encode_init_score(loss, _decode(state["init_score"])))
        classes = _decode_classes(state["classes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _field(state_file, "init_score", f"or 'classes' is invalid: {exc}") from None
    if len(classes) != loss.num_outputs or len(set(classes.tolist())) != len(classes):
        raise _field(state_file, "classes", f"must hold {loss.num_outputs} distinct labels, got {classes.tolist()!r}")
    boosters = []
    for label, name in enumerate(files):
        path = target / str(name)
        if not path.is_file():
            raise FileNotFoundError(f"{str(path)!r}: label {label}'s model file of {str(target)!r} is missing")
        booster, label_state = _read_lightgbm(path)
        label_loss, label_init, _, _ = _check_state(label_state, "lightgbm", booster, path)
        if label_loss != loss.binary_loss(label) or label_init != init[label]:
            raise _field(
                state_file,
                "init_score",
                f"or 'loss' does not match label {label}'s file ({label_loss!r}, {label_init!r})",
            )
        boosters.append(booster)
    params = _decode(state["params"])
    if not isinstance(params, dict):
        raise _field(state_file, "params", "is not a JSON object")
    if state["estimator"] is None:
        params = {"gamma": loss.gamma, "alpha": loss.alpha, "hessian": loss.hessian}
    else:
        _check_params_match(params, loss, state_file)
    from .lightgbm import MultilabelBooster

    est.set_params(**params)
    est._bf_set_multilabel(MultilabelBooster(boosters, loss))  # type: ignore[arg-type]
    return est


def _state(
    engine: str,
    estimator: str | None,
    loss: Any,
    init_score: Any,
    classes: Any,
    params: dict[str, Any],
    in_model: bool,
) -> dict[str, Any]:
    """The focal state (JSON data; its parts already encoded)."""
    from . import __version__

    return {
        "format": _FORMAT,
        "version": FORMAT_VERSION,
        "boostfocal": __version__,
        "engine": engine,
        "estimator": estimator,
        "loss": loss,
        "init_score": init_score,
        "init_score_in_model": in_model,
        "classes": classes,
        "params": params,
    }


def _dumps(state: dict[str, Any]) -> str:
    return json.dumps(state, allow_nan=False, separators=(",", ":"))  # ASCII, one line


def _write_lightgbm(booster: Any, path: Path, state: dict[str, Any]) -> None:
    text = booster.model_to_string(num_iteration=-1)
    i = text.rfind(_LGB_PANDAS)
    if i < 0:
        raise RuntimeError("LightGBM's model text has no pandas_categorical line; this LightGBM is not supported")
    text = text[: i + 1] + _LGB_PREFIX + _dumps(state) + "\n" + text[i + 1 :]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def _write_xgboost(estimator: Any, booster: Any, path: Path, state: dict[str, Any]) -> None:
    import xgboost as xgb

    previous = booster.attr(_XGB_ATTR)
    booster.set_attr(**{_XGB_ATTR: _dumps(state)})
    try:
        if estimator is not None:
            xgb.XGBModel.save_model(estimator, path)  # adds XGBoost's own scikit-learn metadata
        else:
            booster.save_model(path)
    finally:
        booster.set_attr(**{_XGB_ATTR: previous})


# --- loading -------------------------------------------------------------------------------------


def _estimator(engine: str) -> Any:
    """A new, unfitted estimator of ``engine`` (its module imported on demand)."""
    import importlib

    module = importlib.import_module(f"{__package__}.{engine}")
    return getattr(module, _ESTIMATORS[engine])()


def load_model(path: PathLike) -> Any:
    """Load a model saved by :func:`save_model`: a fitted ``FocalLGBMClassifier`` or ``FocalXGBClassifier``.

    The engine is recognised from the file (LightGBM model text, XGBoost JSON or UBJ).  The
    estimator has the saved parameters, ``loss_``, ``init_score_``, ``classes_``, the booster
    (``booster_`` / ``get_booster()``) and its best iteration, so ``predict``, ``predict_proba``
    and ``predict_raw`` give exactly the saved model's values.  A bare Booster's file gives the
    estimator around it, with classes ``0..K-1``; it uses the best iteration after early
    stopping, as the estimators do.

    Raises ``FileNotFoundError`` for a missing file, ``ValueError`` for a file that is not a
    LightGBM/XGBoost model, that is damaged or truncated, that holds no boostfocal state (a model
    saved by the engine itself) or an inconsistent one, and ``ImportError`` when the file's engine
    is not installed.
    """
    target = _check_path(path)
    if target.is_dir():
        return _load_lightgbm_multilabel(_estimator("lightgbm"), target)
    return load_into(_estimator(_engine_of_file(target)), target)


def has_focal_state(path: Any) -> bool:
    """Whether the model file ``path`` holds a boostfocal focal state (read by :func:`load_model`)."""
    target = _check_path(path)
    engine = _engine_of_file(target)
    try:
        _read_lightgbm(target) if engine == "lightgbm" else _read_xgboost(target)
    except _NoState:
        return False
    return True


def load_into(est: Any, path: Any) -> Any:
    """Load a file written by :func:`save_model` into the estimator ``est`` (its parameters
    included) and return it: the estimators' ``load_model`` methods."""
    engine, _ = _kind(est)
    if isinstance(path, (bytes, bytearray)) and engine == "xgboost":
        source: Any = bytearray(path)  # XGBoost also loads a model from memory
    else:
        source = _check_path(path)
        if source.is_dir() and engine == "lightgbm":
            return _load_lightgbm_multilabel(est, source)
        found = _engine_of_file(source)
        if found != engine:
            raise ValueError(
                f"{str(source)!r} holds a {found} model; load it with bf.load_model or {_ESTIMATORS[found]}"
            )
    booster, state = _read_lightgbm(source) if engine == "lightgbm" else _read_xgboost(source)
    loss, init_score, classes, params = _check_state(state, engine, booster, source)
    if engine == "xgboost":
        # XGBoost's set_params also pushes the parameters into a fitted estimator's booster
        est.__dict__.pop("_Booster", None)
    est.set_params(**params)
    est.loss_ = loss
    est.init_score_ = init_score
    est._bf_restore(booster, state, classes)
    return est


def _field(path: Any, field: str, problem: str) -> ValueError:
    return ValueError(f"{_name(path)}: the boostfocal state's field {field!r} {problem}")


def _check_state(state: dict[str, Any], engine: str, booster: Any, path: Any) -> tuple[Loss, Any, np.ndarray, Any]:
    """The loss, initial score, classes and parameters of a focal state, each checked against the
    others and against the booster; ``ValueError`` naming the file and the field otherwise."""
    for key in ("engine", "estimator", "loss", "init_score", "classes", "params"):
        if key not in state:
            raise _field(path, key, "is missing (a damaged file?)")
    if state["engine"] != engine:
        raise _field(path, "engine", f"says {state['engine']!r} in a {engine} model file")
    if state["estimator"] not in (None, _ESTIMATORS[engine]):
        raise _field(path, "estimator", f"names {state['estimator']!r}, not {_ESTIMATORS[engine]!r}")
    try:
        loss = _decode_loss(state["loss"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _field(path, "loss", f"is invalid: {exc}") from None
    try:
        init_score = _decode_init_score(loss, _encode_init_score(loss, _decode(state["init_score"])))
    except (TypeError, ValueError) as exc:
        raise _field(path, "init_score", f"is invalid: {exc}") from None
    try:
        classes = _decode_classes(state["classes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _field(path, "classes", f"is invalid: {exc}") from None
    outputs = booster_outputs(engine, booster)
    if classes.ndim != 1 or len(classes) != loss.kind.columns:
        raise _field(path, "classes", f"holds {len(classes)} classes for a booster of {outputs} raw score(s) per row")
    if len(set(classes.tolist())) != len(classes):
        raise _field(path, "classes", f"holds duplicate classes {classes.tolist()!r}")
    if outputs != loss.num_outputs:
        raise _field(
            path, "loss", f"is {loss!r}, for {loss.num_outputs} raw score(s) per row; the booster gives {outputs}"
        )
    params = _decode(state["params"])
    if not isinstance(params, dict):
        raise _field(path, "params", "is not a JSON object")
    if state["estimator"] is None:  # a bare Booster
        params = {"gamma": loss.gamma, "alpha": loss.alpha, "hessian": loss.hessian}
    else:
        _check_params_match(params, loss, path)
    in_model = bool(state.get("init_score_in_model", False)) if int(state.get("version", 0)) >= 2 else False
    if engine == "lightgbm" and in_model:
        setattr(booster, LGB_CARRIED_ATTR, init_score.tolist() if loss.is_multiclass else init_score)
    carried = carried_init_score(booster)
    if in_model != (carried is not None):
        raise _field(
            path,
            "init_score_in_model",
            f"is {in_model} but the booster {'does not carry' if in_model else 'carries'} it",
        )
    if carried is not None and not np.array_equal(np.asarray(carried), np.asarray(init_score)):
        raise _field(path, "init_score", f"is {init_score!r} but the booster carries {carried!r}")
    return loss, init_score, classes, params


def _check_params_match(params: dict[str, Any], loss: Loss, path: Any) -> None:
    """An estimator's ``gamma``, ``alpha`` and ``hessian`` must be those of its loss."""
    if "gamma" in params and float(params["gamma"]) != loss.gamma:
        raise _field(path, "params.gamma", f"is {params['gamma']!r} but the loss has gamma={loss.gamma!r}")
    if "hessian" in params and params["hessian"] != loss.hessian:
        raise _field(path, "params.hessian", f"is {params['hessian']!r} but the loss has hessian={loss.hessian!r}")
    alpha = params.get("alpha")
    if alpha is None or isinstance(alpha, str):
        if alpha is None and loss.alpha is not None:
            raise _field(path, "params.alpha", f"is None but the loss has alpha={loss.alpha!r}")
        return  # "balanced": resolved from the training labels
    given = np.asarray(alpha, dtype=np.float64)
    held = np.asarray(loss.alpha, dtype=np.float64) if loss.alpha is not None else None
    if held is None or given.shape != held.shape or not np.array_equal(given, held):
        raise _field(path, "params.alpha", f"is {alpha!r} but the loss has alpha={loss.alpha!r}")


def _engine_of_file(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(b"tree\n") or head.startswith(b"tree\r\n"):
        return "lightgbm"
    if head.lstrip()[:1] == b"{":
        return "xgboost"
    raise ValueError(f"{str(path)!r} is neither a LightGBM model text nor an XGBoost JSON/UBJ model")


def _parse_state(raw: str, path: Any) -> dict[str, Any]:
    try:
        state = json.loads(raw)
    except ValueError:
        state = None
    if not isinstance(state, dict) or state.get("format") != _FORMAT:
        raise ValueError(
            f"{_name(path)}: the boostfocal state in this model file is unreadable (damaged or truncated?)"
        )
    try:
        version = int(state.get("version", 0))
    except (TypeError, ValueError):
        raise _field(path, "version", f"is {state.get('version')!r}, not an integer") from None
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{_name(path)} was written in boostfocal model format {state['version']}; this boostfocal reads "
            f"format {FORMAT_VERSION} and older: upgrade boostfocal"
        )
    return state


def _name(path: Any) -> str:
    return repr(str(path)) if isinstance(path, (str, os.PathLike)) else "the model"


class _NoState(ValueError):
    pass


def _no_state(path: Any, engine: str, load_hint: str) -> ValueError:
    return _NoState(
        f"{_name(path)} is a {engine} model file without boostfocal state (saved by {engine} itself?): "
        f"load it with {load_hint}, or save the booster with "
        "bf.save_model(booster, path, loss=..., init_score=...) to make a file bf.load_model reads"
    )


def _read_lightgbm(path: Path) -> tuple[Any, dict[str, Any]]:
    try:
        import lightgbm as lgb
    except ImportError as exc:
        raise ImportError(f"{_name(path)} is a LightGBM model: install lightgbm to load it") from exc
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    complete = "\nend of trees" in text and text.rstrip("\r\n").rsplit("\n", 1)[-1].startswith("pandas_categorical:")
    start = text.rfind("\n" + _LGB_PREFIX) + 1
    if start == 0:
        if not complete:
            raise ValueError(
                f"{_name(path)} is a damaged or truncated LightGBM model file (it does not end as LightGBM writes)"
            )
        raise _no_state(path, "LightGBM", "lgb.Booster(model_file=...)")
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    state = _parse_state(text[start + len(_LGB_PREFIX) : end], path)
    if not complete:
        raise ValueError(
            f"{_name(path)} is a damaged or truncated LightGBM model file (it does not end as LightGBM writes)"
        )
    try:
        booster = lgb.Booster(model_str=text[:start] + text[end + 1 :])
    except lgb.basic.LightGBMError as exc:
        raise ValueError(f"{_name(path)} is a damaged LightGBM model file: {str(exc).splitlines()[0]}") from None
    try:
        booster.best_iteration = int(state.get("best_iteration", -1))
    except (TypeError, ValueError):
        raise _field(path, "best_iteration", f"is {state.get('best_iteration')!r}, not an integer") from None
    booster.best_score = _decode(state.get("best_score", {}))
    return booster, state


def _read_xgboost(source: Any) -> tuple[Any, dict[str, Any]]:
    try:
        import xgboost as xgb
    except ImportError as exc:
        raise ImportError(f"{_name(source)} is an XGBoost model: install xgboost to load it") from exc
    booster = xgb.Booster()
    try:
        booster.load_model(source)
    except xgb.core.XGBoostError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ValueError(f"{_name(source)} is a damaged or truncated XGBoost model file ({first[:200]})") from None
    raw = booster.attr(_XGB_ATTR)
    if raw is None:
        raise _no_state(source, "XGBoost", "xgb.Booster(model_file=...) or xgb.XGBClassifier().load_model(...)")
    state = _parse_state(raw, source)
    booster.set_attr(**{_XGB_ATTR: None, "scikit_learn": None})
    if booster.attr(XGB_CARRIED_ATTR) is not None:
        try:
            carried_init_score(booster)
        except (KeyError, TypeError, ValueError):
            raise _field(source, XGB_CARRIED_ATTR, "(a booster attribute) is unreadable") from None
    return booster, state
