"""Saving and loading trained focal models in each engine's own model format.

::

    import boostfocal as bf

    bf.save_model(clf, "model.txt")          # a fitted FocalLGBMClassifier: LightGBM model text
    bf.save_model(clf, "model.ubj")          # a fitted FocalXGBClassifier: XGBoost UBJ (or .json)
    bf.save_model(booster, "model.json", loss=loss, init_score=z0)   # a bare lgb/xgb Booster
    clf = bf.load_model("model.ubj")         # a fitted FocalLGBMClassifier / FocalXGBClassifier

A native model file holds the trees only; a focal model also needs its loss (class and
parameters: ``posterior`` depends on gamma and alpha), its initial score (neither engine adds it
back at predict time) and its classes.  :func:`save_model` writes that *focal state* as one JSON
object inside the engine's own file, so a single file travels and the engines still read it:

* **XGBoost** (JSON or UBJ, chosen by XGBoost from the extension): a booster attribute
  ``"boostfocal"`` (``Booster.attr``), beside XGBoost's own ``best_iteration``.
  ``xgb.Booster(model_file=...)`` and ``xgb.XGBClassifier().load_model(...)`` load the file as
  any XGBoost model and give XGBoost's own predictions: margins without the initial score, and
  the plain sigmoid/softmax in ``XGBClassifier.predict_proba``.
* **LightGBM** (model text): one line ``boostfocal:{...}`` placed just before the closing
  ``pandas_categorical:`` line.  LightGBM's parser ignores it, and its Python package still finds
  the pandas category mapping on the last line (a line *after* it would hide the mapping), so
  ``lgb.Booster(model_file=...)`` loads the file with LightGBM's own raw scores (without the
  initial score).  LightGBM drops the line when it saves such a booster again.  Every tree the
  booster holds is written; the best iteration is part of the focal state and
  :func:`load_model` restores it.  (After early stopping, ``lgb.train`` and the estimator keep
  only the trees up to the best iteration, so a plain ``lgb.Booster`` predicts with the same
  trees.)

Floats are written with ``repr`` (exact), so ``load_model(path).predict_proba(X)`` equals the
original model's bit for bit, in any process.
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

from .losses import LOSSES, Loss

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

#: Version of the focal state's layout; :func:`load_model` refuses a newer one.
FORMAT_VERSION = 1
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
    if not isinstance(loss, Loss):
        raise TypeError(
            f"{name} must be a boostfocal loss object (e.g. bf.BinaryFocalLoss()), got {type(loss).__name__}"
        )
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
    from ._adapter import constant_margin

    try:
        row = constant_margin(loss, init_score, 1)[0]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {exc}") from None
    if not np.all(np.isfinite(row)):
        raise ValueError(f"{name} must be finite, got {init_score!r}")
    return [float(v) for v in row] if loss.is_multiclass else float(row)


def _decode_init_score(loss: Loss, data: Any) -> float | np.ndarray:
    return np.array(data, dtype=np.float64) if loss.is_multiclass else float(data)


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
    for engine in ("lightgbm", "xgboost"):
        module = sys.modules.get(engine)
        if module is not None and isinstance(model, module.Booster):
            return engine, False
        ours = sys.modules.get(f"{__package__}.{engine}")
        if ours is not None and isinstance(model, getattr(ours, _ESTIMATORS[engine])):
            return engine, True
    raise TypeError(
        "model must be a fitted FocalLGBMClassifier or FocalXGBClassifier, or an lgb.Booster / xgb.Booster "
        f"trained with boostfocal's objective, got {type(model).__module__}.{type(model).__name__}"
    )


def _check_path(path: Any, name: str = "path") -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def _booster_outputs(engine: str, booster: Any) -> int:
    """Raw scores per row of a booster: 1 (binary) or K."""
    if engine == "lightgbm":
        return int(booster.num_model_per_iteration())
    config = json.loads(booster.save_config())
    return max(int(config["learner"]["learner_model_param"]["num_class"]), 1)


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
    loss, init_score : only for a bare Booster, and then required
        The loss it was trained with and the constant initial raw score of its training data
        (``loss.init_score(y)``, or ``0.0`` / zeros if it started from zero): a scalar for a
        binary loss, ``K`` values for a multiclass one.

    The state written: the loss class and parameters, the initial score, the classes (an
    estimator's ``classes_``, ``0..K-1`` for a booster), the estimator's parameters (those JSON can
    hold; others are left out with a warning), and for LightGBM the best iteration and score.
    See the module docstring for where each engine's file keeps it.  :func:`load_model` reads it.
    """
    engine, is_estimator = _kind(model)
    target = _check_path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"path: directory {str(target.parent)!r} does not exist")
    if is_estimator:
        if loss is not None or init_score is not None:
            raise TypeError("loss and init_score are read from a fitted estimator; pass them only with a bare Booster")
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(model, "loss_")
        booster = model.booster_ if engine == "lightgbm" else model.get_booster()
        state = _state(
            engine,
            _ESTIMATORS[engine],
            _encode_loss(model.loss_, "loss_"),
            _encode_init_score(model.loss_, model.init_score_, "init_score_"),
            _encode_classes(model.classes_),
            _encode_params(model.get_params(deep=False)),
        )
    else:
        booster = model
        if loss is None or init_score is None:
            missing = [n for n, v in (("loss", loss), ("init_score", init_score)) if v is None]
            raise TypeError(
                f"saving a bare {engine} Booster needs {' and '.join(missing)}: the loss it was trained with and "
                "the initial raw score of its training data (0.0 if it started from zero)"
            )
        encoded_loss = _encode_loss(loss)
        outputs = _booster_outputs(engine, booster)
        if outputs != loss.num_outputs:
            raise ValueError(
                f"loss {loss!r} gives {loss.num_outputs} raw score(s) per row but the booster gives {outputs}"
            )
        classes = np.arange(loss.num_outputs if loss.is_multiclass else 2)
        state = _state(engine, None, encoded_loss, _encode_init_score(loss, init_score), _encode_classes(classes), {})
    if engine == "lightgbm":
        state["best_iteration"] = int(booster.best_iteration)
        try:
            state["best_score"] = _encode(dict(booster.best_score))
        except _Unencodable:
            pass
        if is_estimator:
            state["fitted_with_feature_names"] = bool(getattr(model, "_fitted_with_feature_names", False))
        _write_lightgbm(booster, target, state)
    else:
        _write_xgboost(model if is_estimator else None, booster, target, state)


def _state(
    engine: str, estimator: str | None, loss: Any, init_score: Any, classes: Any, params: dict[str, Any]
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


def load_model(path: PathLike) -> Any:
    """Load a model saved by :func:`save_model`: a fitted ``FocalLGBMClassifier`` or ``FocalXGBClassifier``.

    The engine is recognised from the file (LightGBM model text, XGBoost JSON or UBJ).  The
    estimator has the saved parameters, ``loss_``, ``init_score_``, ``classes_``, the booster
    (``booster_`` / ``get_booster()``) and its best iteration, so ``predict``, ``predict_proba``
    and ``predict_raw`` give exactly the saved model's values.  A bare Booster's file gives the
    estimator around it, with classes ``0..K-1``; it uses the best iteration after early
    stopping, as the estimators do.

    Raises ``FileNotFoundError`` for a missing file, ``ValueError`` for a file that is not a
    LightGBM/XGBoost model or that holds no boostfocal state (a model saved by the engine
    itself), and ``ImportError`` when the file's engine is not installed.
    """
    target = _check_path(path)
    engine = _engine_of_file(target)
    if engine == "lightgbm":
        from .lightgbm import FocalLGBMClassifier

        est: Any = FocalLGBMClassifier()
    else:
        from .xgboost import FocalXGBClassifier

        est = FocalXGBClassifier()
    return load_into(est, target)


def load_into(est: Any, path: Any) -> Any:
    """Load a file written by :func:`save_model` into the estimator ``est`` (its parameters
    included) and return it: the estimators' ``load_model`` methods."""
    engine, _ = _kind(est)
    if isinstance(path, (bytes, bytearray)) and engine == "xgboost":
        source: Any = bytearray(path)  # XGBoost also loads a model from memory
    else:
        source = _check_path(path)
        found = _engine_of_file(source)
        if found != engine:
            raise ValueError(
                f"{str(source)!r} holds a {found} model; load it with bf.load_model or {_ESTIMATORS[found]}"
            )
    if engine == "lightgbm":
        booster, state = _read_lightgbm(source)
    else:
        booster, state = _read_xgboost(source)
    loss = _decode_loss(state["loss"])
    init_score = _decode_init_score(loss, state["init_score"])
    classes = _decode_classes(state["classes"])
    params = _decode(state["params"])
    if state["estimator"] is None:  # a bare Booster
        params = {"gamma": loss.gamma, "alpha": loss.alpha, "hessian": loss.hessian}
    outputs = _booster_outputs(engine, booster)
    if outputs != loss.num_outputs or len(classes) != max(loss.num_outputs, 2):
        raise ValueError(
            f"the model file is inconsistent: {loss!r}, {len(classes)} classes and {outputs} raw score(s) per row"
        )
    if engine == "xgboost":
        # XGBoost's set_params also pushes the parameters into a fitted estimator's booster
        est.__dict__.pop("_Booster", None)
    est.set_params(**params)
    est.loss_ = loss
    est.init_score_ = init_score
    if engine == "lightgbm":
        _restore_lightgbm(est, booster, state, classes)
    else:
        _restore_xgboost(est, booster, state, classes)
    return est


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
        raise ValueError(f"{_name(path)}: the boostfocal state in this model file is unreadable")
    if int(state.get("version", 0)) > FORMAT_VERSION:
        raise ValueError(
            f"{_name(path)} was written in boostfocal model format {state['version']}; this boostfocal reads "
            f"format {FORMAT_VERSION} and older: upgrade boostfocal"
        )
    return state


def _name(path: Any) -> str:
    return repr(str(path)) if isinstance(path, (str, os.PathLike)) else "the model"


def _no_state(path: Any, engine: str, load_hint: str) -> ValueError:
    return ValueError(
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
    start = text.rfind("\n" + _LGB_PREFIX) + 1
    if start == 0:
        raise _no_state(path, "LightGBM", "lgb.Booster(model_file=...)")
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    state = _parse_state(text[start + len(_LGB_PREFIX) : end], path)
    booster = lgb.Booster(model_str=text[:start] + text[end + 1 :])
    booster.best_iteration = int(state.get("best_iteration", -1))
    booster.best_score = _decode(state.get("best_score", {}))
    return booster, state


def _read_xgboost(source: Any) -> tuple[Any, dict[str, Any]]:
    try:
        import xgboost as xgb
    except ImportError as exc:
        raise ImportError(f"{_name(source)} is an XGBoost model: install xgboost to load it") from exc
    booster = xgb.Booster()
    booster.load_model(source)
    raw = booster.attr(_XGB_ATTR)
    if raw is None:
        raise _no_state(source, "XGBoost", "xgb.Booster(model_file=...) or xgb.XGBClassifier().load_model(...)")
    state = _parse_state(raw, source)
    booster.set_attr(**{_XGB_ATTR: None, "scikit_learn": None})
    return booster, state


def _restore_lightgbm(est: Any, booster: Any, state: dict[str, Any], classes: np.ndarray) -> None:
    """The fitted attributes ``LGBMClassifier.fit`` sets (LightGBM 4.x), and ours."""
    from sklearn.preprocessing import LabelEncoder

    from .lightgbm import objective

    est._Booster = booster
    est._n_features = est._n_features_in = booster.num_feature()
    est._classes = classes
    est._n_classes = len(classes)
    le = LabelEncoder()
    le.classes_ = classes
    est._le = le
    est._class_map = {c: i for i, c in enumerate(classes.tolist())}
    est._bf_objective = est._objective = objective(est.loss_)
    est._best_iteration = booster.best_iteration
    est._best_score = booster.best_score
    est._evals_result = {}
    est._fitted_with_feature_names = bool(state.get("fitted_with_feature_names", False))
    est.fitted_ = True


def _restore_xgboost(est: Any, booster: Any, state: dict[str, Any], classes: np.ndarray) -> None:
    """The fitted attributes ``XGBClassifier.fit`` sets, and ours.  A bare Booster's estimator
    takes its feature types from the booster (an estimator's are among its saved parameters)."""
    est._Booster = booster
    est.n_classes_ = len(classes)
    if state["estimator"] is None:
        est.feature_types = booster.feature_types
        est.enable_categorical = any(t == "c" for t in booster.feature_types or ())
    est._bf_classes = classes
