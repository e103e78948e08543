"""ONNX export of a trained focal model: the trees, the initial score and the recovered posterior.

::

    import boostfocal as bf
    import onnx
    onnx.save(bf.to_onnx(clf), "model.onnx")          # a fitted FocalLGBMClassifier / FocalXGBClassifier

    import onnxruntime as ort
    sess = ort.InferenceSession("model.onnx")
    label, proba = sess.run(["label", "probabilities"], {"X": X.astype("float32")})

The graph has one input, ``"X"`` (float32, ``(n, n_features)``), and two outputs:
``"probabilities"`` (float32, ``(n, K)``, what ``predict_proba`` returns) and ``"label"`` (``(n,)``,
what ``predict`` returns).  It is built from three parts, all standard ONNX / ONNX-ML operators, so
scoring needs ``onnxruntime`` (or any ONNX runtime) and nothing of boostfocal or the engines:

1. the tree ensemble, an ONNX-ML ``TreeEnsembleRegressor`` whose output is the sum of the trees
   (one column per class for multiclass).  Its nodes are those ``onnxmltools``' converters write
   for the engine's model (:func:`_tree_attributes`); the converters refuse, or misread, a booster
   trained with a Python objective, so they are handed a copy whose objective says "raw
   margins" (LightGBM ``regression`` / ``multiclass``, XGBoost ``reg:squarederror`` /
   ``multi:softprob``), and only their tree nodes are kept, without a base value or a link;
2. the constant the trees do not hold, added to that sum (:func:`_margin_offset`): nothing when
   the initial score sits in the first trees' leaves, XGBoost's intercept when it sits there, and
   the estimator's ``init_score_`` or the ``init_score`` given with a bare Booster that carries none;
3. the class probabilities from the full margin, ``_probability_nodes``: the recovered
   posterior (Charoenphakdee et al., 2021) in the log-space form of
   :func:`boostfocal.losses._posterior_scores`, or the plain sigmoid/softmax for an estimator with
   ``probability="link"``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .losses import Loss

__all__ = ["to_onnx"]

#: Default-domain opset of the graphs (onnxruntime >= 1.13 runs it).
OPSET = 17
#: ONNX-ML opset (``TreeEnsembleRegressor`` as onnxmltools writes it).
ML_OPSET = 3
#: IR version written into the model (the lowest that opset 17 allows, for older runtimes).
IR_VERSION = 8
#: Below this ``log(1 - p)``, ``p log p / (1 - p)`` is ``-1`` to float32 precision (``1 - p < 2e-9``).
_RATIO_CUTOFF = -20.0
#: Added to a masked-out entry before a log-sum-exp: its exponential is 0.
_MASK = -1e30


def _require_onnx() -> tuple[Any, Any]:
    try:
        import onnx
        from onnx import helper
    except ImportError as exc:  # pragma: no cover - the onnx extra is installed in the tests
        raise ImportError(
            "bf.to_onnx needs onnx and onnxmltools: pip install 'boostfocal[onnx]' (onnxruntime to score)"
        ) from exc
    return onnx, helper


# --- a small graph builder -----------------------------------------------------------------------


class _Graph:
    """Nodes and float32 constants of an ONNX graph under construction, with unique names."""

    def __init__(self) -> None:
        _, self.helper = _require_onnx()
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def _name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, value: ArrayLike, dtype: Any = np.float32) -> str:
        """A constant tensor (float32 unless ``dtype``) and its name."""
        from onnx import numpy_helper

        arr = np.asarray(value, dtype=dtype)
        name = self._name("c")
        self.initializers.append(numpy_helper.from_array(arr, name))
        return name

    def op(self, op_type: str, *inputs: str, domain: str = "", outputs: int = 1, **attrs: Any) -> Any:
        """Add a node; returns its output name (or a list of ``outputs`` names)."""
        names = [self._name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(
            self.helper.make_node(op_type, list(inputs), names, name=self._name(op_type), domain=domain, **attrs)
        )
        return names[0] if outputs == 1 else names

    def rename(self, source: str, target: str) -> None:
        """Expose ``source`` under the name ``target`` (an ``Identity``)."""
        self.nodes.append(self.helper.make_node("Identity", [source], [target], name=self._name("Identity")))

    def model(self, inputs: list[Any], outputs: list[Any], doc: str) -> Any:
        onnx, helper = _require_onnx()
        graph = helper.make_graph(self.nodes, "boostfocal", inputs, outputs, initializer=self.initializers)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", ML_OPSET)],
            producer_name="boostfocal",
            doc_string=doc,
        )
        model.ir_version = IR_VERSION
        onnx.checker.check_model(model)
        return model


# --- the posterior (the one ONNX expression of losses._posterior_scores) -------------------------


def _log1p(g: _Graph, x: str) -> str:
    """``log(1 + x)`` for ``x >= 0``, accurate in float32 also where ``1 + x`` rounds (ONNX has no
    ``Log1p``): ``log(u) * x / (u - 1)`` with ``u = 1 + x``, and ``x`` itself where ``u == 1``
    (Goldberg, "What every computer scientist should know about floating-point arithmetic", 1991)."""
    u = g.op("Add", x, g.const(1.0))
    d = g.op("Sub", u, g.const(1.0))
    ratio = g.op("Div", x, d)  # inf or NaN where d == 0; not selected there
    return g.op("Where", g.op("Equal", d, g.const(0.0)), x, g.op("Mul", g.op("Log", u), ratio))


def _log_focal_slope(g: _Graph, log_p: str, log_om: str, gamma: float) -> str:
    """``log |l'(p)|`` from ``log p`` and ``log(1 - p)``: the graph form of
    :func:`boostfocal.losses._log_focal_slope`,

        log |l'(p)| = gamma log(1-p) - log p + log(1 - gamma * p log p / (1-p)).

    ``p log p / (1 - p)`` (in ``[-1, 0]``) is ``exp(log p - log(1-p)) * log p``, and ``-1`` where
    ``log(1-p) < -20`` (its value there to float32 precision; no overflow)."""
    neg_log_p = g.op("Neg", log_p)
    if gamma == 0.0:
        return neg_log_p
    ratio = g.op("Mul", g.op("Exp", g.op("Sub", log_p, log_om)), log_p)
    ratio = g.op("Where", g.op("Less", log_om, g.const(_RATIO_CUTOFF)), g.const(-1.0), ratio)
    focal = g.op("Log", g.op("Add", g.const(1.0), g.op("Mul", ratio, g.const(-gamma))))
    return g.op("Add", g.op("Add", neg_log_p, focal), g.op("Mul", log_om, g.const(gamma)))


def _probability_nodes(g: _Graph, margin: str, loss: Loss, method: str) -> tuple[str, str]:
    """Class probabilities ``(n, K)`` and their unnormalised log-scores from the full raw margin
    (``(n, 1)`` binary, ``(n, K)`` multiclass), in float32 operators.

    ``method="posterior"``: the recovered posterior of :meth:`boostfocal.BinaryFocalLoss.posterior`
    / :meth:`boostfocal.MulticlassFocalLoss.posterior`, the same expression as
    :func:`boostfocal.losses._posterior_scores` (Charoenphakdee et al., 2021):

        score_k = -log alpha_k - log |l'(p_k)|,   P(y=k|x) = softmax(score)_k,

    with ``|l'(p)| = (1-p)^gamma / p - gamma (1-p)^(gamma-1) log p`` (see :func:`_log_focal_slope`).
    Binary: ``p_1 = sigma(z)``, ``p_0 = 1 - p_1``, with ``log sigma(+-z) = min(+-z, 0) - log1p(exp(-|z|))``
    (no ``log(sigma(z))``).  Multiclass: ``log p_k = (z_k - max z) - log1p(rest)`` with ``rest`` the
    sum of ``exp(z_j - max z)`` over the classes other than the arg-max, and ``log(1 - p_k)`` a
    max-shifted log-sum-exp over the classes other than ``k``, so that a confident row keeps
    ``log(1 - p)`` finite and exact.  ``gamma = 0`` reduces to the plain link shifted by the class
    weights: ``softmax(z - log alpha)``.  ``method="link"``: ``sigma(z)`` / ``softmax(z)``.
    Finite for every finite margin; tested against ``loss.posterior`` for ``|z| <= 50``,
    ``gamma <= 5``.
    """
    log_alpha = loss._log_alpha()  # (1 - alpha, alpha) binary, (K,) multiclass; 0.5s / ones for None
    link = method == "link"
    if not loss.is_multiclass:
        if link or loss.gamma == 0.0:
            shift = [0.0, 0.0] if link else list(log_alpha)
            zero = g.op("Mul", margin, g.const(0.0))
            scores = g.op("Sub", g.op("Concat", zero, margin, axis=1), g.const([shift]))
        else:
            log1p_e = _log1p(g, g.op("Exp", g.op("Neg", g.op("Abs", margin))))
            log_p = g.op("Sub", g.op("Min", margin, g.const(0.0)), log1p_e)  # log sigma(z)
            log_q = g.op("Sub", g.op("Min", g.op("Neg", margin), g.const(0.0)), log1p_e)  # log sigma(-z)
            s1 = g.op("Sub", g.const(-log_alpha[1]), _log_focal_slope(g, log_p, log_q, loss.gamma))
            s0 = g.op("Sub", g.const(-log_alpha[0]), _log_focal_slope(g, log_q, log_p, loss.gamma))
            scores = g.op("Concat", s0, s1, axis=1)
    else:
        k = loss.num_outputs
        if link or loss.gamma == 0.0:
            scores = margin if link else g.op("Sub", margin, g.const([log_alpha]))
        else:
            shifted = g.op("Sub", margin, g.op("ReduceMax", margin, axes=[1], keepdims=1))  # max 0
            top = g.op("Equal", g.const([np.arange(k)], np.int64), g.op("ArgMax", margin, axis=1, keepdims=1))
            others = g.op("Where", top, g.const(0.0), g.op("Exp", shifted))
            log_sum = _log1p(g, g.op("ReduceSum", others, g.const([1], np.int64), keepdims=1))
            log_p = g.op("Sub", shifted, log_sum)
            # (n, K, K): row k holds the shifted margins with class k masked out
            masked = g.op("Add", g.op("Unsqueeze", shifted, g.const([1], np.int64)), g.const(np.eye(k) * _MASK))
            m = g.op("ReduceMax", masked, axes=[2], keepdims=1)
            total = g.op("ReduceSum", g.op("Exp", g.op("Sub", masked, m)), g.const([2], np.int64), keepdims=1)
            lse = g.op("Squeeze", g.op("Add", m, g.op("Log", total)), g.const([2], np.int64))
            log_om = g.op("Sub", lse, log_sum)  # log(1 - p_k)
            scores = g.op("Sub", g.const([-log_alpha]), _log_focal_slope(g, log_p, log_om, loss.gamma))
    return scores, g.op("Softmax", scores, axis=1)


# --- the tree ensemble from onnxmltools' converters ----------------------------------------------


def _check_method(method: str) -> str:
    if method not in ("posterior", "link"):
        raise ValueError(f"method must be 'posterior' or 'link', got {method!r}")
    return method


def _float32_thresholds(line: str) -> str:
    """A LightGBM model-text line ``threshold=...`` with each split threshold ``t`` (a double)
    replaced by the largest float32 ``<= t``; other lines unchanged.

    LightGBM sends ``x <= t`` left in double precision; the ONNX trees compare float32 values.  For a
    float32 feature value ``x``, ``x <= t`` exactly when ``x <= floor32(t)``, whereas the float32
    nearest to ``t`` may be ``x`` itself with ``x > t`` (it happened on 1 row in 10^5 with 600 trees).
    """
    if not line.startswith("threshold="):
        return line
    t = np.array(line[len("threshold=") :].split(), dtype=np.float64)
    f = t.astype(np.float32)
    above = f.astype(np.float64) > t
    f[above] = np.nextafter(f[above], np.float32(-np.inf))
    return "threshold=" + " ".join(repr(float(v)) for v in f)


def _lightgbm_converter_model(booster: Any, n_outputs: int, n_features: int) -> Any:
    """onnxmltools' conversion of a copy of a LightGBM booster (its best iteration) whose objective
    reads ``regression`` (binary) or ``multiclass`` (the converter refuses ``custom``/``none``)."""
    import lightgbm as lgb
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    text = booster.model_to_string()  # num_iteration=None: the best iteration when there is one
    header = text[: text.find("\nTree=")]
    if "\nlinear_tree=1" in text or "\nis_linear=1" in text:
        raise ValueError("model: LightGBM linear trees (linear_tree=True) cannot be exported to ONNX")
    if any(line.startswith("num_cat=") and line != "num_cat=0" for line in text.splitlines()):
        raise ValueError(
            "model: the booster has categorical splits, which bf.to_onnx does not export; train with the "
            "categories encoded as numbers (categorical_feature=[]) to deploy through ONNX"
        )
    if "\naverage_output" in header:
        raise ValueError("model: a random forest (boosting='rf') cannot be exported by bf.to_onnx")
    objective = "regression" if n_outputs == 1 else f"multiclass num_class:{n_outputs}"
    # thresholds rewritten, so the byte sizes of the trees ("tree_sizes=") no longer hold: LightGBM
    # then reads the trees one after the other
    skip = ("objective=", "tree_sizes=")
    lines = [_float32_thresholds(line) for line in text.split("\n") if not line.startswith(skip)]
    i = next(j for j, line in enumerate(lines) if line.startswith("num_class="))
    lines.insert(i, f"objective={objective}")
    copy = lgb.Booster(model_str="\n".join(lines))
    copy.params["objective"] = objective.split()[0]
    return convert_lightgbm(copy, initial_types=[("X", FloatTensorType([None, n_features]))], zipmap=False)


def _xgboost_converter_model(booster: Any, n_outputs: int, n_features: int) -> Any:
    """onnxmltools' conversion of a copy of an XGBoost booster, cut at its best iteration, whose
    objective reads ``reg:squarederror`` (binary) or ``multi:softprob``."""
    import json

    from onnxmltools import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType

    config = json.loads(booster.save_config())["learner"]
    kind = config["gradient_booster"]["name"]
    if kind != "gbtree":
        raise ValueError(f"model: an XGBoost {kind!r} booster cannot be exported by bf.to_onnx (gbtree only)")
    if any(t == "c" for t in (booster.feature_types or ())):
        raise ValueError(
            "model: the booster has categorical features, which bf.to_onnx does not export; train with the "
            "categories encoded as numbers (enable_categorical=False) to deploy through ONNX"
        )
    best = booster.attr("best_iteration")
    copy = booster[: int(best) + 1] if best is not None else booster.copy()
    copy.set_param({"objective": "reg:squarederror" if n_outputs == 1 else "multi:softprob"})
    copy.feature_names = None  # the converter reads splits on "f<index>" only; "X" has the training order
    return convert_xgboost(copy, initial_types=[("X", FloatTensorType([None, n_features]))])


def _tree_attributes(converted: Any, n_outputs: int) -> dict[str, Any]:
    """The tree nodes of the converter's single ``TreeEnsembleRegressor``/``Classifier`` as the
    attributes of a ``TreeEnsembleRegressor`` with ``n_outputs`` targets, no base values and no
    post transform: its output is the plain sum of the trees, per class."""
    from onnx import helper

    ensembles = [n for n in converted.graph.node if n.op_type in ("TreeEnsembleRegressor", "TreeEnsembleClassifier")]
    if len(ensembles) != 1:
        raise RuntimeError(f"onnxmltools wrote {len(ensembles)} tree ensembles where one was expected")
    attrs: dict[str, Any] = {}
    for attr in ensembles[0].attribute:
        value = helper.get_attribute_value(attr)
        if attr.name.startswith("nodes_") or attr.name.startswith("target_"):
            attrs[attr.name] = value
        elif attr.name.startswith("class_"):
            attrs["target_" + attr.name[len("class_") :]] = value
    if "target_ids" not in attrs or (attrs["target_ids"] and max(attrs["target_ids"]) >= n_outputs):
        raise RuntimeError("onnxmltools wrote trees for more outputs than the booster has")
    attrs["n_targets"] = n_outputs
    attrs["post_transform"] = "NONE"
    return attrs


# --- what the model is --------------------------------------------------------------------------


def _margin_offset(model: Any, booster: Any, loss: Loss, init_score: Any) -> NDArray[np.float64]:
    """The constant the graph adds to the sum of the trees to make the full raw margin, ``(K',)``
    (``K' = 1`` binary).

    The converted tree ensemble keeps the trees' leaves and drops the converters' base values, so
    the constant depends on where the initial score is (:func:`boostfocal._adapter.carried_state`):
    in the first trees' leaves (LightGBM, or XGBoost < 3.1 multiclass) nothing is added; in
    XGBoost's intercept (``base_score``) the carried score is added; a booster that carries none
    (a model file of format version 1, or a bare Booster trained without ``embed_init_score``) gets
    the estimator's ``init_score_`` or the ``init_score`` given with it.  The one place that decides it.
    """
    from ._adapter import carried_state, constant_margin, init_to_add

    state = carried_state(booster)
    if model is booster:
        value = init_to_add(booster, init_score)  # refuses an init_score other than the carried one
    else:
        value = model.init_score_
        if getattr(model, "_bf_carried", False) and state is None:  # LightGBM: the estimator's own flag
            state = {"init_score": value, "in": "leaves"}
    if state is not None:
        value = 0.0 if state["in"] == "leaves" else state["init_score"]
        if loss.is_multiclass and np.ndim(value) == 0:
            value = np.full(loss.num_outputs, float(value))
    try:
        row = constant_margin(loss, value, 1)[0]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"init_score: {exc}") from None
    row = np.atleast_1d(np.asarray(row, dtype=np.float64))
    if not np.all(np.isfinite(row)):
        raise ValueError(f"init_score must be finite, got {value!r}")
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


def to_onnx(
    model: Any,
    *,
    loss: Loss | None = None,
    init_score: Any = None,
    method: str | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """An ONNX model scoring a trained focal model: ``"label"`` and ``"probabilities"`` from ``"X"``.

    Parameters
    ----------
    model : FocalLGBMClassifier, FocalXGBClassifier, lgb.Booster or xgb.Booster
        A fitted estimator, or a booster trained with ``boostfocal.lightgbm.objective`` /
        ``boostfocal.xgboost.objective``.
    loss, init_score : only for a bare Booster
        As for :func:`boostfocal.save_model`: the loss it was trained with (required) and the
        constant initial raw score of its training data (``0.0`` / zeros if it started from zero),
        required unless the booster carries it (``embed_init_score``), and then only that value.
    method : {"posterior", "link"}, optional
        What ``"probabilities"`` holds: the recovered posterior, or the plain sigmoid/softmax.
        Defaults to an estimator's ``probability``, and to ``"posterior"`` for a Booster.
    path : str or os.PathLike, optional
        Also write the model there (``onnx.save``).

    Returns
    -------
    onnx.ModelProto
        Input ``"X"``: float32 ``(n, n_features)``, the features in training order (NaN for
        missing); rows of float32 values take the engine's branches exactly (LightGBM's double
        thresholds are rounded down to float32), while a float64 feature within float32 rounding
        of a threshold may take the other branch.  Outputs: ``"probabilities"``, float32
        ``(n, K)`` (``K = 2`` binary), equal to
        ``predict_proba`` up to float32 rounding; ``"label"``, ``(n,)``, the class of largest
        probability (``predict``): int64 for integer or boolean ``classes_`` (booleans as 0/1),
        string for string ``classes_``, otherwise the int64 index into ``classes_``.  A bare
        Booster's classes are ``0..K-1``.

    Notes
    -----
    The graph: the trees (onnxmltools' conversion of the engine's model, cut at the best iteration
    after early stopping), plus the initial score, then the posterior in standard operators
    (``_probability_nodes``)::

        z = trees(x) + init_score
        binary:      P(y=1|x) = 1 / (1 + alpha |l'(p)| / ((1 - alpha) |l'(1 - p)|)),  p = sigma(z)
        multiclass:  P(y=k|x) proportional to 1 / (alpha_k |l'(p_k)|),                p = softmax(z)
        |l'(p)| = (1 - p)^gamma / p - gamma (1 - p)^(gamma - 1) log p

    (Charoenphakdee et al., 2021; ``alpha = None`` weighs every class 1.)  Categorical splits,
    LightGBM linear trees and random forests, and XGBoost's linear and DART boosters raise
    ``ValueError``.  Needs ``onnx`` and ``onnxmltools`` (the ``onnx`` extra).
    """
    from ._adapter import booster_outputs
    from .persistence import _encode_loss, _kind

    onnx, helper = _require_onnx()
    engine, is_estimator = _kind(model)
    if is_estimator:
        if loss is not None or init_score is not None:
            raise TypeError("loss and init_score are read from a fitted estimator; pass them only with a bare Booster")
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(model, "loss_")
        booster = model.booster_ if engine == "lightgbm" else model.get_booster()
        loss = model.loss_
        classes = np.asarray(model.classes_)
        method = _check_method(model.probability if method is None else method)
    else:
        booster = model
        if loss is None:
            raise TypeError(
                f"exporting a bare {engine} Booster needs loss: the loss it was trained with (and init_score, the "
                "initial raw score of its training data, unless the booster carries it: embed_init_score)"
            )
        _encode_loss(loss)  # a boostfocal loss object, or TypeError naming "loss"
        classes = np.arange(max(loss.num_outputs, 2))
        method = _check_method("posterior" if method is None else method)
    assert loss is not None
    n_outputs = loss.num_outputs
    found = booster_outputs(engine, booster)
    if found != n_outputs:
        raise ValueError(f"loss {loss!r} gives {n_outputs} raw score(s) per row but the booster gives {found}")
    offset = _margin_offset(model, booster, loss, init_score)
    if engine == "lightgbm":
        n_features = int(booster.num_feature())
        converted = _lightgbm_converter_model(booster, n_outputs, n_features)
    else:
        n_features = int(booster.num_features())
        converted = _xgboost_converter_model(booster, n_outputs, n_features)

    g = _Graph()
    trees = g.op("TreeEnsembleRegressor", "X", domain="ai.onnx.ml", **_tree_attributes(converted, n_outputs))
    margin = g.op("Add", trees, g.const([offset]))
    scores, proba = _probability_nodes(g, margin, loss, method)
    index = g.op("ArgMax", scores, axis=1, keepdims=0)
    values, label_type = _label_constant(classes)
    g.rename(proba, "probabilities")
    g.rename(index if values is None else g.op("Gather", g.const(values, values.dtype), index, axis=0), "label")
    n_classes = len(classes)
    result = g.model(
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, ["N", n_features])],
        [
            helper.make_tensor_value_info("label", label_type, ["N"]),
            helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, ["N", n_classes]),
        ],
        doc=f"boostfocal {engine} model, {loss!r}, probabilities: {method}",
    )
    if path is not None:
        onnx.save(result, os.fspath(path))
    return result


def _probability_model(loss: Loss, method: str = "posterior") -> Any:
    """The probability part alone, for tests: input ``"margin"`` (float32, ``(n, 1)`` binary or
    ``(n, K)``, the full raw margin), outputs ``"probabilities"`` and ``"scores"``."""
    onnx, helper = _require_onnx()
    g = _Graph()
    k_in = loss.num_outputs
    scores, proba = _probability_nodes(g, "margin", loss, _check_method(method))
    g.rename(proba, "probabilities")
    g.rename(scores, "scores")
    k = max(k_in, 2)
    return g.model(
        [helper.make_tensor_value_info("margin", onnx.TensorProto.FLOAT, ["N", k_in])],
        [
            helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, ["N", k]),
            helper.make_tensor_value_info("scores", onnx.TensorProto.FLOAT, ["N", k]),
        ],
        doc=f"boostfocal probabilities of {loss!r}",
    )
