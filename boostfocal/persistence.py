"""Saving and loading trained focal models in each engine's own model format.

::

    import boostfocal as bf

    bf.save_model(clf, "model.txt")          # a fitted FocalLGBMClassifier: LightGBM model text
    bf.save_model(clf, "model.ubj")          # a fitted FocalXGBClassifier: XGBoost UBJ (or .json)
    bf.save_model(booster, "model.json", loss=loss, init_score=z0)   # a bare lgb/xgb Booster
    clf = bf.load_model("model.ubj")         # a fitted FocalLGBMClassifier / FocalXGBClassifier

A trained focal model carries its initial score inside the booster where it can
(:mod:`boostfocal._model`: the estimators' ``fit``, or ``embed_init_score``), so the engine's own
file gives the full margin to any reader.  What the engines cannot hold is the loss (class and
parameters: ``posterior`` depends on gamma and alpha) and the classes.  :func:`save_model` writes
that *focal state*, with the initial score and where it lives, as one JSON object inside the
engine's own file, so a single file travels and the engines still read it:

* **XGBoost** (JSON or UBJ, chosen by XGBoost from the extension): a booster attribute
  ``"boostfocal"`` (``Booster.attr``).  After early stopping the file holds the rounds up to the
  best iteration only, so a plain ``xgb.Booster(model_file=...)`` predicts as ``predict`` does;
  its raw margins ``output_margin=True`` include the initial score (in float32).
* **LightGBM** (model text): one line ``boostfocal:{...}`` placed just before the closing
  ``pandas_categorical:`` line, which LightGBM's parser ignores (and drops when it saves the
  booster again; the booster's own record of its initial score stays, see
  :mod:`boostfocal._engine_lightgbm`).  ``lgb.train`` and the estimator keep only the trees up to
  the best iteration, so a plain ``lgb.Booster`` predicts with the same trees.

Floats are written with ``repr`` (exact), so ``load_model(path).predict_proba(X)`` equals the
original model's bit for bit, in any process.  The focal state has a version
(:data:`FORMAT_VERSION`); files of versions 1 (initial score beside the trees) and 2 load and
predict as they always did.  A focal state is checked before anything uses it, against itself and
against the booster's own record: a damaged or truncated file, or an inconsistent state (an edited
version, duplicate classes, a loss whose parameters differ from the estimator's, an initial score
of the wrong shape, ...), raises ``ValueError`` naming the file and the field.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from . import _engine_xgboost as xgbe
from ._adapter import booster_outputs, model_booster
from ._codec import (
    Unencodable,
    decode,
    decode_classes,
    decode_loss,
    encode,
    encode_classes,
    encode_loss,
    encode_params,
)
from ._model import TrainedModel, _Disagree, booster_engine, recorded
from ._model_files import (
    FORMAT,
    FORMAT_VERSION,
    NoState,
    dumps,
    engine_of_file,
    field,
    parse_state,
    read_lightgbm,
    read_xgboost,
    write_lightgbm,
    write_xgboost,
)
from ._multilabel_booster import MultilabelBooster
from .losses import IndependentOutputs, Loss, MultilabelFocalLoss

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

_ESTIMATORS = {"lightgbm": "FocalLGBMClassifier", "xgboost": "FocalXGBClassifier"}

PathLike = str | os.PathLike  # type: ignore[type-arg]


# --- the initial score ------------------------------------------------------------------------


def _encode_init_score(loss: Loss, init_score: Any, name: str = "init_score") -> float | list[float]:
    """The initial raw score, checked against the loss: a finite scalar (binary) or ``K`` finite values."""
    try:
        return loss.kind.init_json(init_score)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {exc}") from None


def _decode_init_score(loss: Loss, data: Any) -> float | np.ndarray:
    return loss.kind.init_value(data)


# --- what a model is -----------------------------------------------------------------------------


def _kind(model: Any) -> tuple[str, bool]:
    """``(engine, is_estimator)`` of ``model``, without importing an engine that is not loaded."""
    engine = booster_engine(model)
    if engine is not None:
        return engine, False
    if isinstance(model, MultilabelBooster):
        return "lightgbm", False
    engine = getattr(type(model), "_bf_engine", None)  # boostfocal's estimators name their engine
    if engine in _ESTIMATORS:
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
    if isinstance(booster, MultilabelBooster):  # saved as a directory
        if loss is not None or init_score is not None:
            raise TypeError("loss and init_score are read from the model; pass them only with a bare Booster")
        _save_lightgbm_multilabel(model if is_estimator else None, booster, target)
        return
    if is_estimator:
        if loss is not None or init_score is not None:
            raise TypeError("loss and init_score are read from a fitted estimator; pass them only with a bare Booster")
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(model, "loss_")
        trained = model._bf_trained()
        state = _state(
            engine,
            _ESTIMATORS[engine],
            encode_loss(model.loss_, "loss_"),
            trained.file_state(),
            encode_classes(model.classes_),
            encode_params(model.get_params(deep=False)),
        )
        state.update(model._bf_file_state())
    else:
        if loss is None:
            raise TypeError(f"saving a bare {engine} Booster needs loss: the loss it was trained with")
        encoded_loss = encode_loss(loss)
        outputs = booster_outputs(engine, model)
        if outputs != loss.num_outputs:
            raise ValueError(
                f"loss {loss!r} gives {loss.num_outputs} raw score(s) per row but the booster gives {outputs}"
            )
        trained = TrainedModel.of(model, loss, init_score)
        classes = encode_classes(np.arange(loss.kind.columns))
        state = _state(engine, None, encoded_loss, trained.file_state(), classes, {})
    if engine == "lightgbm":
        best = trained.best_state()
        state["best_iteration"] = best["best_iteration"]
        try:
            state["best_score"] = encode(best["best_score"])
        except Unencodable:
            pass
        write_lightgbm(trained.booster, target, state)
    else:
        write_xgboost(model if is_estimator else None, trained.for_file(), target, state)


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
        params = encode_params(estimator.get_params(deep=False))
        classes = estimator.classes_
    else:
        params, classes = {}, np.arange(model.num_labels)
    state = _state(
        "lightgbm",
        _ESTIMATORS["lightgbm"] if estimator is not None else None,
        encode_loss(loss, "loss_"),
        model.file_state(),
        encode_classes(classes),
        params,
    )
    state["labels"] = files
    target.mkdir(exist_ok=True)
    for label, booster in enumerate(model.boosters):
        save_model(booster, target / files[label], loss=loss.binary_loss(label))
    (target / MULTILABEL_STATE).write_text(dumps(state) + "\n", encoding="utf-8")


def _load_lightgbm_multilabel(est: Any, target: Path) -> Any:
    """:func:`_save_lightgbm_multilabel`'s directory into the estimator ``est``."""
    state_file = target / MULTILABEL_STATE
    if not state_file.is_file():
        raise ValueError(
            f"{str(target)!r} is a directory without {MULTILABEL_STATE}: not a boostfocal multilabel model"
        )
    state = parse_state(state_file.read_text(encoding="utf-8"), state_file)
    for key in ("engine", "estimator", "loss", "init_score", "classes", "params", "labels"):
        if key not in state:
            raise field(state_file, key, "is missing (a damaged file?)")
    try:
        loss = decode_loss(state["loss"])
    except (KeyError, TypeError, ValueError) as exc:
        raise field(state_file, "loss", f"is invalid: {exc}") from None
    if not isinstance(loss.kind, IndependentOutputs) or state["engine"] != "lightgbm":
        raise field(state_file, "loss", f"is {loss!r}, not a multilabel loss of a LightGBM model")
    assert isinstance(loss, MultilabelFocalLoss)  # every loss of IndependentOutputs is one
    files = state["labels"]
    if not isinstance(files, list) or len(files) != loss.num_outputs:
        raise field(state_file, "labels", f"must name {loss.num_outputs} label files")
    try:
        init = _decode_init_score(loss, _encode_init_score(loss, decode(state["init_score"])))
        classes = decode_classes(state["classes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise field(state_file, "init_score", f"or 'classes' is invalid: {exc}") from None
    if len(classes) != loss.num_outputs or len(set(classes.tolist())) != len(classes):
        raise field(state_file, "classes", f"must hold {loss.num_outputs} distinct labels, got {classes.tolist()!r}")
    boosters = []
    for label, name in enumerate(files):
        path = target / str(name)
        if not path.is_file():
            raise FileNotFoundError(f"{str(path)!r}: label {label}'s model file of {str(target)!r} is missing")
        booster, label_state = read_lightgbm(path)
        trained, _, _ = _check_state(label_state, "lightgbm", booster, path)
        if trained.loss != loss.binary_loss(label) or trained.init_score != np.asarray(init)[label]:
            raise field(
                state_file,
                "init_score",
                f"or 'loss' does not match label {label}'s file ({trained.loss!r}, {trained.init_score!r})",
            )
        boosters.append(trained)
    params = decode(state["params"])
    if not isinstance(params, dict):
        raise field(state_file, "params", "is not a JSON object")
    if state["estimator"] is None:
        params = {"gamma": loss.gamma, "alpha": loss.alpha, "hessian": loss.hessian}
    else:
        _check_params_match(params, loss, state_file)
    est.set_params(**params)
    est._bf_set_multilabel(MultilabelBooster.of_models(boosters, loss))
    return est


def _state(
    engine: str, estimator: str | None, loss: Any, init: dict[str, Any], classes: Any, params: dict[str, Any]
) -> dict[str, Any]:
    """The focal state (JSON data; its parts already encoded; ``init``: the initial score's fields,
    :meth:`TrainedModel.file_state`)."""
    from ._version import __version__

    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "boostfocal": __version__,
        "engine": engine,
        "estimator": estimator,
        "loss": loss,
        **init,
        "classes": classes,
        "params": params,
    }


def _estimator(engine: str) -> Any:
    """A new, unfitted estimator of ``engine`` (its module imported on demand)."""
    import importlib

    # the one upward step: a file names its engine, whose estimator module is imported on demand
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
    return load_into(_estimator(engine_of_file(target)), target)


def has_focal_state(path: Any) -> bool:
    """Whether the model file ``path`` holds a boostfocal focal state (read by :func:`load_model`)."""
    target = _check_path(path)
    engine = engine_of_file(target)
    try:
        read_lightgbm(target) if engine == "lightgbm" else read_xgboost(target)
    except NoState:
        return False
    return True


def start_booster(model: Any, name: str) -> Any:
    """The model a continued training starts from (``init_model`` / ``xgb_model``): None, a model
    file without focal state (as given), or a Booster.  A boostfocal model file or fitted estimator
    gives a booster that carries its initial score (a copy that does, for one loaded from a file of
    version 1), so that the engine continues from the full margin."""
    if model is None:
        return None
    if isinstance(model, (str, os.PathLike)):
        if not has_focal_state(model):
            return model
        model = load_model(model)
    if hasattr(model, "_bf_carrying_booster"):  # a fitted boostfocal estimator
        return model._bf_carrying_booster()
    try:
        return model_booster(model)[1]
    except TypeError:
        raise TypeError(
            f"{name} must be a Booster, a fitted LightGBM/XGBoost estimator or a model file, got {type(model).__name__}"
        ) from None


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
        found = engine_of_file(source)
        if found != engine:
            raise ValueError(
                f"{str(source)!r} holds a {found} model; load it with bf.load_model or {_ESTIMATORS[found]}"
            )
    booster, state = read_lightgbm(source) if engine == "lightgbm" else read_xgboost(source)
    trained, classes, params = _check_state(state, engine, booster, source)
    if engine == "xgboost":
        xgbe.forget_booster(est)  # XGBoost's set_params also pushes the parameters into a fitted booster
    est.set_params(**params)
    est._bf_restore(trained, state, classes)
    return est


def _check_state(state: dict[str, Any], engine: str, booster: Any, path: Any) -> tuple[TrainedModel, np.ndarray, Any]:
    """The trained model, classes and parameters of a focal state, each checked against the others
    and against the booster; ``ValueError`` naming the file and the field otherwise."""
    for key in ("engine", "estimator", "loss", "init_score", "classes", "params"):
        if key not in state:
            raise field(path, key, "is missing (a damaged file?)")
    if state["engine"] != engine:
        raise field(path, "engine", f"says {state['engine']!r} in a {engine} model file")
    if state["estimator"] not in (None, _ESTIMATORS[engine]):
        raise field(path, "estimator", f"names {state['estimator']!r}, not {_ESTIMATORS[engine]!r}")
    try:
        loss = decode_loss(state["loss"])
    except (KeyError, TypeError, ValueError) as exc:
        raise field(path, "loss", f"is invalid: {exc}") from None
    try:
        init_score = _decode_init_score(loss, _encode_init_score(loss, decode(state["init_score"])))
    except (TypeError, ValueError) as exc:
        raise field(path, "init_score", f"is invalid: {exc}") from None
    try:
        classes = decode_classes(state["classes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise field(path, "classes", f"is invalid: {exc}") from None
    outputs = booster_outputs(engine, booster)
    if classes.ndim != 1 or len(classes) != loss.kind.columns:
        raise field(path, "classes", f"holds {len(classes)} classes for a booster of {outputs} raw score(s) per row")
    if len(set(classes.tolist())) != len(classes):
        raise field(path, "classes", f"holds duplicate classes {classes.tolist()!r}")
    if outputs != loss.num_outputs:
        raise field(
            path, "loss", f"is {loss!r}, for {loss.num_outputs} raw score(s) per row; the booster gives {outputs}"
        )
    params = decode(state["params"])
    if not isinstance(params, dict):
        raise field(path, "params", "is not a JSON object")
    if state["estimator"] is None:  # a bare Booster
        params = {"gamma": loss.gamma, "alpha": loss.alpha, "hessian": loss.hessian}
    else:
        _check_params_match(params, loss, path)
    return _trained_of_file(state, booster, loss, init_score, path), classes, params


def _trained_of_file(state: dict[str, Any], booster: Any, loss: Loss, init_score: Any, path: Any) -> TrainedModel:
    """Where the file's initial score lives, from its focal state (format 3: ``init_score_where``;
    2: ``init_score_in_model``; 1: beside the trees), checked against the booster's own record."""
    version = int(state.get("version", 0))
    in_model = bool(state.get("init_score_in_model", False)) if version >= 2 else False
    if version >= 3:
        where = state.get("init_score_where")
        if where not in ("leaves", "base_score", "beside"):
            raise field(path, "init_score_where", f"is {where!r}, not 'leaves', 'base_score' or 'beside'")
        if (where != "beside") != in_model:
            raise field(path, "init_score_in_model", f"is {in_model} but init_score_where is {where!r}")
    elif in_model:  # format 2: the place follows from the engine and the booster
        try:
            found = recorded(booster, loss.num_outputs)
        except ValueError as exc:
            raise field(path, "init_score_in_model", f"cannot be checked against the booster: {exc}") from None
        where = "leaves" if found is None else found[0]
    else:
        where = "beside"
    try:
        return TrainedModel.from_file(booster, loss, init_score, where)
    except _Disagree as exc:
        raise field(path, exc.field, exc.problem) from None
    except ValueError as exc:
        raise field(path, "init_score", f"cannot be checked against the booster: {exc}") from None


def _check_params_match(params: dict[str, Any], loss: Loss, path: Any) -> None:
    """An estimator's ``gamma``, ``alpha`` and ``hessian`` must be those of its loss."""
    if "gamma" in params and float(params["gamma"]) != loss.gamma:
        raise field(path, "params.gamma", f"is {params['gamma']!r} but the loss has gamma={loss.gamma!r}")
    if "hessian" in params and params["hessian"] != loss.hessian:
        raise field(path, "params.hessian", f"is {params['hessian']!r} but the loss has hessian={loss.hessian!r}")
    alpha = params.get("alpha")
    if alpha is None or isinstance(alpha, str):
        if alpha is None and loss.alpha is not None:
            raise field(path, "params.alpha", f"is None but the loss has alpha={loss.alpha!r}")
        return  # "balanced": resolved from the training labels
    given = np.asarray(alpha, dtype=np.float64)
    held = np.asarray(loss.alpha, dtype=np.float64) if loss.alpha is not None else None
    if held is None or given.shape != held.shape or not np.array_equal(given, held):
        raise field(path, "params.alpha", f"is {alpha!r} but the loss has alpha={loss.alpha!r}")
