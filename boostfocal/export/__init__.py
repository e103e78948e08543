"""ONNX export of a trained focal model: the trees, the initial score and the recovered posterior.

::

    import boostfocal as bf
    import onnx
    onnx.save(bf.to_onnx(clf), "model.onnx")          # a fitted FocalLGBMClassifier / FocalXGBClassifier

    import onnxruntime as ort
    sess = ort.InferenceSession("model.onnx")
    label, proba = sess.run(["label", "probabilities"], {"X": X.astype("float32")})

The graph has one input, ``"X"`` (float32, ``(n, n_features)``), and two outputs:
``"probabilities"`` (float32, what ``predict_proba`` returns: ``(n, K)``, or ``(n, L)`` for a
multilabel model) and ``"label"`` (what ``predict`` returns).  It is built from four parts, all
standard ONNX / ONNX-ML operators, so scoring needs ``onnxruntime`` (or any ONNX runtime) and
nothing of boostfocal or the engines:

1. the engine's missing-value convention (:mod:`boostfocal.export._trees`): the values the engine
   reads as missing (XGBoost's ``missing``, LightGBM's ``zero_as_missing``) become NaN, and NaN
   becomes 0 on the LightGBM features that read it as 0, because ONNX trees take only NaN as missing;
2. the tree ensemble, one ONNX-ML ``TreeEnsembleRegressor`` whose output is the sum of the trees
   (one column per class or label): LightGBM's nodes as ``onnxmltools``' converter writes them
   for a copy of the model whose objective it accepts, XGBoost's read from its JSON model; no
   base value, no link;
3. the constant the trees do not hold, added to that sum (:func:`_margin_offset`): nothing when
   the initial score sits in the first trees' leaves, XGBoost's intercept when it sits there, and
   the estimator's ``init_score_`` or the ``init_score`` given with a bare Booster that carries none;
4. the probabilities from the full margin (``boostfocal.export._graph.probability_nodes``):
   the recovered posterior (Charoenphakdee et al., 2021) in the log-space form of
   :func:`boostfocal.losses._kernels._posterior_scores`, or the plain sigmoid/softmax for an estimator with
   ``probability="link"``.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._multilabel_booster import MultilabelBooster
from ..losses import IndependentOutputs, Loss
from ._graph import Graph, check_method, probability_nodes, require_onnx
from ._trees import ensemble_node, lightgbm_trees, missing_nodes, xgboost_trees

__all__ = ["to_onnx"]


# --- what the model is --------------------------------------------------------------------------


def _trained_models(model: Any, loss: Loss, init_score: Any, is_estimator: bool) -> list[Any]:
    """The trained model(s) to export (:class:`boostfocal._model.TrainedModel`): one, or one per
    label of a LightGBM :class:`~boostfocal.lightgbm.MultilabelBooster`.  They alone know where the
    initial score lives; a bare Booster's comes from what it records and ``init_score``
    (``TrainedModel.of``: required when it records none, refused when it differs from what it
    records)."""
    from .._model import TrainedModel

    trained = model._bf_trained() if is_estimator else model
    if isinstance(trained, MultilabelBooster):  # every label's booster records its own initial score
        if init_score is not None:
            raise ValueError("init_score: a MultilabelBooster carries each label's initial score; pass none")
        return list(trained.models)
    if not is_estimator:
        trained = TrainedModel.of(model, loss, init_score)
    return [trained]


def _margin_offset(models: list[Any]) -> NDArray[np.float64]:
    """The constant the graph adds to the sum of the trees to make the full raw margin, ``(K',)``
    (``K' = 1`` binary, ``K`` softmax, ``L`` labels): what each trained model adds to its trees
    (:meth:`boostfocal._model.TrainedModel.offset`: nothing where the first trees' leaves carry
    the initial score, the score itself where it sits in XGBoost's intercept or beside the booster),
    side by side for the labels of a MultilabelBooster."""
    row = np.concatenate([np.atleast_1d(m.offset()) for m in models]).astype(np.float64)
    if not np.all(np.isfinite(row)):
        raise ValueError(f"init_score must be finite, got {row!r}")
    return row


def _label_constant(classes: NDArray[Any]) -> tuple[NDArray[Any] | None, Any]:
    """The class labels as an ONNX tensor (``int64`` for integer and boolean labels, ``string``
    for strings) and the ONNX element type; ``(None, INT64)`` when they are neither (the label
    output is then the class index into ``classes_``)."""
    from onnx import TensorProto

    arr = np.asarray(classes)
    if arr.dtype.kind in "biu" and (arr.dtype.kind != "u" or arr.max() <= np.iinfo(np.int64).max):
        return arr.astype(np.int64), TensorProto.INT64
    if arr.dtype.kind == "U" or (arr.dtype.kind == "O" and all(isinstance(c, str) for c in arr)):
        return arr.astype(object), TensorProto.STRING
    if arr.dtype.kind == "O" and all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in arr):
        return arr.astype(np.int64), TensorProto.INT64
    return None, TensorProto.INT64


def _missing_values(engine: str, model: Any, is_estimator: bool, booster: Any, missing: Any) -> tuple[float, ...]:
    """The values (besides NaN) the graph reads as missing: XGBoost's ``missing`` (from the
    estimator or the argument) and 0 for a booster that records training on a sparse matrix;
    LightGBM reads its convention from the model and takes none."""
    if missing is not None and (isinstance(missing, bool) or not isinstance(missing, (int, float, np.number))):
        raise TypeError(f"missing must be a number (the value read as missing), got {type(missing).__name__}")
    if engine == "lightgbm":
        if missing is not None and not math.isnan(missing):
            raise ValueError(
                f"missing={missing!r}: a LightGBM model's missing values are read from the model itself "
                "(use_missing, zero_as_missing); missing= is for XGBoost models"
            )
        return ()
    from .._engine_xgboost import trained_on_sparse

    own = getattr(model, "missing", None) if is_estimator else None
    value = math.nan if own is None else float(own)
    if missing is not None:
        if not math.isnan(value) and float(missing) != value:
            raise ValueError(
                f"missing={missing!r}, but the estimator was trained reading {own!r} as missing (its missing "
                "parameter): leave missing out"
            )
        value = float(missing)
    values = () if math.isnan(value) else (value,)
    return values + ((0.0,) if trained_on_sparse(booster) and 0.0 not in values else ())


def _read_model(model: Any, loss: Loss | None, init_score: Any, method: str | None) -> tuple[Any, ...]:
    """``(engine, is_estimator, loss, classes, method)`` of the model to export, checked."""
    from .._adapter import booster_outputs
    from .._codec import encode_loss
    from ..persistence import _kind

    engine, is_estimator = _kind(model)
    if is_estimator:
        if loss is not None or init_score is not None:
            raise TypeError("loss and init_score are read from a fitted estimator; pass them only with a bare Booster")
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(model, "loss_")
        booster = model.booster_ if engine == "lightgbm" else model.get_booster()
        loss = model.loss_
        classes = np.asarray(model.classes_)
        method = check_method(model.probability if method is None else method)
    else:
        booster = model
        if isinstance(model, MultilabelBooster):
            if loss is not None and loss != model.loss:
                raise ValueError(f"loss {loss!r} is not the loss of this MultilabelBooster, {model.loss!r}")
            loss = model.loss
        if loss is None:
            raise TypeError(
                f"exporting a bare {engine} Booster needs loss: the loss it was trained with (and init_score, the "
                "initial raw score of its training data, unless the booster carries it: embed_init_score)"
            )
        encode_loss(loss)  # a boostfocal loss object, or TypeError naming "loss"
        classes = np.arange(loss.kind.columns)
        method = check_method("posterior" if method is None else method)
    if not isinstance(booster, MultilabelBooster):
        found = booster_outputs(engine, booster)
        if found != loss.kind.outputs:
            raise ValueError(f"loss {loss!r} gives {loss.kind.outputs} raw score(s) per row, the booster {found}")
    return engine, is_estimator, loss, classes, method


def _outputs(g: Graph, scores: str, proba: str, loss: Loss, classes: NDArray[Any]) -> list[Any]:
    """Name the outputs ``"probabilities"`` and ``"label"``; their value infos."""
    onnx, helper = require_onnx()
    g.rename(proba, "probabilities")
    width = loss.kind.columns
    if isinstance(loss.kind, IndependentOutputs):  # predict's (n, L) indicator: posterior > 1/2, log-odds > 0
        g.rename(g.op("Cast", g.op("Greater", scores, g.const(0.0)), to=onnx.TensorProto.INT64), "label")
        shape, label_type = ["N", width], onnx.TensorProto.INT64
    else:
        index = g.op("ArgMax", scores, axis=1, keepdims=0)
        values, label_type = _label_constant(classes)
        g.rename(index if values is None else g.op("Gather", g.const(values, values.dtype), index, axis=0), "label")
        shape = ["N"]
    return [
        helper.make_tensor_value_info("label", label_type, shape),
        helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, ["N", width]),
    ]


def to_onnx(
    model: Any,
    *,
    loss: Loss | None = None,
    init_score: Any = None,
    method: str | None = None,
    missing: float | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """An ONNX model scoring a trained focal model: ``"label"`` and ``"probabilities"`` from ``"X"``.

    Parameters
    ----------
    model : FocalLGBMClassifier, FocalXGBClassifier, lgb.Booster, xgb.Booster or MultilabelBooster
        A fitted estimator (binary, multiclass or multilabel), a booster trained with
        ``boostfocal.lightgbm.objective`` / ``boostfocal.xgboost.objective``, or a
        :class:`boostfocal.lightgbm.MultilabelBooster`.
    loss, init_score : only for a bare Booster
        As for :func:`boostfocal.save_model`: the loss it was trained with (required; a
        MultilabelBooster knows its own) and the constant initial raw score of its training data
        (``0.0`` / zeros if it started from zero), required unless the booster carries it
        (``embed_init_score``), and then only that value.
    method : {"posterior", "link"}, optional
        What ``"probabilities"`` holds: the recovered posterior, or the plain sigmoid/softmax.
        Defaults to an estimator's ``probability``, and to ``"posterior"`` for a Booster.
    missing : float, optional
        XGBoost only: the value the model read as missing besides NaN (``DMatrix(missing=v)``).
        Defaults to a ``FocalXGBClassifier``'s own ``missing`` (which it must not contradict), and
        to NaN alone for a Booster.  Zeros are read as missing too for a ``FocalXGBClassifier``
        fitted on a scipy sparse matrix (absent entries are missing there; its booster records
        it, in its files too), so dense rows score as their sparse form; for a Booster trained on
        a sparse matrix otherwise, give ``missing=0.0``.  A LightGBM model's convention
        (``zero_as_missing``, ``use_missing``) is read from the model, and ``missing`` is refused.
    path : str or os.PathLike, optional
        Also write the model there (``onnx.save``).

    Returns
    -------
    onnx.ModelProto
        Input ``"X"``: float32 ``(n, n_features)``, the features in training order, NaN or the
        engine's missing value for missing; rows of float32 values take the engine's branches
        exactly (LightGBM's double thresholds are rounded down to float32), while a float64
        feature within float32 rounding of a threshold may take the other branch.  Outputs:
        ``"probabilities"``, float32 ``(n, K)`` (``K = 2`` binary; ``(n, L)`` multilabel), equal to
        ``predict_proba`` up to float32 rounding; ``"label"``, what ``predict`` returns: ``(n,)``,
        the class of largest probability, int64 for integer or boolean ``classes_`` (booleans as
        0/1), string for string ``classes_``, otherwise the int64 index into ``classes_`` (a bare
        Booster's classes are ``0..K-1``); multilabel: the ``(n, L)`` int64 indicator matrix of
        the labels whose probability exceeds 1/2.

    Notes
    -----
    The graph: the missing values mapped to NaN, the trees (cut at the best iteration after
    early stopping), plus the initial score, then the posterior in standard operators
    (``boostfocal.export._graph.probability_nodes``)::

        z = trees(missing_to_nan(x)) + init_score
        binary:      P(y=1|x) = 1 / (1 + alpha |l'(p)| / ((1 - alpha) |l'(1 - p)|)),  p = sigma(z)
        multiclass:  P(y=k|x) proportional to 1 / (alpha_k |l'(p_k)|),                p = softmax(z)
        multilabel:  the binary formula on each label's margin z_l with alpha_l
        |l'(p)| = (1 - p)^gamma / p - gamma (1 - p)^(gamma - 1) log p

    (Charoenphakdee et al., 2021; ``alpha = None`` weighs every class 1.)  Categorical splits,
    LightGBM linear trees and random forests, and XGBoost's linear and DART boosters raise
    ``ValueError``.  Needs ``onnx`` (the ``onnx`` extra; LightGBM models also ``onnxmltools``).
    """
    onnx, helper = require_onnx()
    engine, is_estimator, loss, classes, method = _read_model(model, loss, init_score, method)
    models = _trained_models(model, loss, init_score, is_estimator)
    values = _missing_values(engine, model, is_estimator, models[0].booster, missing)
    offset = _margin_offset(models)
    n_outputs = loss.kind.outputs
    if engine == "lightgbm":
        attrs, conventions = lightgbm_trees([m.booster for m in models], n_outputs)
    else:  # the rounds up to the best iteration, as a model file holds them
        attrs, conventions = xgboost_trees(models[0].for_file(), n_outputs, values)
    n_features = len(conventions.nan_as_zero)

    g = Graph()
    trees = ensemble_node(g, missing_nodes(g, "X", conventions), attrs, n_outputs)
    scores, proba = probability_nodes(g, g.op("Add", trees, g.const([offset])), loss, method)
    result = g.model(
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, ["N", n_features])],
        _outputs(g, scores, proba, loss, classes),
        doc=f"boostfocal {engine} model, {loss!r}, probabilities: {method}",
    )
    if path is not None:
        onnx.save(result, os.fspath(path))
    return result


def _probability_model(loss: Loss, method: str = "posterior") -> Any:
    """The probability part alone, for tests: input ``"margin"`` (float32, ``(n, 1)`` binary,
    ``(n, K)`` or ``(n, L)``, the full raw margin), outputs ``"probabilities"`` and ``"scores"``."""
    onnx, helper = require_onnx()
    g = Graph()
    k_in, k = loss.kind.outputs, loss.kind.columns
    scores, proba = probability_nodes(g, "margin", loss, check_method(method))
    g.rename(proba, "probabilities")
    g.rename(scores, "scores")
    return g.model(
        [helper.make_tensor_value_info("margin", onnx.TensorProto.FLOAT, ["N", k_in])],
        [
            helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, ["N", k]),
            helper.make_tensor_value_info("scores", onnx.TensorProto.FLOAT, ["N", k]),
        ],
        doc=f"boostfocal probabilities of {loss!r}",
    )
